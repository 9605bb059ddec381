package engine

import (
	"context"
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
