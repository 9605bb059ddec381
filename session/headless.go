package session

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Teardown is what runs once the users are done and before the outputs get the result
// (the script's teardown(data)); cancelling ctx cuts it short.
type Teardown func(ctx context.Context)

// Run runs one test headless with the Config's users, rate and run time: SIGINT or SIGTERM
// stops it gracefully, a second one at once. Once the users are done it runs teardown (nil:
// none), hands the result to the outputs and returns it, with what the outputs said (a
// report that could not be written).
func (s *Session) Run(teardown Teardown) (*Result, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// teardown() gets a context of its own: a Ctrl-C once the users are done, or a second one,
	// cuts it short so that the reports are not held back.
	tdCtx, tdCancel := context.WithCancel(context.Background())
	defer tdCancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	if err := s.start(s.cfg.Users, s.cfg.SpawnRate, "", s.cfg.RunTime, false); err != nil {
		return nil, err
	}
	run, done := s.current()
	go func() {
		n := 0
		for {
			select {
			case <-sigs:
				n++
				if isClosed(done) {
					tdCancel()
					continue
				}
				if n == 1 {
					fmt.Fprintln(s.cfg.Log, "\ngust: stopping (running tasks get the stop timeout; Ctrl-C again to stop at once)")
					run.runner.Stop("interrupted")
				} else {
					run.runner.Kill("interrupted twice")
					tdCancel()
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	<-done
	s.mu.Lock()
	sampled, ticks := s.sampled, s.ticks
	s.mu.Unlock()
	<-sampled
	ticks.Wait()
	if teardown != nil {
		teardown(tdCtx)
	}
	s.finish(run)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.lastErr
}
