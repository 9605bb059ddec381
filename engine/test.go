// Package engine schedules virtual users: it spawns and stops them, runs their tasks in a loop
// with waits, enforces run time and iteration limits, and stops gracefully. It knows nothing of
// JavaScript: a Test (implemented by package js) builds the users.
package engine

import (
	"context"
	"errors"
	"time"
)

// UserClass describes one kind of simulated user (an exported HttpUser class).
type UserClass struct {
	Name       string
	Weight     int // share of the users not claimed by FixedCount
	FixedCount int // exact number of users of this class, filled first; 0 means none
}

// Test builds the users of one load test.
type Test interface {
	// Classes lists the user classes taking part.
	Classes() []UserClass
	// NewUser builds user number id of class Classes()[class]. The engine calls the User's
	// methods one at a time, each after the previous one has returned (Interrupt aside), but
	// not always on the same goroutine: a waiting user is resumed on another one.
	NewUser(class, id int) (User, error)
}

// User is one virtual user.
type User interface {
	// Start runs once before the first task (Locust's on_start).
	Start(ctx context.Context) error
	// Step runs one task and returns how long to wait before the next. It returns ErrStopUser
	// or ErrStopTest (possibly wrapped) for flow control; other errors stop this user.
	Step(ctx context.Context) (wait time.Duration, err error)
	// Stop runs once when the user stops gracefully (Locust's on_stop) and releases resources.
	Stop(ctx context.Context)
	// Interrupt aborts whatever the user is doing; it is the only method safe to call from
	// another goroutine, and is used when the stop timeout runs out.
	Interrupt()
}

// Flow-control errors a User may return from Start or Step.
var (
	// ErrStopUser stops this user only (Locust's StopUser).
	ErrStopUser = errors.New("stop user")
	// ErrStopTest stops the whole test gracefully (Locust's StopTest).
	ErrStopTest = errors.New("stop test")
)

// StopTestReason is a StopTest that says why (StopTest("msg") in a script): the message becomes
// the test's stop reason. It matches ErrStopTest under errors.Is.
type StopTestReason string

func (r StopTestReason) Error() string { return "stop test: " + string(r) }

// Is makes errors.Is(r, ErrStopTest) hold.
func (r StopTestReason) Is(target error) bool { return target == ErrStopTest }
