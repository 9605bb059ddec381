package engine

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func sleepTask(d time.Duration) func(int) (time.Duration, error) {
	// The returned wait is long on purpose: the open model must ignore it.
	return func(int) (time.Duration, error) { time.Sleep(d); return time.Hour, nil }
}

// TestOpenModelDeliversTheRate runs the open model in real time. The schedule itself is
// checked exactly on a fake clock (pacer_test.go); here the tolerances are what a busy
// machine honestly allows: the pacer never hands out more than the schedule, but may be cut
// short at the run time's end (up to 10% missing) or find no user back in time (a drop).
func TestOpenModelDeliversTheRate(t *testing.T) {
	tests := []struct {
		name       string
		rate       float64
		users      int
		task       time.Duration
		run        time.Duration
		want       int64
		iterations int64
		reason     string
	}{
		{name: "rate 200 for 1s, 20ms tasks", rate: 200, users: 50, task: 20 * time.Millisecond, run: time.Second, want: 200, reason: "run time reached"},
		{name: "iterations cap the arrivals", rate: 500, users: 20, task: time.Millisecond, run: 10 * time.Second, want: 30, iterations: 30, reason: "iterations reached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}, task: sleepTask(tc.task)}
			r := NewRunner(ft, Config{Users: tc.users, Rate: tc.rate, RunTime: tc.run, Iterations: tc.iterations, StopTimeout: 2 * time.Second})
			start := time.Now()
			r.Run(context.Background())
			got, dropped := ft.tasks.Load(), r.Dropped()
			if got > tc.want || got+dropped > tc.want {
				t.Errorf("ran %d tasks and dropped %d: more than the schedule's %d", got, dropped, tc.want)
			}
			// An arrival a busy machine's user was not back in time for, or that the pacer was
			// woken too late for, is dropped, not lost: the schedule holds exactly, most of it run.
			if got+dropped != tc.want || got < tc.want/2 {
				t.Errorf("ran %d tasks and dropped %d, want all %d arrivals run or dropped, most of them run", got, dropped, tc.want)
			}
			if tc.iterations > 0 && got != tc.iterations {
				t.Errorf("ran %d tasks with -i %d", got, tc.iterations)
			}
			if r.Reason() != tc.reason {
				t.Errorf("reason %q, want %q", r.Reason(), tc.reason)
			}
			if r.Iterations() != got {
				t.Errorf("Iterations() = %d, tasks %d", r.Iterations(), got)
			}
			if el := time.Since(start); el > tc.run+3*time.Second {
				t.Errorf("took %v", el)
			}
			if ft.starts.Load() != ft.stops.Load() {
				t.Errorf("%d users started, %d stopped", ft.starts.Load(), ft.stops.Load())
			}
		})
	}
}

func TestOpenModelCountsDrops(t *testing.T) {
	// Two users busy 200 ms each can take 10 of the 50 arrivals in 500 ms; the other 40 are
	// dropped, not queued.
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}, task: sleepTask(200 * time.Millisecond)}
	var reported atomic.Int64
	r := NewRunner(ft, Config{Users: 2, Rate: 100, RunTime: 500 * time.Millisecond, StopTimeout: time.Second,
		OnDrop: func(n int64) { reported.Add(n) }})
	r.Run(context.Background())
	ran, dropped := ft.tasks.Load(), r.Dropped()
	// Every arrival of the schedule is run or dropped, however late a busy machine woke the
	// pacer: those still owed at the end count as dropped (Runner.missed).
	if ran+dropped != 50 {
		t.Errorf("ran %d + dropped %d = %d arrivals, want 50", ran, dropped, ran+dropped)
	}
	if ran < 4 || ran > 8 {
		t.Errorf("ran %d tasks on 2 users busy 200ms over 500ms, want about 6", ran)
	}
	if r.Users() != 0 || ft.starts.Load() > 2 {
		t.Errorf("the pool grew to %d users past its cap of 2", ft.starts.Load())
	}
}

func TestOpenModelPoolGrowsOnDemand(t *testing.T) {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}, task: sleepTask(50 * time.Millisecond)}
	r := NewRunner(ft, Config{Users: 1000, Rate: 100, RunTime: 600 * time.Millisecond, StopTimeout: time.Second})
	r.Run(context.Background())
	// 100/s for 50 ms tasks keeps about 5 busy; the pool keeps a few spare, far below the cap.
	if n := ft.starts.Load(); n < 5 || n > 40 {
		t.Errorf("pool of %d users for 5 busy", n)
	}
	// Every arrival of the schedule (one at 0, then every 10 ms until 600 ms) found a user, or
	// was dropped: a pacer that a busy machine starved hands out a burst at once (see
	// TestPacerCatchesUpAfterALateWakeUp), which may outrun the 5 spare users; a pool that
	// does not grow on demand drops far more. Arrivals still owed when the run ends count as
	// dropped (Runner.missed); a late pacer's burst may outrun the spare users by a few.
	if ran, dropped := ft.tasks.Load(), r.Dropped(); ran+dropped != 60 || dropped > 8 {
		t.Errorf("ran %d and dropped %d of the 60 arrivals", ran, dropped)
	}
}

