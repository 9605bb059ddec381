package engine

import (
	"math/rand/v2"
	"time"
)

// Wait computes the pause after a task (Locust's wait_time). taskTime is how long the task
// that just ended took, which the pacing waits subtract.
type Wait interface {
	Next(taskTime time.Duration) time.Duration
}

// Between waits a uniformly random time in [Min, Max] (Locust's between).
type Between struct{ Min, Max time.Duration }

// Next implements Wait.
func (b Between) Next(time.Duration) time.Duration {
	if b.Max <= b.Min {
		return b.Min
	}
	return b.Min + time.Duration(rand.Int64N(int64(b.Max-b.Min)+1))
}

// Constant always waits the same time (Locust's constant).
type Constant time.Duration

// Next implements Wait.
func (c Constant) Next(time.Duration) time.Duration { return time.Duration(c) }

// ConstantPacing makes each task-plus-wait last Period (Locust's constant_pacing): the wait is
// what remains of the period after the task, never negative.
type ConstantPacing time.Duration

// Next implements Wait.
func (p ConstantPacing) Next(taskTime time.Duration) time.Duration {
	if rest := time.Duration(p) - taskTime; rest > 0 {
		return rest
	}
	return 0
}

// NewConstantThroughput paces a user to n tasks per second (Locust's constant_throughput).
func NewConstantThroughput(n float64) ConstantPacing {
	if n <= 0 {
		return 0
	}
	return ConstantPacing(time.Duration(float64(time.Second) / n))
}
