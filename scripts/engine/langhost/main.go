// Command pulumi-language-python is a minimal Python language host for the Pulumi engine.
//
// The upstream language host module (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3)
// is not served by the Go module proxy reachable here, so this small replacement implements the parts
// of the LanguageRuntime gRPC service that `pulumi preview/up/refresh/destroy` need for Python programs
// that use only dynamic providers (or provider plugins that are already installed):
//
//   - Run: starts `<python> pulumi-language-python-exec --monitor ... PROGRAM [ARGS]`, where the exec
//     script sits next to this binary and <python> comes from the `virtualenv` runtime option of
//     Pulumi.yaml (relative to the project root), else $PULUMI_PYTHON_CMD, else python3/python.
//   - GetRequiredPlugins/GetRequiredPackages: report none (provider plugins are not discovered from
//     installed Python packages; install them with `pulumi plugin install` if ever needed).
//   - RunPlugin: runs a plugin that is a Python directory, such as a policy pack (runplugin.go).
//   - GetPluginInfo, Handshake, About, GetProgramDependencies: minimal answers.
//   - It exits, ending its program, as soon as the engine is gone (see enginewatch.go).
//
// The engine starts it as `pulumi-language-python [--logtostderr] [-v=N] [--tracing URL] ENGINE_ADDRESS`
// and reads the gRPC port from the first line of its stdout.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

const execScriptName = "pulumi-language-python-exec"

// Exit code the exec script uses after it has already shown an actionable error to the user.
const userActionableExitCode = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	tracing       string
	cancel        chan bool
	watch         *engineWatch
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
		h.watch.watchHealth(h.engineAddress)
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(version.Version, "v")}, nil
}

func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *host) About(_ context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	info := req.GetInfo()
	root := ""
	var opts map[string]any
	if info != nil {
		root = info.GetRootDirectory()
		opts = info.GetOptions().AsMap()
	}
	python, _, err := resolvePython(root, opts)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(python, "--version").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", python, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: python,
		Version:    strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "Python")),
	}, nil
}

// resolvePython picks the interpreter and the extra environment for running the program.
func resolvePython(root string, opts map[string]any) (string, []string, error) {
	venv, _ := opts["virtualenv"].(string)
	toolchain, _ := opts["toolchain"].(string)
	if venv == "" && toolchain == "uv" {
		venv = ".venv"
	}
	if venv == "" && toolchain == "poetry" {
		out, err := exec.Command("poetry", "env", "info", "--path").Output()
		if err != nil {
			return "", nil, fmt.Errorf("toolchain poetry: `poetry env info --path` failed: %w", err)
		}
		venv = strings.TrimSpace(string(out))
	}
	if venv != "" {
		if !filepath.IsAbs(venv) {
			venv = filepath.Join(root, venv)
		}
		python := filepath.Join(venv, "bin", "python")
		if _, err := os.Stat(python); err != nil {
			return "", nil, fmt.Errorf(
				"the 'virtualenv' option in Pulumi.yaml is set to %q, but %q does not exist; "+
					"create it with `python3 -m venv %s` and install the project's dependencies into it",
				venv, python, venv)
		}
		env := []string{
			"VIRTUAL_ENV=" + venv,
			"PATH=" + filepath.Join(venv, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		}
		return python, env, nil
	}
	candidates := []string{"python3", "python"}
	if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
		candidates = []string{cmd}
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil, nil
		}
	}
	return "", nil, fmt.Errorf("no Python interpreter found (tried %s); set PULUMI_PYTHON_CMD or the "+
		"'virtualenv' runtime option in Pulumi.yaml", strings.Join(candidates, ", "))
}

// findExecScript looks for the exec script next to this binary, then on PATH.
func findExecScript() (string, error) {
	if self, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
		p := filepath.Join(filepath.Dir(self), execScriptName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(execScriptName); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found next to the language host nor on PATH", execScriptName)
}

// mergeEnv returns os.Environ() with the given KEY=VALUE entries overriding, minus PYTHONHOME if a
// virtualenv is used.
func mergeEnv(extra []string, dropPythonHome bool) []string {
	override := map[string]bool{}
	for _, kv := range extra {
		override[strings.SplitN(kv, "=", 2)[0]] = true
	}
	var env []string
	for _, kv := range os.Environ() {
		k := strings.SplitN(kv, "=", 2)[0]
		if override[k] || (dropPythonHome && k == "PYTHONHOME") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	root, programDir, entry := req.GetPwd(), req.GetPwd(), req.GetProgram() //nolint:staticcheck
	var opts map[string]any
	if info != nil {
		root, programDir, entry = info.GetRootDirectory(), info.GetProgramDirectory(), info.GetEntryPoint()
		opts = info.GetOptions().AsMap()
	}
	if entry == "" {
		entry = "."
	}
	program := entry
	if !filepath.IsAbs(program) {
		program = filepath.Join(programDir, entry)
	}

	python, pyEnv, err := resolvePython(root, opts)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	script, err := findExecScript()
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{}
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	args := []string{
		script,
		"--monitor", req.GetMonitorAddress(),
		"--engine", h.engineAddress,
		"--project", req.GetProject(),
		"--stack", req.GetStack(),
		"--pwd", req.GetPwd(),
		"--dry_run", strconv.FormatBool(req.GetDryRun()),
		"--parallel", strconv.Itoa(int(req.GetParallel())),
	}
	if req.GetOrganization() != "" {
		args = append(args, "--organization", req.GetOrganization())
	}
	if root != "" {
		args = append(args, "--root_directory", root)
	}
	if h.tracing != "" {
		args = append(args, "--tracing", h.tracing)
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	env := append([]string{
		"PULUMI_CONFIG=" + string(config),
		"PULUMI_CONFIG_SECRET_KEYS=" + string(secretKeysJSON),
		"PYTHONUNBUFFERED=1",
	}, pyEnv...)

	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = mergeEnv(env, len(pyEnv) > 0)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	err = cmd.Start()
	if err == nil {
		h.watch.started(cmd.Process)
		err = cmd.Wait()
		h.watch.finished(cmd.Process)
	}
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == userActionableExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem executing program (could not run %s): %v",
			python, err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func main() {
	flags := flag.NewFlagSet("pulumi-language-python", flag.ExitOnError)
	tracing := flags.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	// Accepted for compatibility with the engine and with the upstream host; unused here.
	flags.Bool("logtostderr", false, "log to stderr")
	flags.Bool("logflow", false, "flow logging settings to child processes")
	flags.Int("v", 0, "log verbosity")
	flags.String("root", "", "project root directory (legacy)")
	flags.String("virtualenv", "", "virtualenv (legacy; use the runtime option)")
	flags.String("toolchain", "", "toolchain (legacy; use the runtime option)")
	flags.String("typechecker", "", "type checker (ignored)")
	flags.String("binary", "", "binary (ignored)")
	_ = flags.Parse(os.Args[1:])

	h := &host{tracing: *tracing, cancel: make(chan bool), watch: newEngineWatch()}
	if flags.NArg() > 0 {
		h.engineAddress = flags.Arg(0)
	}
	h.watch.watchParent()
	h.watch.endOnInterrupt()
	h.watch.watchHealth(h.engineAddress)

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: h.cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		os.Exit(1)
	}
}
