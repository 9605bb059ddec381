// Package metrics holds the statistics of a load test the way Locust keeps
// them: one row per (method, name) plus an aggregated row, error groups,
// script exceptions and per-second "current" values, with latencies in HDR
// histograms. It also writes them out as Locust's console tables, CSV files
// and a mergeable JSON result. It knows nothing of JavaScript or the engine.
package metrics

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// OtherNames is the row name that collects requests once Options.MaxNames
// distinct rows exist.
const OtherNames = "(other names: use the name option to group URLs)"

// OtherErrors is the error message that collects failures once
// Options.MaxErrors distinct error groups exist.
const OtherErrors = "(other errors: too many distinct error messages)"

// Percentiles are the percentiles Locust reports, in its order.
var Percentiles = []float64{50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100}

const (
	// window is Locust's span, in seconds, of "current" values.
	window = 10
	// ringLen keeps a little more than the window so that samples which
	// arrive a second late still land in their own slot.
	ringLen = window + 2
	// noSecond marks an unused ring slot; it never equals a real second.
	noSecond = math.MinInt64
)

// Options configure a Stats.
type Options struct {
	// MaxNames caps the number of distinct (method, name) rows; 0 means 2000.
	MaxNames int
	// MaxErrors caps the number of distinct error and exception groups; 0 means 1000.
	MaxErrors int
	// OnWarn receives the one-time warning given when MaxNames is reached.
	OnWarn func(string)
	// Now is the clock used for the start, snapshots and current values; nil means time.Now.
	Now func() time.Time
	// Node names this process in exception groups; "" means "local", as Locust says.
	Node string
	// NameWindows keeps a 10-second latency window per row too, not only for
	// the aggregate, so that per-name current percentiles exist (the history's
	// per-name rows). It costs one more histogram record per request.
	NameWindows bool
}

// Stats is the shared statistics of one test. Virtual users write to it
// through their own Recorder; everything else reads it through Snapshot.
type Stats struct {
	// gen counts resets, so that recorders can drop samples taken before one
	// without taking the lock.
	gen atomic.Uint64

	maxNames, maxErrors int
	onWarn              func(string)
	now                 func() time.Time
	node                string
	nameWindows         bool

	mu         sync.Mutex
	start      time.Time
	entries    map[entryKey]*entry
	named      int // rows counted against maxNames (not the OtherNames rows)
	warned     bool
	total      *entry
	ring       [ringLen]histSlot // the aggregate's per-second histograms
	scratch    *hdrhistogram.Histogram
	errors     map[errorKey]*ErrorGroup
	exceptions map[exceptionKey]*ExceptionGroup
	custom     customStats
	iterations func() int64 // see CountIterations

	// requests cut short by a hard stop (see interrupted.go); guarded by mu
	interrupted int64
}

type entryKey struct{ method, name string }

// entry is the live form of one row.
type entry struct {
	method, name       string
	requests, failures int64
	totalTime          time.Duration
	minTime, maxTime   time.Duration
	totalSize          int64
	firstNs, lastNs    int64
	packed             *hdrhistogram.PackedHistogram // rows
	dense              *hdrhistogram.Histogram       // the aggregate
	secs               series
	win                *[ringLen]packedSlot // per-second latencies, with Options.NameWindows
}

// packedSlot is one second of a row's latencies; sparse because rows are many.
type packedSlot struct {
	sec      int64
	h        *hdrhistogram.PackedHistogram
	min, max time.Duration
}

// secCount is one second of a row's request and failure counts.
type secCount struct {
	sec         int64
	reqs, fails int64
}

// series is a ring of per-second counts indexed by Unix second.
type series [ringLen]secCount

// histSlot is one second of the aggregate's latencies.
type histSlot struct {
	sec      int64
	h        *hdrhistogram.Histogram
	min, max time.Duration
}

