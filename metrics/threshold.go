package metrics

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Threshold is one pass/fail criterion of a run, parsed from
//
//	[NAME:] METRIC OP VALUE[UNIT]
//
// NAME picks the row: none means the aggregate; "GET /items/" a method and
// name; "/items/" every method of that name together. It may be quoted with
// ' or " and is otherwise everything before the last ':'. METRIC is p(N) or
// pN (a percentile, 0 < N <= 100), avg, med, min, max (response times;
// unit ms, the default, or s), fail_ratio (unit %, or a bare ratio 0-1), rps
// (requests per second over the run) or count (requests). OP is <, <=, > or >=.
type Threshold struct {
	// Expr is the expression as written.
	Expr string
	// Name is the row it judges; "" for the aggregate.
	Name string
	// Metric is the canonical metric: "p95", "p99.9", "avg", "med", "min",
	// "max", "fail_ratio", "rps" or "count".
	Metric string
	// Percentile is N of a percentile metric (50 for med), else 0.
	Percentile float64
	// Op is the comparison: "<", "<=", ">" or ">=".
	Op string
	// Limit is the bound in the metric's base unit: milliseconds for times,
	// a ratio 0-1 for fail_ratio, per second for rps, requests for count.
	Limit float64
}

// metric kinds, which decide the units a value may carry.
const (
	kindTime = iota
	kindRatio
	kindPlain
	// kindRate is k6's rate: a share 0-1 (or %) of a Rate, per second of a Counter.
	kindRate
)

// ParseThreshold parses one expression (see Threshold); the error names it.
func ParseThreshold(expr string) (Threshold, error) {
	t := Threshold{Expr: strings.TrimSpace(expr)}
	bad := func(format string, args ...any) (Threshold, error) {
		return Threshold{}, fmt.Errorf("bad threshold %q: %s", expr, fmt.Sprintf(format, args...))
	}
	rest := t.Expr
	if rest == "" {
		return bad("empty")
	}
	if q := rest[0]; q == '\'' || q == '"' {
		end := strings.IndexByte(rest[1:], q)
		if end < 0 {
			return bad("unclosed quote")
		}
		t.Name = rest[1 : end+1]
		rest = strings.TrimSpace(rest[end+2:])
		if !strings.HasPrefix(rest, ":") {
			return bad("want ':' after the quoted name")
		}
		rest = rest[1:]
		if t.Name == "" {
			return bad("empty name")
		}
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		t.Name = strings.TrimSpace(rest[:i])
		rest = rest[i+1:]
		if t.Name == "" {
			return bad("empty name before ':'")
		}
	}
	rest = strings.TrimSpace(rest)

	opAt := strings.IndexAny(rest, "<>")
	if opAt < 0 {
		if strings.ContainsAny(rest, "=!") {
			return bad("operator must be <, <=, > or >=")
		}
		return bad("no comparison (want e.g. p95<200ms)")
	}
	metric := strings.TrimSpace(rest[:opAt])
	if strings.ContainsAny(metric, "=!") {
		return bad("operator must be <, <=, > or >=")
	}
	t.Op = rest[opAt : opAt+1]
	rest = rest[opAt+1:]
	if strings.HasPrefix(rest, "=") {
		t.Op += "="
		rest = rest[1:]
	}
	if strings.ContainsAny(rest, "<>=") {
		return bad("more than one comparison")
	}
	kind, err := t.setMetric(metric)
	if err != nil {
		return bad("%v", err)
	}
	if t.Limit, err = parseLimit(strings.TrimSpace(rest), kind); err != nil {
		return bad("%v", err)
	}
	return t, nil
}

// setMetric recognises a metric name and returns its kind.
func (t *Threshold) setMetric(m string) (int, error) {
	switch strings.ToLower(m) {
	case "avg", "min", "max":
		t.Metric = strings.ToLower(m)
		return kindTime, nil
	case "med", "median":
		t.Metric, t.Percentile = "med", 50
		return kindTime, nil
	case "fail_ratio":
		t.Metric = "fail_ratio"
		return kindRatio, nil
	case "rps", "count", "value", "passes", "fails":
		t.Metric = strings.ToLower(m)
		return kindPlain, nil
	case "rate":
		t.Metric = "rate"
		return kindRate, nil
	case "":
		return 0, fmt.Errorf("no metric before the comparison")
	}
	if len(m) < 2 || (m[0] != 'p' && m[0] != 'P') {
		return 0, fmt.Errorf("unknown metric %q (want p(N), pN, avg, med, min, max, fail_ratio, rps, count, rate, value, passes or fails)", m)
	}
	n := m[1:]
	if strings.HasPrefix(n, "(") && strings.HasSuffix(n, ")") {
		n = n[1 : len(n)-1]
	}
	p, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
	if err != nil || math.IsNaN(p) || p <= 0 || p > 100 {
		return 0, fmt.Errorf("bad percentile %q (want p(N) or pN with 0 < N <= 100)", m)
	}
	t.Percentile = p
	t.Metric = "p" + strconv.FormatFloat(p, 'f', -1, 64)
	return kindTime, nil
}

