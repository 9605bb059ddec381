package engine

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPickerFollowsWeights(t *testing.T) {
	p, err := NewPicker([]int{3, 1, 0, 6})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200000
	counts := make([]int, 4)
	for i := 0; i < n; i++ {
		counts[p.Pick()]++
	}
	for i, w := range []float64{0.3, 0.1, 0, 0.6} {
		got := float64(counts[i]) / n
		if math.Abs(got-w) > 0.01 {
			t.Errorf("index %d picked %.3f of the time, want %.1f", i, got, w)
		}
	}
	if counts[2] != 0 {
		t.Errorf("a zero weight was picked %d times", counts[2])
	}
}

func TestPickerRejectsBadWeights(t *testing.T) {
	for _, w := range [][]int{nil, {0, 0}, {1, -1}} {
		if _, err := NewPicker(w); err == nil {
			t.Errorf("NewPicker(%v) accepted", w)
		}
	}
}

func TestWaits(t *testing.T) {
	b := Between{Min: time.Second, Max: 5 * time.Second}
	for i := 0; i < 1000; i++ {
		if d := b.Next(0); d < time.Second || d > 5*time.Second {
			t.Fatalf("between(1,5) gave %v", d)
		}
	}
	tests := []struct {
		name string
		w    Wait
		task time.Duration
		want time.Duration
	}{
		{"constant", Constant(2 * time.Second), time.Second, 2 * time.Second},
		{"pacing rest", ConstantPacing(time.Second), 300 * time.Millisecond, 700 * time.Millisecond},
		{"pacing overrun", ConstantPacing(time.Second), 3 * time.Second, 0},
		{"throughput 4/s", NewConstantThroughput(4), 50 * time.Millisecond, 200 * time.Millisecond},
		{"between equal", Between{Min: time.Second, Max: time.Second}, 0, time.Second},
	}
	for _, tc := range tests {
		if got := tc.w.Next(tc.task); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{
		"30s": 30 * time.Second, "5m": 5 * time.Minute, "1h30m": 90 * time.Minute, "90": 90 * time.Second,
		"0.5": 500 * time.Millisecond, "250ms": 250 * time.Millisecond, "1d": 24 * time.Hour, "1d2h": 26 * time.Hour,
	}
	for in, want := range good {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "5x", "-3s", "-1", "abc", "1dx"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

func TestDistribute(t *testing.T) {
	classes := []UserClass{{Name: "A", Weight: 3}, {Name: "B", Weight: 1}, {Name: "F", FixedCount: 2}}
	tests := []struct {
		n    int
		want []int
	}{
		{0, []int{0, 0, 0}},
		{1, []int{0, 0, 1}},
		{2, []int{0, 0, 2}},
		{6, []int{3, 1, 2}},
		{7, []int{4, 1, 2}},
		{102, []int{75, 25, 2}},
	}
	for _, tc := range tests {
		got := distribute(classes, tc.n)
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("distribute(%d) = %v, want %v", tc.n, got, tc.want)
				break
			}
		}
	}
}

// fakeTest is a Go-only Test: each task sleeps a little and counts.
type fakeTest struct {
	classes []UserClass
	tasks   atomic.Int64
	starts  atomic.Int64
	stops   atomic.Int64
	task    func(id int) (time.Duration, error)
}

type fakeUser struct {
	t  *fakeTest
	id int
}

func (f *fakeTest) Classes() []UserClass { return f.classes }
func (f *fakeTest) NewUser(class, id int) (User, error) {
	return &fakeUser{t: f, id: id}, nil
}
func (u *fakeUser) Start(context.Context) error { u.t.starts.Add(1); return nil }
func (u *fakeUser) Step(ctx context.Context) (time.Duration, error) {
	u.t.tasks.Add(1)
	if u.t.task != nil {
		return u.t.task(u.id)
	}
	return time.Millisecond, nil
}
func (u *fakeUser) Stop(context.Context) { u.t.stops.Add(1) }
func (u *fakeUser) Interrupt()           {}

func TestRunnerIterationsExact(t *testing.T) {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
	ft.task = func(int) (time.Duration, error) { return 0, nil }
	r := NewRunner(ft, Config{Users: 7, SpawnRate: 0, Iterations: 500, StopTimeout: time.Second})
	r.Run(context.Background())
	if got := ft.tasks.Load(); got != 500 {
		t.Fatalf("ran %d tasks, want exactly 500", got)
	}
	if r.Reason() != "iterations reached" {
		t.Errorf("reason %q", r.Reason())
	}
	if ft.starts.Load() != ft.stops.Load() {
		t.Errorf("%d users started, %d stopped", ft.starts.Load(), ft.stops.Load())
	}
}

func TestRunnerRunTimeAndSpawnRate(t *testing.T) {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}, {Name: "B", Weight: 1}}}
	r := NewRunner(ft, Config{Users: 10, SpawnRate: 20, RunTime: 300 * time.Millisecond, StopTimeout: time.Second})
	var mid int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(150 * time.Millisecond)
		mid = r.Users()
	}()
	start := time.Now()
	r.Run(context.Background())
	wg.Wait()
	if el := time.Since(start); el < 300*time.Millisecond || el > 2*time.Second {
		t.Errorf("run took %v for a 300ms run time", el)
	}
	if mid < 2 || mid > 6 {
		t.Errorf("after 150ms at 20 users/s, %d users ran; want about 4", mid)
	}
	if r.State() != StateStopped || r.Users() != 0 && r.Reason() != "run time reached" {
		t.Errorf("state %s reason %q", r.State(), r.Reason())
	}
}

