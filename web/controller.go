package web

import (
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/session"
)

// Controller is the load test the web UI drives (*session.Session implements it). The server
// calls it from many goroutines at once, so every method must be safe for concurrent use.
type Controller interface {
	// Start begins a new test with fresh statistics. host "" keeps the current host; runTime 0
	// means until stopped. An error wrapping session.ErrBusy means a test is still running or
	// stopping; any other error is about a value and is shown to the user as it is.
	Start(users int, rate float64, host string, runTime time.Duration) error
	// Edit changes the number of users of the running test and the rate to get there.
	Edit(users int, rate float64) error
	// Stop stops the running test gracefully; it does nothing when none runs.
	Stop()
	// Reset clears the statistics (Locust's "Reset stats").
	Reset()
	// State is where the test is: ready, spawning, running, stopping, stopped.
	State() engine.State
	// Users is the number of users running now.
	Users() int
	// ClassCounts is the number of running users per User class name.
	ClassCounts() map[string]int
	// Classes describes the User classes of the test, with their tasks.
	Classes() []session.Class
	// Host is the base URL the test targets.
	Host() string
	// Snapshot is a copy of the statistics now.
	Snapshot() *metrics.Snapshot
	// CurrentPercentiles are the response-time percentiles (0-100) of the last seconds.
	CurrentPercentiles(ps ...float64) []time.Duration
	// History is the Aggregated statistics over time, oldest first (/stats/history).
	History() []metrics.HistoryRow
	// Result is the result of the current test as of snap: what the JSON result and the HTML
	// report carry beside the statistics (how the test ran, threshold verdicts, ...).
	Result(snap *metrics.Snapshot) *session.Result
}