// parseLimit reads a number and its unit into the metric's base unit.
func parseLimit(v string, kind int) (float64, error) {
	end := 0
	for end < len(v) && (v[end] >= '0' && v[end] <= '9' || v[end] == '.' || (end == 0 && (v[end] == '-' || v[end] == '+'))) {
		end++
	}
	if end == 0 {
		return 0, fmt.Errorf("no number after the comparison")
	}
	x, err := strconv.ParseFloat(v[:end], 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", v[:end])
	}
	unit := strings.TrimSpace(v[end:])
	switch kind {
	case kindTime:
		switch unit {
		case "", "ms":
			return x, nil
		case "s":
			return x * 1000, nil
		}
		return 0, fmt.Errorf("bad unit %q for a response time (want ms or s)", unit)
	case kindRatio:
		switch unit {
		case "%":
			return x / 100, nil
		case "":
			if x > 1 {
				return 0, fmt.Errorf("fail_ratio %v is above 1: write a percentage as %v%%", x, x)
			}
			return x, nil
		}
		return 0, fmt.Errorf("bad unit %q for fail_ratio (want %% or a ratio 0-1)", unit)
	case kindRate:
		switch unit {
		case "%":
			return x / 100, nil
		case "":
			return x, nil
		}
		return 0, fmt.Errorf("bad unit %q for rate (want %% or a plain number)", unit)
	}
	if unit != "" {
		return 0, fmt.Errorf("bad unit %q: rps, count, value, passes and fails take a plain number", unit)
	}
	return x, nil
}

// String is the threshold as written.
func (t Threshold) String() string { return t.Expr }

// Verdict is a threshold judged against a result.
type Verdict struct {
	Threshold
	// Actual is the measured value in the threshold's base unit; meaningless when NoData.
	Actual float64
	// NoData is set when there was no request to measure a response time
	// on (or no row of that name); such a threshold fails.
	NoData bool
	// Passed tells whether the threshold held.
	Passed bool
	// plain marks a value that is not a response time (a custom metric's, a rate), printed bare.
	plain bool
}

// evaluate judges t against the result in s. A name that is a custom metric or
// one of BuiltinMetrics judges that metric; any other names a request row.
func (t Threshold) evaluate(s *Snapshot) Verdict {
	v := Verdict{Threshold: t}
	if actual, noData, plain, ok := t.named(s); ok {
		v.Actual, v.NoData, v.plain = actual, noData, plain
		v.Passed = !noData && t.holds(actual)
		return v
	}
	switch t.Metric {
	case "rate", "value", "passes", "fails":
		v.NoData = true // not a measure of a request row
		return v
	}
	e := t.row(s)
	switch t.Metric {
	case "fail_ratio":
		v.Actual = e.FailRatio()
	case "rps":
		v.Actual = e.RPS(s.Now)
	case "count":
		v.Actual = float64(e.Requests)
	default:
		if e.Requests == 0 {
			v.NoData = true
			return v
		}
		var d time.Duration
		switch t.Metric {
		case "avg":
			d = e.Avg()
		case "min":
			d = e.MinTime
		case "max":
			d = e.MaxTime
		default:
			d = e.Percentile(t.Percentile)
		}
		v.Actual = float64(d) / float64(time.Millisecond)
	}
	v.Passed = t.holds(v.Actual)
	return v
}

// holds compares a measured value with the limit.
func (t Threshold) holds(x float64) bool {
	switch t.Op {
	case "<":
		return x < t.Limit
	case "<=":
		return x <= t.Limit
	case ">":
		return x > t.Limit
	case ">=":
		return x >= t.Limit
	}
	return false
}

// row finds the row a threshold judges: "METHOD name" first, then every
// method of the name merged; an empty row when nothing matches.
func (t Threshold) row(s *Snapshot) *Entry {
	if t.Name == "" {
		return &s.Total
	}
	for i := range s.Entries {
		e := &s.Entries[i]
		if e.Method != "" && e.Method+" "+e.Name == t.Name {
			return e
		}
	}
	out := &Entry{Name: t.Name}
	for i := range s.Entries {
		if s.Entries[i].Name == t.Name {
			out.merge(&s.Entries[i])
		}
	}
	out.Start, out.End = s.Start, s.Total.LastRequest
	return out
}

