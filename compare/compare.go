// Package compare judges two gust results (`gust compare BASE.json NEW.json`): per request row
// and for the aggregate, the change in count, failure ratio, median, p95, p99 and rps, against
// tolerances that make a regression an exit code for CI.
package compare

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Result is the part of a --json result (docs/json.md) a comparison reads.
type Result struct {
	Path       string  `json:"-"`
	Version    int     `json:"version"`
	Start      string  `json:"start"`
	DurationS  float64 `json:"duration_s"`
	Entries    []Entry `json:"entries"`
	Total      Entry   `json:"total"`
	Run        RunInfo `json:"run"`
	TimeSeries []Point `json:"time_series"`
}

// RunInfo is the result's "run" object.
type RunInfo struct {
	Script string  `json:"script"`
	Host   string  `json:"host"`
	Users  int     `json:"users"`
	RunS   float64 `json:"run_time_s"`
}

// Entry is one request row (or the aggregate).
type Entry struct {
	Method      string             `json:"method"`
	Name        string             `json:"name"`
	Requests    int64              `json:"requests"`
	Failures    int64              `json:"failures"`
	MedianMs    float64            `json:"median_ms"`
	RPS         float64            `json:"rps"`
	Percentiles map[string]float64 `json:"percentiles"`
}

// Point is one second of the aggregate's time series.
type Point struct {
	Time        int64              `json:"time"`
	Users       int                `json:"users"`
	RPS         float64            `json:"rps"`
	FailPerS    float64            `json:"fail_per_s"`
	Percentiles map[string]float64 `json:"percentiles"`
}

// Load reads a --json result.
func Load(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not a gust JSON result: %v", path, err)
	}
	if r.Version == 0 || r.Total.Name == "" {
		return nil, fmt.Errorf("%s: not a gust JSON result (no version or total; write one with gust run --json)", path)
	}
	r.Path = path
	return &r, nil
}

// Metric is one compared figure of a row.
type Metric string

// The compared metrics, in the order they are shown.
const (
	Count     Metric = "count"
	FailRatio Metric = "fail_ratio"
	Median    Metric = "median"
	P95       Metric = "p95"
	P99       Metric = "p99"
	RPS       Metric = "rps"
)

// Metrics lists every compared metric in display order.
var Metrics = []Metric{Count, FailRatio, Median, P95, P99, RPS}

// value is m of e; ok is false when there is nothing to measure (no requests).
func value(e *Entry, m Metric) (float64, bool) {
	switch m {
	case Count:
		return float64(e.Requests), true
	case FailRatio:
		if e.Requests == 0 {
			return 0, false
		}
		return float64(e.Failures) / float64(e.Requests), true
	case Median:
		return e.MedianMs, e.Requests > 0
	case P95:
		v, ok := e.Percentiles["95"]
		return v, ok && e.Requests > 0
	case P99:
		v, ok := e.Percentiles["99"]
		return v, ok && e.Requests > 0
	case RPS:
		return e.RPS, true
	}
	return 0, false
}

// Tolerance is how far a metric may move, in its bad direction, before it is a regression:
// "p95:+10%" (relative), "p95:+20ms" (absolute), "fail_ratio:+0.5%" (percentage points),
// "rps:-10%" (a drop).
type Tolerance struct {
	Metric   Metric
	Up       bool    // an increase is bad (response times, failures); false: a decrease (rps, count)
	Limit    float64 // the allowed change: a fraction when Relative, else in the metric's unit
	Relative bool
	Expr     string
}

// DefaultTolerances apply to metrics without a --tolerance of their own.
var DefaultTolerances = []string{"median:+10%", "p95:+10%", "p99:+20%", "fail_ratio:+1%", "rps:-10%"}

// ParseTolerance reads "METRIC:+N%" / "METRIC:-N%" / "METRIC:+Nms".
func ParseTolerance(s string) (Tolerance, error) {
	bad := func(why string) (Tolerance, error) {
		return Tolerance{}, fmt.Errorf("tolerance %q: %s (want e.g. p95:+10%%, p99:+20ms, fail_ratio:+0.5%%, rps:-10%%)", s, why)
	}
	name, lim, ok := strings.Cut(strings.ReplaceAll(s, " ", ""), ":")
	if !ok {
		return bad("no ':'")
	}
	t := Tolerance{Metric: Metric(strings.ToLower(name)), Expr: s}
	switch t.Metric {
	case "med", "p50":
		t.Metric = Median
	case "p(95)":
		t.Metric = P95
	case "p(99)":
		t.Metric = P99
	case "fail", "failures", "fail_rate":
		t.Metric = FailRatio
	}
	known := false
	for _, m := range Metrics {
		known = known || m == t.Metric
	}
	if !known {
		return bad("unknown metric " + name + " (count, fail_ratio, median, p95, p99, rps)")
	}
	switch {
	case strings.HasPrefix(lim, "+"):
		t.Up = true
	case strings.HasPrefix(lim, "-"):
	default:
		return bad("the change needs a sign: + (an increase is bad) or - (a decrease is bad)")
	}
	lim = lim[1:]
	unit := ""
	for _, u := range []string{"%", "ms", "s"} {
		if strings.HasSuffix(lim, u) {
			unit, lim = u, strings.TrimSuffix(lim, u)
			break
		}
	}
	v, err := strconv.ParseFloat(lim, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return bad("the limit is not a non-negative number")
	}
	latency := t.Metric == Median || t.Metric == P95 || t.Metric == P99
	switch {
	case t.Metric == FailRatio && unit == "%": // percentage points of the ratio
		t.Limit = v / 100
	case t.Metric == FailRatio && unit == "":
		t.Limit = v
	case unit == "%":
		t.Limit, t.Relative = v/100, true
	case latency && unit == "ms":
		t.Limit = v
	case latency && unit == "s":
		t.Limit = v * 1000
	case !latency && unit == "" && t.Metric != FailRatio:
		t.Limit = v
	default:
		return bad("unit " + unit + " does not fit " + string(t.Metric))
	}
	return t, nil
}