// New returns empty statistics whose run starts now.
func New(o Options) *Stats {
	s := &Stats{
		maxNames:  o.MaxNames,
		maxErrors: o.MaxErrors,
		onWarn:    o.OnWarn,
		now:       o.Now,
		node:      o.Node,
		scratch:   newHist(),

		nameWindows: o.NameWindows,
	}
	if s.maxNames <= 0 {
		s.maxNames = 2000
	}
	if s.maxErrors <= 0 {
		s.maxErrors = 1000
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.node == "" {
		s.node = "local"
	}
	for i := range s.ring {
		s.ring[i].h = newHist()
	}
	s.clear()
	return s
}

// clear empties everything; the caller holds mu (or owns s).
func (s *Stats) clear() {
	s.start = s.now()
	s.entries = make(map[entryKey]*entry)
	s.named = 0
	s.total = &entry{name: "Aggregated", dense: newHist()}
	s.total.secs.clear()
	for i := range s.ring {
		s.ring[i].sec = noSecond
		s.ring[i].h.Reset()
	}
	s.errors = make(map[errorKey]*ErrorGroup)
	s.exceptions = make(map[exceptionKey]*ExceptionGroup)
	s.custom.clear()
	s.interrupted = 0
}

// Reset clears every statistic and restarts the run's clock (the web UI's
// "Reset stats"). Recorders keep working; what they buffered before the
// reset is dropped.
func (s *Stats) Reset() {
	s.mu.Lock()
	s.gen.Add(1)
	s.clear()
	s.mu.Unlock()
}

// Recorder returns a new recorder; give each virtual user its own.
func (s *Stats) Recorder() *Recorder {
	return &Recorder{s: s, gen: s.gen.Load()}
}

// apply adds a recorder's buffered samples, unless they predate a reset.
func (s *Stats) apply(gen uint64, buf []sample, custom []customSample) {
	var warning string
	s.mu.Lock()
	if gen == s.gen.Load() {
		for i := range buf {
			if w := s.add(&buf[i]); w != "" {
				warning = w
			}
		}
		s.custom.apply(custom)
	}
	s.mu.Unlock()
	// Outside the lock: the callback may well ask for a snapshot.
	if warning != "" && s.onWarn != nil {
		s.onWarn(warning)
	}
}

// add records one sample and returns the cap warning when this sample is the
// one that hit the cap for the first time. The caller holds mu.
func (s *Stats) add(sm *sample) string {
	e, warning := s.entryFor(sm.method, sm.name)
	d := time.Duration(sm.elapsed)
	us := micros(d)
	sec := floorDiv(sm.endNs, int64(time.Second))
	failed := sm.err != ""

	e.add(sm, d, sec, failed)
	_ = e.packed.RecordValue(us)
	if e.win != nil {
		e.win[ringIndex(sec)].add(sec, d, us)
	}
	s.total.add(sm, d, sec, failed)
	_ = s.total.dense.RecordValue(us)

	s.ring[ringIndex(sec)].add(sec, d, us)
	if failed {
		s.addError(e, sm)
	}
	return warning
}

// entryFor finds or creates the row for (method, name), applying the cap.
func (s *Stats) entryFor(method, name string) (*entry, string) {
	if e := s.entries[entryKey{method, name}]; e != nil {
		return e, ""
	}
	var warning string
	if s.named >= s.maxNames {
		if !s.warned {
			s.warned = true
			warning = fmt.Sprintf("more than %d distinct request names: further names are counted under %q; "+
				"give requests that carry IDs in their URL a name option, e.g. client.get(`/items/${id}`, { name: \"/items/[id]\" })",
				s.maxNames, OtherNames)
		}
		name = OtherNames
		if e := s.entries[entryKey{method, name}]; e != nil {
			return e, warning
		}
	} else {
		s.named++
	}
	e := &entry{method: method, name: name, packed: newPacked()}
	e.secs.clear()
	if s.nameWindows {
		e.win = new([ringLen]packedSlot)
		for i := range e.win {
			e.win[i].sec = noSecond
		}
	}
	s.entries[entryKey{method, name}] = e
	return e, warning
}

func (e *entry) add(sm *sample, d time.Duration, sec int64, failed bool) {
	e.requests++
	if failed {
		e.failures++
	}
	e.totalTime += d
	if e.requests == 1 || d < e.minTime {
		e.minTime = d
	}
	if d > e.maxTime {
		e.maxTime = d
	}
	e.totalSize += sm.size
	if e.requests == 1 || sm.endNs < e.firstNs {
		e.firstNs = sm.endNs
	}
	if sm.endNs > e.lastNs {
		e.lastNs = sm.endNs
	}
	e.secs.add(sec, failed)
}

func (slot *histSlot) add(sec int64, d time.Duration, us int64) {
	if slot.sec != sec {
		if slot.sec > sec {
			return // older than the second this slot now holds: outside any window
		}
		slot.sec = sec
		slot.h.Reset()
		slot.min, slot.max = d, d
	}
	_ = slot.h.RecordValue(us)
	slot.min = min(slot.min, d)
	slot.max = max(slot.max, d)
}

func (slot *packedSlot) add(sec int64, d time.Duration, us int64) {
	if slot.sec != sec {
		if slot.sec > sec {
			return
		}
		slot.sec = sec
		if slot.h == nil {
			slot.h = newPacked()
		} else {
			slot.h.Reset()
		}
		slot.min, slot.max = d, d
	}
	_ = slot.h.RecordValue(us)
	slot.min = min(slot.min, d)
	slot.max = max(slot.max, d)
}

func (r *series) clear() {
	for i := range r {
		r[i] = secCount{sec: noSecond}
	}
}

func (r *series) add(sec int64, failed bool) {
	c := &r[ringIndex(sec)]
	if c.sec != sec {
		if c.sec > sec {
			return // too old for the window
		}
		*c = secCount{sec: sec}
	}
	c.reqs++
	if failed {
		c.fails++
	}
}

// rates returns requests/s and failures/s over the last window seconds.
// The current second is left out while it fills (and recorders still hold
// some of it), unless the run began inside it; at the start the span is the
// time since the run began, so the first seconds are not diluted.
func (r *series) rates(nowNs, startNs int64) (rps, fps float64) {
	const ns = int64(time.Second)
	nowSec := floorDiv(nowNs, ns)
	endNs, lastSec := nowSec*ns, nowSec-1
	fromNs := max((nowSec-window)*ns, startNs)
	if endNs <= fromNs {
		endNs, lastSec = nowNs, nowSec
	}
	span := float64(endNs-fromNs) / float64(ns)
	if span <= 0 {
		return 0, 0
	}
	var reqs, fails int64
	for sec := floorDiv(fromNs, ns); sec <= lastSec; sec++ {
		if c := &r[ringIndex(sec)]; c.sec == sec {
			reqs += c.reqs
			fails += c.fails
		}
	}
	return float64(reqs) / span, float64(fails) / span
}

func ringIndex(sec int64) int {
	return int(uint64(sec) % ringLen)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// Snapshot returns a consistent copy of the statistics; recording may go on
// meanwhile. Buffered samples not yet flushed by their recorders are not in it.
func (s *Stats) Snapshot() *Snapshot {
	s.mu.Lock()
	now := s.now()
	nowNs, startNs := now.UnixNano(), s.start.UnixNano()
	snap := &Snapshot{Start: s.start, Now: now}
	// Every histogram is copied sparse: a row's costs what its buckets in use cost,
	// where a dense one costs 172 KB whatever it holds.
	snap.Entries = make([]Entry, 0, len(s.entries))
	for _, e := range s.entries {
		row := e.copy(nowNs, startNs, s.start)
		row.Hist = e.packed.Clone()
		snap.Entries = append(snap.Entries, row)
	}
	snap.Total = s.total.copy(nowNs, startNs, s.start)
	snap.Total.Hist = s.total.sparse()
	snap.Errors = make([]ErrorGroup, 0, len(s.errors))
	for _, g := range s.errors {
		snap.Errors = append(snap.Errors, *g)
	}
	snap.Exceptions = make([]ExceptionGroup, 0, len(s.exceptions))
	for _, g := range s.exceptions {
		snap.Exceptions = append(snap.Exceptions, *g)
	}
	s.custom.copyInto(snap)
	iterations := s.iterations
	snap.Interrupted = s.interrupted
	s.mu.Unlock()
	if iterations != nil {
		snap.Iterations = iterations()
	}

	snap.shareSpan()
	snap.sort()
	snap.sortCustom()
	return snap
}

// Aggregate returns the aggregated row alone: what a status line needs,
// without copying every row's histogram.
func (s *Stats) Aggregate() Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.total.copy(s.now().UnixNano(), s.start.UnixNano(), s.start)
	e.Hist = s.total.sparse()
	e.End = e.LastRequest
	return e
}

// sparse copies the aggregate's dense histogram into a sparse one.
func (e *entry) sparse() *hdrhistogram.PackedHistogram {
	p := newPacked()
	_ = p.MergeFrom(e.dense)
	return p
}

func (e *entry) copy(nowNs, startNs int64, start time.Time) Entry {
	out := Entry{
		Method:    e.method,
		Name:      e.name,
		Requests:  e.requests,
		Failures:  e.failures,
		TotalTime: e.totalTime,
		MinTime:   e.minTime,
		MaxTime:   e.maxTime,
		TotalSize: e.totalSize,
		Start:     start,
	}
	if e.requests > 0 {
		out.FirstRequest = time.Unix(0, e.firstNs)
		out.LastRequest = time.Unix(0, e.lastNs)
	}
	out.CurrentRPS, out.CurrentFailPerSec = e.secs.rates(nowNs, startNs)
	return out
}

// CurrentPercentiles returns the aggregate's response-time percentiles
// (0-100) over the last 10 seconds, the current one included; zeros when
// nothing completed in that time.
func (s *Stats) CurrentPercentiles(ps ...float64) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.currentPercentiles(nil, floorDiv(s.now().UnixNano(), int64(time.Second)), ps)
}

