// Package capacity finds the highest arrival rate a service sustains within its thresholds
// (gust run --find-capacity): the open model's rate steps up by a factor until a threshold
// breaks, then bisects between the last rate that held and the first that broke, and the rate
// found runs once more (confirming it) so that the run's statistics are those of the service
// at its capacity.
//
// The search is an engine.Shape: one test, one pool of users, the rate changed as the steps
// go. Each step's first fifth settles (the pool grows, queues fill) and is not judged; the
// statistics are reset when the judged part begins. After a step that broke, the rate drops
// to 0 until the requests in flight have come back, so that one step's backlog does not
// spill into the next and break it too.
package capacity

import (
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// Defaults of Options.
const (
	DefaultStart     = 10.0
	DefaultFactor    = 2.0
	DefaultStep      = 10 * time.Second
	DefaultPrecision = 0.05
	// maxSteps bounds a search whose service never breaks or breaks at any rate.
	maxSteps = 24
	// droppedShare is the share of a step's arrivals that may find every user busy (and be
	// dropped): past it the rate was not really offered, and the step broke.
	droppedShare = 0.01
	// maxRechecks bounds the ramp's breaks that run again before they count.
	maxRechecks = 2
	// quiet is how long no request may complete for a cool-down to end.
	quiet = 300 * time.Millisecond
)

// Options configure a search.
type Options struct {
	Start     float64       // the first rate, task executions per second (default 10)
	Factor    float64       // after a step that held, the rate is multiplied by this (default 2)
	Step      time.Duration // how long each rate runs (default 10s); its first fifth is not judged
	Precision float64       // bisect until the bracket is within this share of the rate that broke (default 5%)
	Users     int           // the most users the pool may hold (-u)
	// Thresholds decide whether a step held; at least one is needed.
	Thresholds []metrics.Threshold
	// Stats are the users' statistics, which the search reads and resets at each step.
	Stats *metrics.Stats
	// Log hears one line per step; nil hears nothing.
	Log io.Writer
}

// Step is one rate tried, as the JSON result records it.
type Step struct {
	Phase       string   `json:"phase"` // "ramp", "recheck" (a ramp step that broke, again), "bisect" or "confirm"
	Rate        float64  `json:"rate"`  // task executions started per second, as asked
	StartS      float64  `json:"start_s"`
	DurationS   float64  `json:"duration_s"` // the judged part
	Requests    int64    `json:"requests"`
	RPS         float64  `json:"rps"`          // requests completed per second
	Iterations  float64  `json:"iterations_s"` // task executions completed per second
	P50Ms       float64  `json:"p50_ms"`
	P95Ms       float64  `json:"p95_ms"`
	P99Ms       float64  `json:"p99_ms"`
	FailRatio   float64  `json:"fail_ratio"`
	Held        bool     `json:"held"`
	Broken      []string `json:"broken"` // the thresholds crossed, and "rate not reached ..." when arrivals were dropped
	measureFrom time.Duration
}

// Result is the outcome of a search: the JSON result's "capacity" object.
type Result struct {
	// Rate is the highest rate that held below the lowest that broke; 0 when none did.
	Rate float64 `json:"rate"`
	// Confirmed says Rate held a second time, in the final step.
	Confirmed bool `json:"confirmed"`
	// BrokeAt is the lowest rate that broke (0: none broke), and Limit what broke there: the
	// limiting thresholds.
	BrokeAt float64 `json:"broke_at"`
	Limit   string  `json:"limit"`
	// Complete is false when the run ended (run time, a signal) before the search did.
	Complete   bool     `json:"complete"`
	Thresholds []string `json:"thresholds"`
	Start      float64  `json:"start"`
	Factor     float64  `json:"factor"`
	StepS      float64  `json:"step_s"`
	Users      int      `json:"users"`
	Steps      []Step   `json:"steps"`
}

type phase int

const (
	settling phase = iota
	measuring
	cooling
	finished
)

// Search is the capacity search, driving a test as its engine.Shape.
type Search struct {
	o      Options
	settle time.Duration

	// The runner calls Tick from one goroutine at a time; mu guards res against Result.
	mu  sync.Mutex
	res Result

	begun      bool
	ph         phase
	phaseAt    time.Duration
	rate       float64
	kind       string  // the phase of the step running: ramp, bisect, confirm
	lo, hi     float64 // the highest rate that held, the lowest that broke (0: none yet)
	rechecks   int     // ramp steps that broke and ran again
	iterBase   int64
	dropBase   int64
	dropped    func() int64 // the runner's dropped arrivals; nil counts none
	lastCount  int64
	quietSince time.Duration
}

// New is a search with o's defaults filled in.
func New(o Options) *Search {
	if o.Start <= 0 {
		o.Start = DefaultStart
	}
	if o.Factor <= 1 {
		o.Factor = DefaultFactor
	}
	if o.Step <= 0 {
		o.Step = DefaultStep
	}
	if o.Precision <= 0 {
		o.Precision = DefaultPrecision
	}
	s := &Search{o: o, settle: o.Step / 5, rate: o.Start, kind: "ramp"}
	s.res = Result{Start: o.Start, Factor: o.Factor, StepS: o.Step.Seconds(), Users: o.Users, Steps: []Step{}, Thresholds: []string{}}
	for _, t := range o.Thresholds {
		s.res.Thresholds = append(s.res.Thresholds, t.Expr)
	}
	return s
}

// Check says what is wrong with the options, naming the value.
func Check(o Options) error {
	switch {
	case len(o.Thresholds) == 0:
		return fmt.Errorf("--find-capacity needs at least one --threshold (say p95<300ms and fail_ratio<1%%): it finds the highest rate within them")
	case o.Start < 0 || math.IsInf(o.Start, 0) || math.IsNaN(o.Start):
		return fmt.Errorf("bad start rate %v: it must be > 0", o.Start)
	case o.Factor != 0 && (o.Factor <= 1 || math.IsInf(o.Factor, 0) || math.IsNaN(o.Factor)):
		return fmt.Errorf("bad --capacity-factor %v: it must be > 1", o.Factor)
	case o.Step != 0 && o.Step < 500*time.Millisecond:
		return fmt.Errorf("bad --capacity-step %s: at least 500ms, to measure anything", o.Step)
	}
	return nil
}

// Tick implements engine.Shape.
func (s *Search) Tick(t time.Duration, _ int) (engine.Load, bool) {
	if !s.begun {
		s.begun = true
		s.begin(t)
	}
	switch s.ph {
	case settling:
		if t-s.phaseAt >= s.settle {
			s.o.Stats.Reset()
			s.iterBase = s.o.Stats.Snapshot().Iterations
			s.dropBase = s.droppedNow()
			s.ph, s.phaseAt = measuring, t
		}
	case measuring:
		if t-s.phaseAt >= s.o.Step-s.settle {
			s.judge(t)
		}
	case cooling:
		n := s.o.Stats.Snapshot().Total.Requests
		if n != s.lastCount {
			s.lastCount, s.quietSince = n, t
		}
		if t-s.quietSince >= quiet || t-s.phaseAt >= s.o.Step {
			s.begin(t)
		}
	}
	if s.ph == finished {
		return engine.Load{}, false
	}
	if s.ph == cooling {
		return engine.Load{Users: s.o.Users, Rate: 0}, true
	}
	return engine.Load{Users: s.o.Users, Rate: s.rate}, true
}

// begin starts the step at s.rate.
func (s *Search) begin(t time.Duration) {
	s.ph, s.phaseAt = settling, t
}

// judge ends the step: it records it and picks the next rate, or ends the search.
func (s *Search) judge(t time.Duration) {
	snap := s.o.Stats.Snapshot()
	st := s.measure(snap, t)
	s.mu.Lock()
	s.res.Steps = append(s.res.Steps, st)
	s.mu.Unlock()
	s.log(st)
	next, more := s.decide(st)
	if !more {
		s.ph = finished
		return
	}
	if st.Held {
		s.rate = next
		s.begin(t)
		return
	}
	s.rate = next
	s.ph, s.phaseAt, s.quietSince, s.lastCount = cooling, t, t, snap.Total.Requests
}

// measure is the step as snap shows it, judged against the thresholds and the rate asked.
func (s *Search) measure(snap *metrics.Snapshot, t time.Duration) Step {
	secs := snap.Now.Sub(snap.Start).Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	tot := &snap.Total
	st := Step{
		Phase: s.kind, Rate: s.rate, StartS: round((t - s.o.Step).Seconds(), 1), DurationS: round(secs, 2),
		Requests: tot.Requests, RPS: round(float64(tot.Requests)/secs, 2),
		Iterations: round(float64(snap.Iterations-s.iterBase)/secs, 2),
		FailRatio:  round(tot.FailRatio(), 5), Broken: []string{},
	}
	if tot.Requests > 0 {
		st.P50Ms, st.P95Ms, st.P99Ms = ms(tot.Percentile(50)), ms(tot.Percentile(95)), ms(tot.Percentile(99))
	}
	verdicts, passed := metrics.EvaluateAll(s.o.Thresholds, snap)
	for _, v := range verdicts {
		if !v.Passed {
			st.Broken = append(st.Broken, v.Expr)
		}
	}
	if d := s.droppedNow() - s.dropBase; float64(d) > max(1, droppedShare*s.rate*secs) {
		st.Broken = append(st.Broken, fmt.Sprintf("rate not reached: %d arrivals found every user busy (raise -u, now %d)", d, s.o.Users))
		passed = false
	}
	st.Held = passed
	return st
}

// CountDropped makes the search judge each step's dropped arrivals with f (the runner's
// Dropped); call it before the test runs.
func (s *Search) CountDropped(f func() int64) { s.dropped = f }

func (s *Search) droppedNow() int64 {
	if s.dropped == nil {
		return 0
	}
	return s.dropped()
}

// decide picks the next rate after st, or says the search is over.
func (s *Search) decide(st Step) (next float64, more bool) {
	r := st.Rate
	if s.kind == "confirm" {
		// The rate found ran once more: its statistics are the run's. Breaking this time does
		// not move the bracket (one run held, one did not: the service is unsteady there), it
		// is reported as unconfirmed.
		s.found(s.lo, st.Held)
		return 0, false
	}
	if !st.Held && s.kind == "ramp" && s.rechecks < maxRechecks {
		// The ramp's first break halves what is left to search: a hiccup of a busy machine
		// must not decide it, so the rate runs again before it counts.
		s.rechecks++
		s.kind = "recheck"
		return r, true
	}
	if s.kind == "recheck" {
		s.kind = "ramp" // held: the ramp goes on; broke: the bisection starts
	}
	if st.Held {
		s.lo = max(s.lo, r)
	} else if s.hi == 0 || r < s.hi {
		s.hi = r
		s.mu.Lock()
		s.res.BrokeAt, s.res.Limit = r, strings.Join(st.Broken, ", ")
		s.mu.Unlock()
	}
	s.mu.Lock()
	n := len(s.res.Steps)
	s.mu.Unlock()
	switch {
	case n >= maxSteps:
		s.found(s.lo, false)
		return 0, false
	case s.kind == "ramp" && st.Held:
		return r * s.o.Factor, true
	}
	// Bisect between the highest rate that held and the lowest that broke.
	s.kind = "bisect"
	if s.hi-s.lo <= s.o.Precision*s.hi || s.hi < 0.5 {
		if s.lo == 0 {
			s.found(0, false)
			return 0, false
		}
		s.kind = "confirm"
		return s.lo, true
	}
	return roundRate((s.lo + s.hi) / 2), true
}

func (s *Search) found(rate float64, confirmed bool) {
	s.mu.Lock()
	s.res.Rate, s.res.Confirmed, s.res.Complete = rate, confirmed, true
	s.mu.Unlock()
}

// Result is the search's outcome so far; once the run has ended, its outcome. A search cut
// short (run time, a signal) reports the highest rate that held until then, not complete.
func (s *Search) Result() Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.res
	r.Steps = append([]Step{}, s.res.Steps...)
	if !r.Complete {
		r.Rate = 0
		for _, st := range r.Steps {
			if st.Held && st.Rate > r.Rate && (r.BrokeAt == 0 || st.Rate < r.BrokeAt) {
				r.Rate = st.Rate
			}
		}
	}
	return r
}