// Options tune a comparison.
type Options struct {
	Tolerances []Tolerance // replace the defaults metric by metric
	// MinRequests: rows with fewer requests in either run are shown but not judged (noise).
	MinRequests int64
	// MinMs: response-time changes smaller than this many milliseconds are never a regression.
	MinMs float64
}

// Change is one metric of one row in both runs.
type Change struct {
	Metric    Metric
	Base, New float64
	Has       bool    // both runs have a value
	Delta     float64 // New - Base
	Rel       float64 // Delta / Base (0 when Base is 0)
	Exceeded  bool    // a regression beyond its tolerance
	Worse     bool    // moved in the bad direction at all
	Better    bool    // moved in the good direction beyond the tolerance's size
	Tolerance *Tolerance
}

// Row is one request row (or the aggregate) in both runs.
type Row struct {
	Key      string // "METHOD name", or "Aggregated"
	Base     *Entry // nil: only in the new run
	New      *Entry // nil: only in the base run
	Changes  []Change
	Judged   bool // enough requests in both runs to judge
	Exceeded bool
}

// Report is a whole comparison.
type Report struct {
	Base, New *Result
	Rows      []Row // the request rows, sorted by key; the aggregate last
	Options   Options
}

// Regressions are the changes beyond their tolerance, row by row.
func (r *Report) Regressions() []string {
	var out []string
	for _, row := range r.Rows {
		for _, c := range row.Changes {
			if c.Exceeded {
				out = append(out, fmt.Sprintf("%s: %s %s -> %s (%s; tolerance %s)", row.Key, c.Metric,
					format(c.Metric, c.Base), format(c.Metric, c.New), deltaText(c), c.Tolerance.Expr))
			}
		}
	}
	return out
}

// Compare compares base with next.
func Compare(base, next *Result, o Options) *Report {
	tol := map[Metric]*Tolerance{}
	for _, s := range DefaultTolerances {
		t, _ := ParseTolerance(s)
		tol[t.Metric] = &t
	}
	for i := range o.Tolerances {
		tol[o.Tolerances[i].Metric] = &o.Tolerances[i]
	}
	if o.MinRequests == 0 {
		o.MinRequests = 20
	}
	key := func(e *Entry) string { return strings.TrimSpace(e.Method + " " + e.Name) }
	rows := map[string]*Row{}
	var keys []string
	add := func(e *Entry, isBase bool) {
		k := key(e)
		row := rows[k]
		if row == nil {
			row = &Row{Key: k}
			rows[k] = row
			keys = append(keys, k)
		}
		if isBase {
			row.Base = e
		} else {
			row.New = e
		}
	}
	for i := range base.Entries {
		add(&base.Entries[i], true)
	}
	for i := range next.Entries {
		add(&next.Entries[i], false)
	}
	sort.Strings(keys)
	rep := &Report{Base: base, New: next, Options: o}
	for _, k := range keys {
		rep.Rows = append(rep.Rows, judge(*rows[k], tol, o))
	}
	rep.Rows = append(rep.Rows, judge(Row{Key: "Aggregated", Base: &base.Total, New: &next.Total}, tol, o))
	return rep
}

func judge(row Row, tol map[Metric]*Tolerance, o Options) Row {
	row.Judged = row.Base != nil && row.New != nil && row.Base.Requests >= o.MinRequests && row.New.Requests >= o.MinRequests
	for _, m := range Metrics {
		c := Change{Metric: m, Tolerance: tol[m]}
		var okB, okN bool
		if row.Base != nil {
			c.Base, okB = value(row.Base, m)
		}
		if row.New != nil {
			c.New, okN = value(row.New, m)
		}
		c.Has = okB && okN
		if c.Has {
			c.Delta = c.New - c.Base
			if c.Base != 0 {
				c.Rel = c.Delta / c.Base
			}
			if t := c.Tolerance; t != nil {
				bad := c.Delta
				if !t.Up {
					bad = -bad
				}
				size := bad
				if t.Relative {
					size = 0
					if c.Base != 0 {
						size = bad / c.Base
					} else if bad > 0 {
						size = math.Inf(1)
					}
				}
				latency := m == Median || m == P95 || m == P99
				c.Worse = bad > 0
				c.Exceeded = row.Judged && size > t.Limit+1e-12 && !(latency && math.Abs(c.Delta) < o.MinMs)
				c.Better = size < -t.Limit-1e-12 && !(latency && math.Abs(c.Delta) < o.MinMs)
			}
		}
		row.Exceeded = row.Exceeded || c.Exceeded
		row.Changes = append(row.Changes, c)
	}
	return row
}

// format shows a value in its metric's unit.
func format(m Metric, v float64) string {
	switch m {
	case Count:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case FailRatio:
		return strconv.FormatFloat(v*100, 'f', 2, 64) + "%"
	case RPS:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + "ms"
}

// deltaText is a change as the tolerance reads it: percentage points for fail_ratio, relative
// otherwise.
func deltaText(c Change) string {
	if c.Metric == FailRatio {
		return fmt.Sprintf("%+.2f pts", c.Delta*100)
	}
	if c.Base == 0 {
		if c.Delta == 0 {
			return "+0%"
		}
		return "new"
	}
	return fmt.Sprintf("%+.1f%%", c.Rel*100)
}
