package session

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// Outside is a test whose JavaScript runs outside the tasks too (the module's top level,
// setup(), teardown(), shape()): *js.Test.
type Outside interface {
	// RunningOutside names the call running outside the tasks, "" when none is.
	RunningOutside() string
	// InterruptOutside interrupts that call with reason and names it, "" when none was running.
	InterruptOutside(reason string) string
}

// Guard makes a second SIGINT/SIGTERM interrupt JavaScript running outside the tasks, which
// the run's own signal handling cannot reach (that stops users, not setup() or shape()). It
// listens from before setup() until Stop, beside the run's handler.
type Guard struct {
	sigs  chan os.Signal
	done  chan struct{}
	count atomic.Int32
}

// GuardOutside starts a Guard over test; it tells stderr what a stop waits for and what it
// interrupts.
func GuardOutside(test Outside, stderr io.Writer) *Guard {
	g := &Guard{sigs: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(g.sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for {
			select {
			case <-g.sigs:
				if g.count.Add(1) == 1 {
					// The run's handler stops the users gracefully; say what a stop must wait for.
					if where := test.RunningOutside(); where != "" {
						fmt.Fprintf(stderr, "gust: %s is still running (Ctrl-C again to interrupt it)\n", where)
					}
					continue
				}
				if where := test.InterruptOutside("interrupted by a second signal"); where != "" {
					fmt.Fprintf(stderr, "gust: interrupting %s\n", where)
				}
			case <-g.done:
				return
			}
		}
	}()
	return g
}

// Signalled reports whether a SIGINT/SIGTERM came since the guard started.
func (g *Guard) Signalled() bool { return g.count.Load() > 0 }

// Stop stops listening.
func (g *Guard) Stop() {
	signal.Stop(g.sigs)
	close(g.done)
}
