package engine

import (
	"fmt"
	"slices"
	"time"
)

// Load is the load a shape asks for at one moment.
type Load struct {
	Users     int      // closed model: users to reach; open model: the most users the pool may hold (0 keeps the current cap)
	SpawnRate float64  // closed model: users started or stopped per second; <= 0 means all at once
	Rate      float64  // open model: task executions started per second
	Classes   []string // User classes allowed to run; empty means all (Locust's user_classes)
}

func (l Load) equal(o Load) bool {
	return l.Users == o.Users && l.SpawnRate == o.SpawnRate && l.Rate == o.Rate && slices.Equal(l.Classes, o.Classes)
}

// Shape is a load profile over time (Locust's LoadTestShape). The runner calls Tick from one
// goroutine only, every 100 ms (shapeInterval), so an implementation needs no locking.
type Shape interface {
	// Tick returns the load wanted runTime after the start, with users running now; ok false
	// ends the test.
	Tick(runTime time.Duration, users int) (l Load, ok bool)
}

// shapeInterval is how often a Shape is consulted: sub-second, so that ramps look smooth.
const shapeInterval = 100 * time.Millisecond

// Stage is one step of a declarative profile (options.stages).
type Stage struct {
	Duration  time.Duration
	Users     int
	SpawnRate float64
	Rate      float64 // > 0 makes the stage open-model
}

// Stages is a Shape that holds each stage's load for its duration and ends after the last.
type Stages []Stage

// Tick implements Shape.
func (s Stages) Tick(runTime time.Duration, _ int) (Load, bool) {
	var end time.Duration
	for _, st := range s {
		end += st.Duration
		if runTime < end {
			return Load{Users: st.Users, SpawnRate: st.SpawnRate, Rate: st.Rate}, true
		}
	}
	return Load{}, false
}

// Total is the sum of the stage durations.
func (s Stages) Total() time.Duration {
	var d time.Duration
	for _, st := range s {
		d += st.Duration
	}
	return d
}

// Open reports whether the profile is open-model: some stage has a rate. Then every stage's
// rate applies (0 pauses arrivals) and users caps the pool.
func (s Stages) Open() bool {
	return slices.ContainsFunc(s, func(st Stage) bool { return st.Rate > 0 })
}

// Check rejects a profile no run can follow: empty, or with a non-positive duration or a
// negative value.
func (s Stages) Check() error {
	if len(s) == 0 {
		return fmt.Errorf("stages: the list is empty")
	}
	for i, st := range s {
		switch {
		case st.Duration <= 0:
			return fmt.Errorf("stages[%d]: duration must be positive", i)
		case st.Users < 0 || st.SpawnRate < 0 || st.Rate < 0:
			return fmt.Errorf("stages[%d]: users, spawnRate and rate must be >= 0", i)
		}
	}
	return nil
}
