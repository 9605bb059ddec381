package capacity

import (
	"fmt"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/spf13/pflag"
)

// Settings are the --find-capacity flags of `gust run`.
type Settings struct {
	On     bool          // --find-capacity
	Factor float64       // --capacity-factor
	Step   time.Duration // --capacity-step
}

// Register adds the flags to fs, with their defaults.
func (s *Settings) Register(fs *pflag.FlagSet) {
	fs.BoolVar(&s.On, "find-capacity", false, "find the highest rate within the thresholds")
	fs.Float64Var(&s.Factor, "capacity-factor", DefaultFactor, "--find-capacity: rate factor per step")
	s.Step = DefaultStep
	fs.Var(stepFlag{&s.Step}, "capacity-step", "--find-capacity: how long each rate runs")
}

// stepFlag is --capacity-step: Locust's durations ("10s", "1m", "30").
type stepFlag struct{ d *time.Duration }

func (f stepFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}
func (f stepFlag) Type() string { return "duration" }
func (f stepFlag) Set(v string) error {
	d, err := engine.ParseDuration(v)
	if err == nil {
		*f.d = d
	}
	return err
}

// Run is what else of a run the search depends on.
type Run struct {
	Headless   bool
	Iterations int64
	Segment    string  // --segment
	Rate       float64 // --rate: where the search starts
	Thresholds []metrics.Threshold
}

// Options are the search's options for run, nil when it is off; an error names the setting
// that does not go with it.
func (s Settings) Options(run Run) (*Options, error) {
	if !s.On {
		return nil, nil
	}
	switch {
	case !run.Headless:
		return nil, fmt.Errorf("--find-capacity runs headless: add --headless")
	case run.Iterations > 0:
		return nil, fmt.Errorf("bad --iterations %d with --find-capacity: the search decides when to stop", run.Iterations)
	case run.Segment != "":
		return nil, fmt.Errorf("bad --segment %s with --find-capacity: the search runs on one machine", run.Segment)
	}
	o := Options{Start: run.Rate, Factor: s.Factor, Step: s.Step, Thresholds: run.Thresholds}
	if err := Check(o); err != nil {
		return nil, err
	}
	o.Thresholds = nil // the session gives the search its thresholds, users and statistics
	return &o, nil
}
