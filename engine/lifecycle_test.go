package engine

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// blockingTest's tasks run until the hard stop, so that a stopping runner stays in drain.
func blockingTest() *fakeTest {
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
	ft.task = func(int) (time.Duration, error) { time.Sleep(20 * time.Millisecond); return time.Hour, nil }
	return ft
}

func TestStopDuringSpawnStaysStopping(t *testing.T) {
	// Stop lands while the spawner is starting a big batch; the spawner must not report
	// "running" afterwards, or the web UI refuses a new test as if the old one still ran.
	r := NewRunner(blockingTest(), Config{Users: 5000, StopTimeout: 2 * time.Second})
	done := make(chan struct{})
	go func() { r.Run(context.Background()); close(done) }()
	waitFor(t, func() bool { return r.State() == StateSpawning })
	r.Stop("test")
	_ = r.Users() // returns once the spawner has let go of its batch
	if s := r.State(); s != StateStopping {
		t.Errorf("state %q after Stop, want %q", s, StateStopping)
	}
	<-done
}

func TestOpenModelReachesRunning(t *testing.T) {
	r := NewRunner(blockingTest(), Config{Users: 10, Rate: 20, StopTimeout: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	waitFor(t, func() bool { return r.State() == StateRunning })
	cancel()
	<-done
	if r.State() != StateStopped {
		t.Errorf("state %q after Run", r.State())
	}
}

// startFailTest's users end in Start, the way a user whose onStart raises StopUser does.
type startFailTest struct{ fakeTest }

type startFailUser struct{ fakeUser }

func (f *startFailTest) NewUser(class, id int) (User, error) {
	return &startFailUser{fakeUser{t: &f.fakeTest, id: id}}, nil
}

func (u *startFailUser) Start(context.Context) error { u.t.starts.Add(1); return ErrStopUser }

func TestUserEndingInStartIsStopped(t *testing.T) {
	// Stop flushes what the user recorded in Start and closes its connections: a user that
	// ends in Start still needs it (Locust runs on_stop after StopUser in on_start).
	for _, open := range []bool{false, true} {
		ft := &startFailTest{fakeTest: fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}}
		cfg := Config{Users: 3, StopTimeout: time.Second, RunTime: 2 * time.Second}
		if open {
			cfg.Rate = 10
		}
		r := NewRunner(ft, cfg)
		r.Run(context.Background())
		if ft.starts.Load() == 0 || ft.starts.Load() != ft.stops.Load() {
			t.Errorf("open=%v: %d users started, %d stopped", open, ft.starts.Load(), ft.stops.Load())
		}
	}
}

func TestWaitingUsersHoldNoGoroutine(t *testing.T) {
	// Closed-model users between tasks wait on a timer, not in a goroutine of their own:
	// 10,000 waiting users would otherwise cost 10,000 stacks. A ramp-down and the stop must
	// still reach them at once, not after their hour-long wait.
	ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
	ft.task = func(int) (time.Duration, error) { return time.Hour, nil }
	before := runtime.NumGoroutine()
	r := NewRunner(ft, Config{Users: 500, StopTimeout: time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	waitFor(t, func() bool { return ft.tasks.Load() == 500 })
	time.Sleep(20 * time.Millisecond) // the last users return from their task
	if n := runtime.NumGoroutine() - before; n > 50 {
		t.Errorf("%d goroutines for 500 waiting users", n)
	}
	r.SetUsers(100, 0)
	waitFor(t, func() bool { return ft.stops.Load() == 400 })
	start := time.Now()
	cancel()
	<-done
	if el := time.Since(start); el > time.Second {
		t.Errorf("stopping waiting users took %v", el)
	}
	if ft.stops.Load() != 500 || ft.tasks.Load() != 500 {
		t.Errorf("%d tasks, %d users stopped; want 500 and 500", ft.tasks.Load(), ft.stops.Load())
	}
}

func TestStopRacesShortWaits(t *testing.T) {
	// Stops landing while users arm their timers: every user must still end exactly once.
	for i := range 20 {
		ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
		ft.task = func(int) (time.Duration, error) { return 50 * time.Microsecond, nil }
		r := NewRunner(ft, Config{Users: 50, StopTimeout: time.Second, RunTime: time.Duration(i+1) * time.Millisecond})
		start := time.Now()
		r.Run(context.Background())
		if el := time.Since(start); el > time.Second {
			t.Fatalf("run %d took %v to stop", i, el)
		}
		if ft.starts.Load() != ft.stops.Load() {
			t.Fatalf("run %d: %d users started, %d stopped", i, ft.starts.Load(), ft.stops.Load())
		}
	}
}
