package engine

import (
	"context"
	"testing"
	"time"
)

// plainTest's users keep unsynchronised state, as a JavaScript runtime does: the engine must
// order every call to a user's methods even though a waiting user is resumed on another
// goroutine (its timer's, or wake's when it is stopped). Run with -race (.ci/run does).
type plainTest struct{ fakeTest }

type plainUser struct{ steps, stops int }

func (p *plainTest) NewUser(int, int) (User, error) { return &plainUser{}, nil }
func (u *plainUser) Start(context.Context) error    { u.steps = 0; return nil }
func (u *plainUser) Step(context.Context) (time.Duration, error) {
	u.steps++
	return time.Millisecond, nil
}
func (u *plainUser) Stop(context.Context) { u.stops = u.steps }
func (u *plainUser) Interrupt()           {}

func TestWaitingUsersAreHandedOverInOrder(t *testing.T) {
	pt := &plainTest{fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}}
	r := NewRunner(pt, Config{Users: 20, SpawnRate: 0, StopTimeout: time.Second})
	done := make(chan struct{})
	go func() { r.Run(context.Background()); close(done) }()
	waitFor(t, func() bool { return r.Users() == 20 })
	// Stopping users wakes them from their wait on the spawner's goroutine.
	for _, n := range []int{10, 15, 2} {
		r.SetUsers(n, 0)
		waitFor(t, func() bool { return r.Users() == n })
	}
	r.Stop("test")
	<-done
}
