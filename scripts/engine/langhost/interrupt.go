package main

// End the program at once when the engine interrupts the host.
//
// When a deployment ends early (a failed check, a cancelled update), the engine sends SIGINT to
// the host's process group and then waits for the host's stdout and stderr to close, up to 5
// seconds, before it kills the group (sdk/go/common/resource/plugin/plugin.go, Plugin.Kill). The
// Python program shares those pipes and does not exit on SIGINT while it waits on the engine, so
// every failed run took 5 s longer than a passing one. The host now ends the programs it runs
// (SIGKILL: their engine no longer reads their results) and exits, which closes the pipes.

import (
	"os"
	"os/signal"
	"syscall"
)

func (w *engineWatch) endOnInterrupt() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		w.mu.Lock()
		for p := range w.programs {
			_ = p.Kill()
		}
		w.mu.Unlock()
		os.Exit(0)
	}()
}
