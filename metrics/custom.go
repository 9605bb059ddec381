package metrics

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// MetricKind is the kind of a custom metric: k6's four.
type MetricKind uint8

// The kinds of custom metric.
const (
	// Counter adds values up: count is their sum, rate the sum per second.
	Counter MetricKind = iota + 1
	// Trend keeps the distribution of its values: count, avg, min, med, max, percentiles.
	Trend
	// Rate counts values that are non-zero (passes) against zeros (fails).
	Rate
	// Gauge keeps the last value and the smallest and largest seen.
	Gauge
)

// String is the kind's name in the JSON result: "counter", "trend", "rate", "gauge".
func (k MetricKind) String() string {
	switch k {
	case Counter:
		return "counter"
	case Trend:
		return "trend"
	case Rate:
		return "rate"
	case Gauge:
		return "gauge"
	}
	return fmt.Sprintf("MetricKind(%d)", uint8(k))
}

// ParseMetricKind reads a kind's name as String writes it.
func ParseMetricKind(s string) (MetricKind, error) {
	for _, k := range []MetricKind{Counter, Trend, Rate, Gauge} {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown metric type %q (want counter, trend, rate or gauge)", s)
}

// BuiltinMetrics are k6's names for what gust measures anyway; thresholds on
// them judge the aggregate (http_req_duration: response times, http_req_failed:
// the failure ratio, http_reqs: requests, checks: the share of passed checks,
// iterations: completed iterations). A custom metric may not take them.
var BuiltinMetrics = []string{"http_req_duration", "http_req_failed", "http_reqs", "checks", "iterations"}

// Metric is a registered custom metric: the handle a user records values into
// through its Recorder (Recorder.Add). Register it once, at load; it lives as
// long as its Stats, across Reset.
type Metric struct {
	name   string
	kind   MetricKind
	isTime bool
	idx    int       // index of its value in customStats.values
	tags   Tags      // a sub-metric's selector (see SubMetric)
	subs   []*Metric // its sub-metrics, fixed once users record
}

// Name is the metric's name.
func (m *Metric) Name() string { return m.name }

// Kind is the metric's kind.
func (m *Metric) Kind() MetricKind { return m.kind }

// IsTime tells whether a Trend's values are times in milliseconds.
func (m *Metric) IsTime() bool { return m.isTime }

// MetricValue is a custom metric's value in a Snapshot.
type MetricValue struct {
	Name   string
	Kind   MetricKind
	IsTime bool // a Trend of milliseconds
	// Count is the number of values added (a Rate's passes plus fails).
	Count int64
	// Sum is the total of the values: a Counter's count, a Trend's sum.
	Sum float64
	// Min and Max are the smallest and largest value (Trend, Gauge); 0 without values.
	Min, Max float64
	// Value is a Gauge's last value, added at ValueAt.
	Value   float64
	ValueAt time.Time
	// Passes and Fails are a Rate's non-zero and zero values.
	Passes, Fails int64
	// Sketch holds a Trend's values (its own copy); nil for other kinds.
	Sketch *Sketch
}

// Avg is a Trend's mean; 0 without values.
func (v *MetricValue) Avg() float64 {
	if v.Count == 0 {
		return 0
	}
	return v.Sum / float64(v.Count)
}

// Percentile is a Trend's percentile p (0-100): within 0.1% of the value of
// that rank, or Min or Max exactly when that value shares their bucket (then
// within 0.2%), so that a few distinct values read as recorded.
func (v *MetricValue) Percentile(p float64) float64 {
	if v.Sketch == nil || v.Count == 0 {
		return 0
	}
	switch {
	case p >= 100:
		return v.Max
	case p <= 0:
		return v.Min
	}
	x := v.Sketch.Percentile(p)
	for _, end := range []float64{v.Min, v.Max} {
		if sameBucket(x, end) {
			return end
		}
	}
	return max(v.Min, min(x, v.Max))
}

// PassRate is a Rate's share of non-zero values, 0 to 1.
func (v *MetricValue) PassRate() float64 {
	if v.Passes+v.Fails == 0 {
		return 0
	}
	return float64(v.Passes) / float64(v.Passes+v.Fails)
}

// PerSecond is a Counter's sum per second over span seconds (at least one).
func (v *MetricValue) PerSecond(span time.Duration) float64 {
	return v.Sum / max(span.Seconds(), 1)
}

// add records one value added at ns.
func (v *MetricValue) add(x float64, ns int64) {
	if math.IsNaN(x) {
		return
	}
	if v.Count == 0 || x < v.Min {
		v.Min = x
	}
	if v.Count == 0 || x > v.Max {
		v.Max = x
	}
	v.Count++
	switch v.Kind {
	case Counter:
		v.Sum += x
	case Trend:
		v.Sum += x
		v.Sketch.Add(x)
	case Rate:
		if x != 0 {
			v.Passes++
		} else {
			v.Fails++
		}
	case Gauge:
		if at := time.Unix(0, ns); v.ValueAt.IsZero() || !at.Before(v.ValueAt) {
			v.Value, v.ValueAt = x, at
		}
	}
}

// merge adds o (the same metric from another part of the test) to v.
func (v *MetricValue) merge(o *MetricValue) {
	if o.Count == 0 {
		return
	}
	if v.Count == 0 || o.Min < v.Min {
		v.Min = o.Min
	}
	if v.Count == 0 || o.Max > v.Max {
		v.Max = o.Max
	}
	v.Count += o.Count
	v.Sum += o.Sum
	v.Passes += o.Passes
	v.Fails += o.Fails
	if !o.ValueAt.IsZero() && (v.ValueAt.IsZero() || !o.ValueAt.Before(v.ValueAt)) {
		v.Value, v.ValueAt = o.Value, o.ValueAt
	}
	switch {
	case o.Sketch == nil:
	case v.Sketch == nil:
		v.Sketch = o.Sketch.Clone()
	default:
		v.Sketch.Merge(o.Sketch)
	}
}

func (v *MetricValue) clone() MetricValue {
	out := *v
	if v.Sketch != nil {
		out.Sketch = v.Sketch.Clone()
	}
	return out
}

// CheckResult counts one check's outcomes (k6's check()).
type CheckResult struct {
	Name          string
	Passes, Fails int64
}

// customSample is one buffered custom value or check outcome.
type customSample struct {
	m     *Metric // nil for a check
	check string
	v     float64 // a check: 1 passed, 0 failed
	ns    int64
}

// customStats is the Stats' custom metrics and checks; guarded by Stats.mu.
type customStats struct {
	byName     map[string]*Metric
	values     []MetricValue // by Metric.idx
	checks     map[string]*CheckResult
	checkOrder []string
}

// Metric registers the custom metric name of kind (isTime: a Trend of
// milliseconds) or returns the one registered under that name. The same name
// with another kind, a built-in name (BuiltinMetrics) or an empty one is an error.
func (s *Stats) Metric(name string, kind MetricKind, isTime bool) (*Metric, error) {
	if strings.TrimSpace(name) == "" {
		return nil, fmt.Errorf("a metric needs a name")
	}
	if slices.Contains(BuiltinMetrics, name) {
		return nil, fmt.Errorf("metric name %q is built in (%s): choose another", name, strings.Join(BuiltinMetrics, ", "))
	}
	if _, err := ParseMetricKind(kind.String()); err != nil {
		return nil, fmt.Errorf("metric %q: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.custom.byName[name]; m != nil {
		if m.kind != kind || m.isTime != isTime {
			return nil, fmt.Errorf("metric %q is already a %s", name, m.kind)
		}
		return m, nil
	}
	if s.custom.byName == nil {
		s.custom.byName = map[string]*Metric{}
	}
	m := &Metric{name: name, kind: kind, isTime: isTime, idx: len(s.custom.values)}
	s.custom.byName[name] = m
	s.custom.values = append(s.custom.values, emptyValue(m))
	return m, nil
}

// Metrics lists the registered custom metrics, by name.
func (s *Stats) Metrics() []*Metric {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Metric, 0, len(s.custom.byName))
	for _, m := range s.custom.byName {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b *Metric) int { return strings.Compare(a.name, b.name) })
	return out
}

