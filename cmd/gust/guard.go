package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gustload/gust/js"
)

// outsideLimit bounds each call of JavaScript outside the tasks (the module's top level,
// setup(), teardown(), shape()): the run time + the stop timeout; no bound without a run time.
func outsideLimit(f *runFlags) time.Duration {
	if f.runTime <= 0 {
		return 0
	}
	return f.runTime + f.stopTimeout
}

// outsideGuard makes a second SIGINT/SIGTERM interrupt JavaScript running outside the tasks,
// which the run's own signal handling cannot reach (that stops users, not setup() or shape()).
// It listens from before setup() until stop, beside the run's handler.
type outsideGuard struct {
	sigs  chan os.Signal
	done  chan struct{}
	count atomic.Int32
}

func guardOutside(test *js.Test) *outsideGuard {
	g := &outsideGuard{sigs: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(g.sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for {
			select {
			case <-g.sigs:
				n := g.count.Add(1)
				if n == 1 {
					// The run's handler stops the users gracefully; say what a stop must wait for.
					if where := test.RunningOutside(); where != "" {
						fmt.Fprintf(os.Stderr, "gust: %s is still running (Ctrl-C again to interrupt it)\n", where)
					}
					continue
				}
				if where := test.InterruptOutside("interrupted by a second signal"); where != "" {
					fmt.Fprintf(os.Stderr, "gust: interrupting %s\n", where)
				}
			case <-g.done:
				return
			}
		}
	}()
	return g
}

// signalled reports whether a SIGINT/SIGTERM came since the guard started.
func (g *outsideGuard) signalled() bool { return g.count.Load() > 0 }

func (g *outsideGuard) stop() {
	signal.Stop(g.sigs)
	close(g.done)
}

// setupFailed reports a failing setup(): JavaScript stuck there and interrupted is a run that
// went wrong (exit 1), any other failure means the test could not start (exit 2).
func setupFailed(err error) int {
	var stuck *js.StuckError
	if errors.As(err, &stuck) {
		fmt.Fprintf(os.Stderr, "gust: %v (the test did not start)\n", err)
		return exitFailures
	}
	return usageError("%v (the test did not start)", err)
}
