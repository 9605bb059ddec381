package web

import (
	"errors"
	"time"

	"github.com/gustload/gust/metrics"
)

// Controller is the load test the web UI drives. The server calls it from many goroutines at
// once, so every method must be safe for concurrent use.
type Controller interface {
	// Start begins a new test with fresh statistics. host "" keeps the current host; runTime 0
	// means until stopped. An error wrapping ErrBusy means a test is still running or stopping;
	// any other error is about a value and is shown to the user as it is.
	Start(users int, rate float64, host string, runTime time.Duration) error
	// Edit changes the number of users of the running test and the rate to get there.
	Edit(users int, rate float64) error
	// Stop stops the running test gracefully; it does nothing when none runs.
	Stop()
	// Reset clears the statistics (Locust's "Reset stats").
	Reset()
	// State is Locust's word for where the test is: ready, spawning, running, stopping, stopped.
	State() string
	// Users is the number of users running now.
	Users() int
	// ClassCounts is the number of running users per User class name.
	ClassCounts() map[string]int
	// Classes describes the User classes of the test, with their tasks.
	Classes() []Class
	// Host is the base URL the test targets.
	Host() string
	// Snapshot is a copy of the statistics now.
	Snapshot() *metrics.Snapshot
	// CurrentPercentiles are the response-time percentiles (0-100) of the last seconds.
	CurrentPercentiles(ps ...float64) []time.Duration
	// Result is the extra top-level keys of the JSON result download of snap (how the test
	// ran, threshold verdicts, ...).
	Result(snap *metrics.Snapshot) map[string]any
}

// ErrBusy is wrapped by Controller.Start when a test is still running or stopping.
var ErrBusy = errors.New("a test is still running")

// Class is one User class as the Current ratio tab shows it.
type Class struct {
	Name       string
	Weight     int
	FixedCount int
	Tasks      []Task
}

// Task is one task of a class with its share of the class's picks; a TaskSet has its own tasks.
type Task struct {
	Name  string
	Ratio float64
	Tasks []Task
}