func emptyValue(m *Metric) MetricValue {
	v := MetricValue{Name: m.name, Kind: m.kind, IsTime: m.isTime}
	if m.kind == Trend {
		v.Sketch = newSketch()
	}
	return v
}

// clear empties the values and checks, keeping the registrations; the caller holds mu.
func (c *customStats) clear() {
	for _, m := range c.byName {
		c.values[m.idx] = emptyValue(m)
	}
	c.checks = map[string]*CheckResult{}
	c.checkOrder = c.checkOrder[:0]
}

// apply adds buffered custom samples; the caller holds mu.
func (c *customStats) apply(buf []customSample) {
	for i := range buf {
		sm := &buf[i]
		if sm.m != nil {
			c.values[sm.m.idx].add(sm.v, sm.ns)
			continue
		}
		r := c.checks[sm.check]
		if r == nil {
			r = &CheckResult{Name: sm.check}
			c.checks[sm.check] = r
			c.checkOrder = append(c.checkOrder, sm.check)
		}
		if sm.v != 0 {
			r.Passes++
		} else {
			r.Fails++
		}
	}
}

// copyInto puts the custom values into a snapshot; the caller holds mu.
func (c *customStats) copyInto(snap *Snapshot) {
	for _, m := range c.byName {
		snap.Metrics = append(snap.Metrics, c.values[m.idx].clone())
	}
	for _, name := range c.checkOrder {
		snap.Checks = append(snap.Checks, *c.checks[name])
	}
}