// EvaluateAll judges every threshold; passed is false when any was crossed.
func EvaluateAll(ts []Threshold, s *Snapshot) (vs []Verdict, passed bool) {
	passed = true
	for _, t := range ts {
		v := t.evaluate(s)
		passed = passed && v.Passed
		vs = append(vs, v)
	}
	return vs, passed
}

// Measured formats Actual in the unit of the metric: "183.2ms", "0.4ms", "2.5%", "812.3/s".
func (v Verdict) Measured() string {
	if v.NoData {
		if v.plain {
			return "no values"
		}
		return "no requests"
	}
	if v.plain {
		return strconv.FormatFloat(round(v.Actual, 4), 'f', -1, 64)
	}
	return formatMetric(v.Metric, v.Actual)
}

// Where names the row judged: "aggregate" or the name.
func (v Verdict) Where() string {
	if v.Name == "" {
		return "aggregate"
	}
	return v.Name
}

// String is a one-line verdict: "✓ p95<200ms (aggregate): 183.2ms".
func (v Verdict) String() string {
	mark := "✗"
	if v.Passed {
		mark = "✓"
	}
	return fmt.Sprintf("%s %s (%s): %s", mark, v.Expr, v.Where(), v.Measured())
}

// MarshalJSON writes a verdict of the JSON result (see docs/json.md).
func (v Verdict) MarshalJSON() ([]byte, error) {
	var actual *float64
	if !v.NoData {
		a := round(v.Actual, 4)
		actual = &a
	}
	return json.Marshal(struct {
		Expr   string   `json:"expr"`
		Name   string   `json:"name"`
		Metric string   `json:"metric"`
		Op     string   `json:"op"`
		Limit  float64  `json:"limit"`
		Actual *float64 `json:"actual"`
		Passed bool     `json:"passed"`
	}{v.Expr, v.Name, v.Metric, v.Op, v.Limit, actual, v.Passed})
}

func formatMetric(metric string, x float64) string {
	switch metric {
	case "fail_ratio":
		return strconv.FormatFloat(round(x*100, 3), 'f', -1, 64) + "%"
	case "rps":
		return strconv.FormatFloat(round(x, 1), 'f', -1, 64) + "/s"
	case "count":
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	// Two decimals, so that a value just over its limit does not read as equal to it.
	return strconv.FormatFloat(round(x, 2), 'f', -1, 64) + "ms"
}

// FormatMs formats a response time for people: whole milliseconds from
// 10 ms, one decimal below ("0.4ms", "3.2ms"), so fast endpoints never read "0ms".
func FormatMs(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v >= 10 || v == 0 {
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64) + "ms"
	}
	if v < 0.1 {
		return strconv.FormatFloat(round(v, 2), 'f', -1, 64) + "ms"
	}
	return strconv.FormatFloat(round(v, 1), 'f', -1, 64) + "ms"
}

// ThresholdsFromOptions reads a script's options.thresholds: an array of
// expressions, or an object mapping a request name ("", "*" or "Aggregated" for the
// aggregate) to an expression or an array of them (k6's form; an item may
// also be {threshold: "..."}). Names in an object need no quoting.
func ThresholdsFromOptions(v any) ([]Threshold, error) {
	var out []Threshold
	add := func(name string, item any) error {
		expr, ok := item.(string)
		if m, isMap := item.(map[string]any); isMap {
			expr, ok = m["threshold"].(string)
		}
		if !ok {
			return fmt.Errorf("bad options.thresholds item %v: want a string", item)
		}
		t, err := ParseThreshold(expr)
		if err != nil {
			return err
		}
		if name != "" && name != "*" && name != "Aggregated" {
			if t.Name != "" {
				return fmt.Errorf("bad threshold %q under %q: the name is given twice", expr, name)
			}
			t.Name = name
			t.Expr = quoteName(name) + ": " + t.Expr
		}
		out = append(out, t)
		return nil
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return out, add("", x)
	case []any:
		for _, item := range x {
			if err := add("", item); err != nil {
				return nil, err
			}
		}
	case []string:
		for _, item := range x {
			if err := add("", item); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		names := make([]string, 0, len(x))
		for k := range x {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, name := range names {
			items, ok := x[name].([]any)
			if !ok {
				items = []any{x[name]}
			}
			for _, item := range items {
				if err := add(name, item); err != nil {
					return nil, err
				}
			}
		}
	default:
		return nil, fmt.Errorf("bad options.thresholds: want an array of expressions or an object of name to expressions, not %T", v)
	}
	return out, nil
}

// quoteName writes a name the way ParseThreshold reads it back.
func quoteName(name string) string {
	if !strings.Contains(name, "'") {
		return "'" + name + "'"
	}
	return `"` + name + `"`
}