func (s *Search) log(st Step) {
	if s.o.Log == nil {
		return
	}
	verdict := "held"
	if !st.Held {
		verdict = "broke (" + strings.Join(st.Broken, ", ") + ")"
	}
	fmt.Fprintf(s.o.Log, "gust: capacity %-7s %8.4g/s %s: %.1f req/s, p95 %.1f ms, %.2f%% failed\n",
		st.Phase, st.Rate, verdict, st.RPS, st.P95Ms, 100*st.FailRatio)
}

// WriteSummary prints the outcome after the run's summary.
func (r Result) WriteSummary(w io.Writer) {
	within := strings.Join(r.Thresholds, ", ")
	switch {
	case r.Rate == 0 && len(r.Steps) == 0:
		fmt.Fprintln(w, "Capacity: not measured (the run ended before the first step did)")
	case r.Rate == 0:
		fmt.Fprintf(w, "Capacity: no rate held within %s; even %.4g/s broke (%s)\n", within, r.BrokeAt, r.Limit)
	default:
		fmt.Fprintf(w, "Capacity: %.4g task executions/s within %s", r.Rate, within)
		if r.BrokeAt > 0 {
			fmt.Fprintf(w, "; %.4g/s broke on %s", r.BrokeAt, r.Limit)
		} else {
			fmt.Fprintf(w, "; nothing broke up to it")
		}
		switch {
		case !r.Complete:
			fmt.Fprint(w, " (the run ended before the search did)")
		case !r.Confirmed:
			fmt.Fprint(w, " (not confirmed: the service is unsteady near its limit)")
		}
		fmt.Fprintln(w)
	}
}

func ms(d time.Duration) float64 { return round(float64(d)/float64(time.Millisecond), 3) }

func round(v float64, d int) float64 {
	f := math.Pow10(d)
	return math.Round(v*f) / f
}

// roundRate keeps three significant digits: 371.25/s is 371/s, which reads better and
// measures the same.
func roundRate(v float64) float64 {
	if v <= 0 {
		return v
	}
	e := math.Pow10(int(math.Floor(math.Log10(v))) - 2)
	return math.Round(v/e) * e
}
