package main

// Exit when the engine that started this host is gone, taking the program along.
//
// The engine starts the host in a process group of its own and, when it ends normally, kills that
// group. When the engine dies instead (SIGKILL, the OOM killer, a crash, a CI runner's timeout),
// nobody does, and the host would serve forever next to an orphaned program. The upstream host
// (sdk/python/cmd/pulumi-language-python/main.go) polls the engine's gRPC health service every
// 5 minutes and then stops gracefully, which also waits for the program. Here the engine is
// watched two ways, and the first to fire ends the host and its programs at once:
//
//   - the parent pid, every 200 ms: the engine starts the host directly, so a different parent
//     means the engine died and the host was re-parented (to init or a subreaper);
//   - the engine's gRPC health service (every server of the engine registers one), every second:
//     three Unavailable answers in a row (nothing listens any more) also mean it is gone. This
//     covers a host whose parent is not the engine; a slow or hung engine is not "gone".

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

const (
	parentPollInterval  = 200 * time.Millisecond
	healthCheckInterval = time.Second
	healthCheckTimeout  = 5 * time.Second
	healthFailuresToEnd = 3
	// EX_TEMPFAIL: nobody reads it (the engine is gone); distinctive in audit logs.
	engineGoneExitCode = 75
)

type engineWatch struct {
	mu       sync.Mutex
	programs map[*os.Process]bool // programs running now (Run in flight)
	health   sync.Once
}

func newEngineWatch() *engineWatch {
	return &engineWatch{programs: map[*os.Process]bool{}}
}

// watchParent ends the host once its parent process changes.
func (w *engineWatch) watchParent() {
	parent := os.Getppid()
	go func() {
		for range time.Tick(parentPollInterval) {
			if os.Getppid() != parent {
				w.end(fmt.Sprintf("its parent (pid %d) exited", parent))
			}
		}
	}()
}

// watchHealth ends the host once the engine at addr stops answering; started once, for the first
// address known (the command line's, or the Handshake's).
func (w *engineWatch) watchHealth(addr string) {
	if addr == "" {
		return
	}
	w.health.Do(func() {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			fmt.Fprintf(os.Stderr, "warning: cannot watch the engine at %s: %v\n", addr, err)
			return
		}
		client := healthpb.NewHealthClient(conn)
		go func() {
			failures := 0
			for range time.Tick(healthCheckInterval) {
				ctx, cancel := context.WithTimeout(context.Background(), healthCheckTimeout)
				_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
				cancel()
				if status.Code(err) == codes.Unavailable {
					failures++
				} else {
					failures = 0
				}
				if failures >= healthFailuresToEnd {
					w.end(fmt.Sprintf("its gRPC server at %s stopped answering", addr))
				}
			}
		}()
	})
}

func (w *engineWatch) started(p *os.Process) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.programs[p] = true
}

func (w *engineWatch) finished(p *os.Process) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.programs, p)
}

// end kills the programs and exits: their engine, which would read their results, is gone.
func (w *engineWatch) end(why string) {
	// Our stderr is a pipe the dead engine read: writing to it would end this process with SIGPIPE
	// (Go's rule for fds 1 and 2) before the kill below, leaving the program orphaned.
	signal.Ignore(syscall.SIGPIPE)
	fmt.Fprintf(os.Stderr, "pulumi-language-python: the engine is gone (%s); ending the program and exiting\n", why)
	if syscall.Getpgrp() == os.Getpid() {
		// The host leads its process group (the engine starts plugins that way), so the group holds
		// the programs and whatever they started: kill it all, the host included, as the engine does.
		_ = syscall.Kill(0, syscall.SIGKILL)
	}
	w.mu.Lock()
	for p := range w.programs {
		_ = p.Kill()
	}
	w.mu.Unlock()
	os.Exit(engineGoneExitCode)
}