// Add records value v of custom metric m (registered on this Recorder's Stats)
// without a shared lock, as Record does: a Rate counts a non-zero v as a pass.
func (r *Recorder) Add(m *Metric, v float64) {
	r.addCustom(customSample{m: m, v: v})
}

// Check records one outcome of the check called name (k6's check()).
func (r *Recorder) Check(name string, passed bool) {
	v := 0.0
	if passed {
		v = 1
	}
	r.addCustom(customSample{check: name, v: v})
}

// CountIterations makes f the source of the snapshots' Iterations (k6's
// iterations metric): the engine counts them already, so they are read, not
// recorded twice. f is called outside the lock and must be safe to call at any time.
func (s *Stats) CountIterations(f func() int64) {
	s.mu.Lock()
	s.iterations = f
	s.mu.Unlock()
}

func (r *Recorder) addCustom(sm customSample) {
	if g := r.s.gen.Load(); g != r.gen {
		r.dropBuffered(g)
	}
	sm.ns = time.Now().UnixNano()
	if r.empty() {
		r.oldestNs = sm.ns
	}
	r.custom = append(r.custom, sm)
	if len(r.custom) >= maxBuffered || sm.ns-r.oldestNs >= int64(flushAge) {
		r.Flush()
	}
}

// sortCustom orders a snapshot's metrics by name; checks stay in first-seen order.
func (snap *Snapshot) sortCustom() {
	slices.SortFunc(snap.Metrics, func(a, b MetricValue) int { return strings.Compare(a.Name, b.Name) })
}

// mergeCustom adds o's custom metrics, checks and iterations to s.
func (s *Snapshot) mergeCustom(o *Snapshot) {
	for i := range o.Metrics {
		om := &o.Metrics[i]
		j := slices.IndexFunc(s.Metrics, func(v MetricValue) bool { return v.Name == om.Name })
		if j < 0 {
			s.Metrics = append(s.Metrics, om.clone())
			continue
		}
		s.Metrics[j].merge(om)
	}
	for _, c := range o.Checks {
		j := slices.IndexFunc(s.Checks, func(x CheckResult) bool { return x.Name == c.Name })
		if j < 0 {
			s.Checks = append(s.Checks, c)
			continue
		}
		s.Checks[j].Passes += c.Passes
		s.Checks[j].Fails += c.Fails
	}
	s.Iterations += o.Iterations
	s.sortCustom()
}

// checksRate is the share of all check outcomes that passed, 0 to 1 (k6's checks metric).
func (s *Snapshot) checksRate() (rate float64, passes, fails int64) {
	for _, c := range s.Checks {
		passes += c.Passes
		fails += c.Fails
	}
	if passes+fails == 0 {
		return 0, 0, 0
	}
	return float64(passes) / float64(passes+fails), passes, fails
}

// Metric returns the custom metric called name, nil when there is none.
func (s *Snapshot) Metric(name string) *MetricValue {
	for i := range s.Metrics {
		if s.Metrics[i].Name == name {
			return &s.Metrics[i]
		}
	}
	return nil
}

// Span is the time rates are over: from the start to the run's last request (now before any).
func (s *Snapshot) Span() time.Duration {
	return s.Total.end(s.Now).Sub(s.Start)
}
