package main

// RunPlugin: the engine starts Python plugins that are directories — a policy pack given as
// `pulumi preview --policy-pack DIR` (PulumiPolicy.yaml with `runtime: python`) — through the
// language host (pkg/resource/plugin/analyzer_plugin.go at v3.259.0). As the upstream host does
// for a bare directory, it runs `python DIR ARGS...` (Python runs DIR/__main__.py) in the
// requested working directory and environment, with the interpreter from the `virtualenv`
// runtime option, and streams the plugin's stdout and stderr back; the engine reads the
// analyzer's port from that stdout.

import (
	"errors"
	"os/exec"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	info := req.GetInfo()
	root, dir := req.GetPwd(), req.GetProgram() //nolint:staticcheck
	var opts map[string]any
	if info != nil {
		root, dir = info.GetRootDirectory(), info.GetProgramDirectory()
		opts = info.GetOptions().AsMap()
	}
	python, pyEnv, err := resolvePython(root, opts)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	cmd := exec.CommandContext(server.Context(), python, append([]string{"-u", dir}, req.GetArgs()...)...)
	cmd.Dir = req.GetPwd()
	cmd.Env = mergeEnv(append(append([]string{}, req.GetEnv()...), pyEnv...), len(pyEnv) > 0)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	h.watch.started(cmd.Process)
	err = cmd.Wait()
	h.watch.finished(cmd.Process)
	if err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		if sendErr := server.Send(&pulumirpc.RunPluginResponse{
			Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitErr.ExitCode())},
		}); sendErr != nil {
			return sendErr
		}
	}
	return closer.Close()
}
