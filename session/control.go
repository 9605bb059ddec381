package session

import (
	"errors"
	"fmt"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// The web UI's view of a session: these methods implement web.Controller and are safe for
// concurrent use.

// Edit changes the number of users of the running test and the rate to get there.
func (s *Session) Edit(users int, rate float64) error {
	run, done := s.current()
	if run == nil || isClosed(done) {
		return errors.New("no test is running: start one")
	}
	// Run sets the users of its Config when it begins: an edit right after the start must come
	// after that, or Run would undo it.
	for i := 0; i < 100 && run.runner.State() == engine.StateReady; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	run.runner.SetUsers(users, rate)
	fmt.Fprintf(s.cfg.Out, "gust: users set to %d at %g/s\n", users, rate)
	return nil
}

// Stop stops the running test gracefully (running tasks get the stop timeout); it does nothing
// when none runs.
func (s *Session) Stop() { s.stop("stopped from the web UI") }

func (s *Session) stop(reason string) {
	if run, _ := s.current(); run != nil {
		run.runner.Stop(reason)
	}
}

// Kill stops the running test at once.
func (s *Session) Kill(reason string) {
	if run, _ := s.current(); run != nil {
		run.runner.Kill(reason)
	}
}

// Reset clears the statistics (Locust's "Reset stats").
func (s *Session) Reset() { s.stats.Reset() }

// State is where the current test is: ready before the first start.
func (s *Session) State() engine.State {
	run, _ := s.current()
	if run == nil {
		return engine.StateReady
	}
	if st := run.runner.State(); st != engine.StateReady {
		return st
	}
	return engine.StateSpawning // started, and Run has not begun spawning yet
}

// Users is the number of users running now.
func (s *Session) Users() int {
	if run, _ := s.current(); run != nil {
		return run.runner.Users()
	}
	return 0
}

// ClassCounts is the number of running users per User class name.
func (s *Session) ClassCounts() map[string]int {
	out := make(map[string]int, len(s.cfg.Classes))
	run, _ := s.current()
	if run == nil {
		return out
	}
	for i, n := range run.runner.ClassCounts() {
		if i < len(s.cfg.Classes) {
			out[s.cfg.Classes[i].Name] = n
		}
	}
	return out
}

// Classes describes the test's User classes with their tasks.
func (s *Session) Classes() []Class { return s.cfg.Classes }

// Host is the base URL the test targets.
func (s *Session) Host() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.host
}

// Snapshot is a copy of the statistics now, with the open model's dropped arrivals.
func (s *Session) Snapshot() *metrics.Snapshot {
	snap := s.stats.Snapshot()
	if run, _ := s.current(); run != nil {
		snap.AddDropped(run.runner.Dropped())
	}
	return snap
}

// CurrentPercentiles are the response-time percentiles (0-100) of the last seconds.
func (s *Session) CurrentPercentiles(ps ...float64) []time.Duration {
	return s.stats.CurrentPercentiles(ps...)
}

// History is the Aggregated statistics over time, oldest first.
func (s *Session) History() []metrics.HistoryRow { return s.history.Rows() }

// Result is the result of the current test as of snap (the web UI's downloads).
func (s *Session) Result(snap *metrics.Snapshot) *Result {
	run, _ := s.current()
	return s.result(run, snap)
}

// current is the test running or last run (nil before the first start) and its done channel.
func (s *Session) current() (*Run, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.run, s.done
}