// currentPercentiles computes windowed percentiles of the aggregate (e nil)
// or of a row with a window; the caller holds mu.
func (s *Stats) currentPercentiles(e *entry, nowSec int64, ps []float64) []time.Duration {
	out := make([]time.Duration, len(ps))
	h := s.scratch
	h.Reset()
	lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
	for sec := nowSec - window + 1; sec <= nowSec; sec++ {
		i := ringIndex(sec)
		if e == nil {
			slot := &s.ring[i]
			if slot.sec != sec || slot.h.TotalCount() == 0 {
				continue
			}
			h.Merge(slot.h)
			lo, hi = min(lo, slot.min), max(hi, slot.max)
			continue
		}
		if e.win == nil {
			break
		}
		slot := &e.win[i]
		if slot.sec != sec || slot.h == nil || slot.h.TotalCount() == 0 {
			continue
		}
		slot.h.MergeInto(h)
		lo, hi = min(lo, slot.min), max(hi, slot.max)
	}
	if h.TotalCount() == 0 {
		return out
	}
	for i, p := range ps {
		switch {
		case p >= 100:
			out[i] = hi
		case p <= 0:
			out[i] = lo
		default:
			out[i] = clampDur(time.Duration(percentileOf(h, p))*time.Microsecond, lo, hi)
		}
	}
	return out
}

func clampDur(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}
