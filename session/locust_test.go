package session

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gustload/gust/capacity"
	"github.com/gustload/gust/engine"
)

// --reset-stats: the requests of the ramp-up are served but not in the result; without it they
// are.
func TestResetStatsLeavesTheRampOut(t *testing.T) {
	for _, reset := range []bool{false, true} {
		ts, served := target(t)
		test, stats := loadTest(t, looping, ts.URL)
		var out syncWriter
		s := New(test, stats, Config{Users: 4, SpawnRate: 8, RunTime: 800 * time.Millisecond, StopTimeout: time.Second,
			ResetStats: reset, Out: &out, Log: io.Discard})
		res, err := s.Run(nil)
		if err != nil {
			t.Fatal(err)
		}
		got, sent := res.Snapshot.Total.Requests, served.Load()
		said := strings.Contains(out.String(), "statistics reset")
		switch {
		case !reset && (got != sent || said):
			t.Errorf("without --reset-stats: %d requests recorded, %d served (want equal); said %q", got, sent, out.String())
		case reset && (got == 0 || sent-got < 5 || !said):
			// The first user alone sends dozens of requests in the 0.4 s ramp.
			t.Errorf("with --reset-stats: %d recorded of %d served; want the ramp's left out; said %q", got, sent, out.String())
		}
	}
}

// --autoquit N: Serve returns N after the test ends, not at once (as --autostart with a run
// time alone does) and not never.
func TestAutoQuitAfterTheTestEnds(t *testing.T) {
	ts, _ := target(t)
	test, stats := loadTest(t, looping, ts.URL)
	var out syncWriter
	s := New(test, stats, Config{Users: 1, SpawnRate: 10, RunTime: 300 * time.Millisecond, StopTimeout: time.Second,
		Autostart: true, AutoQuit: true, AutoQuitAfter: 700 * time.Millisecond, Out: &out, Log: io.Discard})
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := s.Serve(ctx, listen(t), http.NotFoundHandler())
	el := time.Since(start)
	if err != nil || res == nil || !res.Started || res.Run.StopReason != "run time reached" {
		t.Fatalf("result %+v, err %v", res, err)
	}
	if el < time.Second || el > 10*time.Second {
		t.Errorf("Serve returned %v after the start: want the 0.3 s test + the 0.7 s autoquit", el)
	}
	if !strings.Contains(out.String(), "quitting in 700ms") {
		t.Errorf("output %q does not announce the autoquit", out.String())
	}
}

// syncWriter is a buffer safe for the session's goroutines.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// A capacity search sets the rate itself: a script's load profile is refused before anything
// is sent.
func TestFindCapacityRefusesAShape(t *testing.T) {
	ts, served := target(t)
	test, stats := loadTest(t, looping, ts.URL)
	s := New(test, stats, Config{Users: 1, StopTimeout: time.Second, FindCapacity: &capacity.Options{},
		Shape: engine.Stages{{Duration: time.Second, Rate: 5}}, Out: io.Discard, Log: io.Discard})
	if _, err := s.Run(nil); err == nil || !strings.Contains(err.Error(), "cannot follow options.stages") {
		t.Errorf("err %v", err)
	}
	if served.Load() != 0 {
		t.Errorf("%d requests sent", served.Load())
	}
}
