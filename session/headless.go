package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
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

	if !s.waitStart(sigs) {
		return s.deliver(s.result(nil, s.Snapshot()))
	}
	if ec, busy := s.engineConfig(s.cfg); !busy {
		return s.idle(ec)
	}
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

// waitStart waits until StartAt (--start-at), warning when it is already past; false when a
// signal came first, and nothing is to run.
func (s *Session) waitStart(sigs <-chan os.Signal) bool {
	if s.cfg.StartAt.IsZero() {
		return true
	}
	wait := time.Until(s.cfg.StartAt)
	if wait <= 0 {
		s.cfg.Warn(fmt.Sprintf("--start-at %s is %s past: starting now", s.cfg.StartAt.Format(time.RFC3339), (-wait).Round(time.Millisecond)))
		return true
	}
	fmt.Fprintf(s.cfg.Out, "gust: waiting %s to start at %s\n", wait.Round(time.Millisecond), s.cfg.StartAt.Format(time.RFC3339Nano))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-sigs:
		fmt.Fprintln(s.cfg.Log, "\ngust: interrupted while waiting for --start-at (the test did not start)")
		return false
	}
}

// idle is the run of a segment with nothing to do (-i 2 over 3 segments): no user starts, and
// the outputs get an empty result that records the segment's share, so that a merge of all
// the segments' results still sees every one.
func (s *Session) idle(ec engine.Config) (*Result, error) {
	fmt.Fprintf(s.cfg.Out, "gust: segment %s has nothing to do (its share of the test is empty)\n", s.cfg.Segment)
	snap := s.Snapshot()
	snap.Start = snap.Now // it ran for no time: a merge's span is the segments' that ran
	res := s.result(nil, snap)
	res.Run.Users, res.Run.SpawnRate, res.Run.Iterations = ec.Users, ec.SpawnRate, ec.Iterations
	res.Run.StopReason = "nothing to do in this segment"
	// Thresholds judge what ran; here nothing did, and the merge judges them on the whole.
	res.Verdicts, res.Passed = []metrics.Verdict{}, true
	return s.deliver(res)
}

// deliver hands res to every output and returns it with what they said.
func (s *Session) deliver(res *Result) (*Result, error) {
	var errs []error
	for _, o := range s.cfg.Outputs {
		errs = append(errs, o.Stop(res))
	}
	s.mu.Lock()
	s.last, s.lastErr = res, errors.Join(errs...)
	s.mu.Unlock()
	return res, errors.Join(errs...)
}
