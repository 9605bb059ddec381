package session

import (
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// Output is where a run's results go: the console summary, the CSV set, the HTML report, the
// JSON result, the live console in cmd/gust, and later Prometheus or InfluxDB. A new output
// is one file that implements Output and one line where cmd/gust builds Config.Outputs.
//
// A Session calls Start as each test starts (the web UI starts several in one process),
// Snapshot every interval Start asked for while the test runs, and Stop once the test has
// stopped, with the final result, whatever stopped it (run time, -i, StopTest, a signal, the
// web UI's Stop, the memory limit). Calls to one output never overlap.
type Output interface {
	// Start is told that a test starts; it returns how often it wants Snapshot (0: never).
	Start(run *Run) (every time.Duration, err error)
	// Snapshot is the periodic look at the running test; run.Stats has its statistics.
	Snapshot(run *Run)
	// Stop receives the final result of the test that stopped. An error (a report that could
	// not be written) makes the run's exit code 2.
	Stop(res *Result) error
}

// Run is one test of a session, as outputs see it while it runs.
type Run struct {
	// Config is the settings the test runs with (users, rate, run time and host as the web
	// UI's form set them).
	Config Config
	// Stats are the live statistics.
	Stats  *metrics.Stats
	runner *engine.Runner
}

// State is where the test is (ready, spawning, running, stopping, stopped).
func (r *Run) State() engine.State { return r.runner.State() }

// Users is the number of users running now.
func (r *Run) Users() int { return r.runner.Users() }

// Target is the number of users the test is heading for.
func (r *Run) Target() int { return r.runner.Target() }

// Iterations is the number of task executions done.
func (r *Run) Iterations() int64 { return r.runner.Iterations() }

// Started is when the test began spawning (zero before).
func (r *Run) Started() time.Time { return r.runner.Started() }