func TestArrivalSchedule(t *testing.T) {
	var a arrivals
	t0 := time.Unix(1000, 0)
	a.start(t0, 0, 10)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	checks := []struct {
		t    time.Duration
		want int64
	}{{0, 1}, {99 * time.Millisecond, 1}, {100 * time.Millisecond, 2}, {time.Second - 1, 10}}
	for _, c := range checks {
		if got := a.owed(at(c.t)); got != c.want {
			t.Errorf("owed(%v) = %d, want %d", c.t, got, c.want)
		}
	}
	// Doubling the rate at 1 s: 10 arrivals were due, then one every 50 ms.
	a.setRate(at(time.Second), 20)
	if got := a.owed(at(time.Second + 500*time.Millisecond)); got != 21 {
		t.Errorf("owed after the change = %d, want 21", got)
	}
	if due, ok := a.dueAt(22); !ok || !due.Equal(at(time.Second+550*time.Millisecond)) {
		t.Errorf("dueAt(22) = %v, %v", due.Sub(t0), ok)
	}
	a.setRate(at(2*time.Second), 0)
	if _, ok := a.dueAt(100); ok {
		t.Error("a zero rate has a next arrival")
	}
	if got := a.owed(at(time.Hour)); got != 31 {
		t.Errorf("owed while paused = %d, want 31", got)
	}
}

func TestStagesDriveTheUsers(t *testing.T) {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
	ft.task = func(int) (time.Duration, error) { return 5 * time.Millisecond, nil }
	stages := Stages{{Duration: 300 * time.Millisecond, Users: 2}, {Duration: 300 * time.Millisecond, Users: 6}, {Duration: 300 * time.Millisecond, Users: 1}}
	r := NewRunner(ft, Config{Users: 99, Shape: stages, StopTimeout: time.Second})
	var seen []int
	done := make(chan struct{})
	go func() { r.Run(context.Background()); close(done) }()
	waitFor(t, func() bool { return !r.Started().IsZero() })
	for _, at := range []time.Duration{200, 500, 800} {
		time.Sleep(at*time.Millisecond - time.Since(r.Started()))
		seen = append(seen, r.Users())
	}
	<-done
	if seen[0] != 2 || seen[1] != 6 || seen[2] != 1 {
		t.Errorf("users at 200/500/800 ms = %v, want [2 6 1]", seen)
	}
	if r.Reason() != "load shape ended" {
		t.Errorf("reason %q", r.Reason())
	}
	if el := time.Since(r.Started()); el > 2*time.Second {
		t.Errorf("a 900 ms plan ran %v", el)
	}
	if ft.stops.Load() != ft.starts.Load() {
		t.Errorf("%d users started, %d ran onStop", ft.starts.Load(), ft.stops.Load())
	}
}

func TestRateStages(t *testing.T) {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}, task: sleepTask(time.Millisecond)}
	stages := Stages{{Duration: 500 * time.Millisecond, Rate: 100}, {Duration: 500 * time.Millisecond, Rate: 300}}
	if !stages.Open() {
		t.Fatal("rate stages are not open-model")
	}
	r := NewRunner(ft, Config{Users: 50, Open: true, Shape: stages, StopTimeout: time.Second})
	r.Run(context.Background())
	// 50 + 150 arrivals: the switch applies from its tick's time and the stages' end is known,
	// however late the goroutines run. An arrival is a task, or a drop when a busy machine
	// had no user back in time (the pool itself: TestOpenModelPoolGrowsOnDemand). A tick the
	// shape's goroutine missed altogether (over 100 ms late) would cost 30.
	if got := ft.tasks.Load() + r.Dropped(); got < 195 || got > 200 {
		t.Errorf("%d arrivals (%d tasks, %d dropped), want 200", got, ft.tasks.Load(), r.Dropped())
	}
}

// funcShape adapts a function to Shape.
type funcShape func(time.Duration, int) (Load, bool)

func (f funcShape) Tick(d time.Duration, n int) (Load, bool) { return f(d, n) }

func TestShapeUserClasses(t *testing.T) {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}, {Name: "B", Weight: 1}}}
	shape := funcShape(func(d time.Duration, _ int) (Load, bool) {
		switch {
		case d < 300*time.Millisecond:
			return Load{Users: 4, Classes: []string{"B"}}, true
		case d < 600*time.Millisecond:
			return Load{Users: 4}, true
		}
		return Load{}, false
	})
	r := NewRunner(ft, Config{Shape: shape, StopTimeout: time.Second})
	done := make(chan struct{})
	go func() { r.Run(context.Background()); close(done) }()
	waitFor(t, func() bool { return !r.Started().IsZero() })
	time.Sleep(200 * time.Millisecond)
	first := r.ClassCounts()
	time.Sleep(300 * time.Millisecond)
	second := r.ClassCounts()
	<-done
	if first[0] != 0 || first[1] != 4 {
		t.Errorf("with userClasses [B]: counts %v, want [0 4]", first)
	}
	if second[0] != 2 || second[1] != 2 {
		t.Errorf("with every class: counts %v, want [2 2]", second)
	}
}

func TestStagesCheck(t *testing.T) {
	bad := []Stages{nil, {{Duration: 0, Users: 1}}, {{Duration: time.Second, Users: -1}}}
	for _, s := range bad {
		if s.Check() == nil {
			t.Errorf("%v accepted", s)
		}
	}
	if err := (Stages{{Duration: time.Second, Users: 3, SpawnRate: 1}}).Check(); err != nil {
		t.Error(err)
	}
}