func TestRunnerStopTestAndStopUser(t *testing.T) {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
	ft.task = func(id int) (time.Duration, error) {
		if id == 1 {
			return 0, ErrStopUser
		}
		if ft.tasks.Load() > 50 {
			return 0, ErrStopTest
		}
		return time.Millisecond, nil
	}
	r := NewRunner(ft, Config{Users: 3, StopTimeout: time.Second, RunTime: 10 * time.Second})
	start := time.Now()
	r.Run(context.Background())
	if time.Since(start) > 5*time.Second {
		t.Fatal("StopTest did not stop the run")
	}
	if r.Reason() != "StopTest raised by a user" {
		t.Errorf("reason %q", r.Reason())
	}
}

func TestRunnerRampDownStopsGracefully(t *testing.T) {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
	r := NewRunner(ft, Config{Users: 8, StopTimeout: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	waitFor(t, func() bool { return r.Users() == 8 })
	r.SetUsers(3, 0)
	waitFor(t, func() bool { return r.Users() == 3 && ft.stops.Load() == 5 })
	cancel()
	<-done
	if ft.stops.Load() != 8 {
		t.Errorf("%d users ran onStop, want 8", ft.stops.Load())
	}
}

func TestRunnerStopTimeoutInterrupts(t *testing.T) {
	block := make(chan struct{})
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
	ft.task = func(int) (time.Duration, error) { <-block; return 0, nil }
	r := NewRunner(ft, Config{Users: 1, StopTimeout: 100 * time.Millisecond, RunTime: 50 * time.Millisecond})
	start := time.Now()
	r.Run(context.Background())
	close(block)
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("a stuck task held the stop for %v", el)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 3s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// OnSpawned fires when a ramp-up reaches its count, with every user started, and again when
// an edit's ramp completes; not while users are still being started.
func TestRunnerOnSpawnedAtTheEndOfEachRamp(t *testing.T) {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
	var calls atomic.Int64
	var usersAtFirst atomic.Int64
	var r *Runner
	r = NewRunner(ft, Config{Users: 6, SpawnRate: 60, StopTimeout: time.Second, OnSpawned: func() {
		if calls.Add(1) == 1 {
			usersAtFirst.Store(int64(r.Users()))
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	waitFor(t, func() bool { return calls.Load() == 1 })
	if usersAtFirst.Load() != 6 {
		t.Errorf("OnSpawned came with %d users of 6", usersAtFirst.Load())
	}
	r.SetUsers(9, 0)
	waitFor(t, func() bool { return calls.Load() == 2 })
	cancel()
	<-done
	if calls.Load() != 2 {
		t.Errorf("OnSpawned called %d times for two ramps", calls.Load())
	}
}
