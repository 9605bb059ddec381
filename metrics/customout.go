package metrics

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// TrendPercentiles are the percentiles every output shows of a Trend, as k6's summary.
var TrendPercentiles = []float64{90, 95, 99}

// MetricFields are the values of a custom metric the outputs show, as
// (name, value) in k6's words: counter count, rate (per second); trend count,
// avg, min, med, max, p(90), p(95), p(99); rate rate (0-1), passes, fails;
// gauge value, min, max. span is the time a Counter's rate is over.
func (v *MetricValue) MetricFields(span time.Duration) []MetricField {
	switch v.Kind {
	case Counter:
		return []MetricField{{"count", v.Sum}, {"rate", v.PerSecond(span)}}
	case Trend:
		out := []MetricField{{"count", float64(v.Count)}, {"avg", v.Avg()}, {"min", v.Min}, {"med", v.Percentile(50)}, {"max", v.Max}}
		for _, p := range TrendPercentiles {
			out = append(out, MetricField{"p(" + strconv.FormatFloat(p, 'f', -1, 64) + ")", v.Percentile(p)})
		}
		return out
	case Rate:
		return []MetricField{{"rate", v.PassRate()}, {"passes", float64(v.Passes)}, {"fails", float64(v.Fails)}}
	case Gauge:
		return []MetricField{{"value", v.Value}, {"min", v.Min}, {"max", v.Max}}
	}
	return nil
}

// MetricField is one named value of a custom metric.
type MetricField struct {
	Name  string
	Value float64
}

// FormatField writes a field for people: times in ms, a Rate's rate in %, a Counter's rate per second.
func (v *MetricValue) FormatField(f MetricField) string {
	x := strconv.FormatFloat(round(f.Value, 2), 'f', -1, 64)
	switch {
	case f.Name == "rate" && v.Kind == Rate:
		return strconv.FormatFloat(round(f.Value*100, 2), 'f', -1, 64) + "%"
	case f.Name == "rate":
		return x + "/s"
	case v.IsTime && f.Name != "count":
		return x + "ms"
	}
	return x
}

// writeCustomTables writes the custom metrics and checks tables of the console summary.
func writeCustomTables(b *strings.Builder, s *Snapshot) {
	if len(s.Metrics) > 0 {
		line(b, "Custom metrics")
		line(b, fmt.Sprintf("%-*s %-8s %s", nameWidth-typeWidth, "Name", "Type", "Values"))
		sep := dashes(nameWidth-typeWidth) + "|" + dashes(8) + "|" + dashes(80)
		line(b, sep)
		span := s.Span()
		for i := range s.Metrics {
			v := &s.Metrics[i]
			var vals []string
			for _, f := range v.MetricFields(span) {
				vals = append(vals, f.Name+"="+v.FormatField(f))
			}
			line(b, fmt.Sprintf("%-*s %-8s %s", nameWidth-typeWidth, fit(v.Name, nameWidth-typeWidth), v.Kind, strings.Join(vals, " ")))
		}
		line(b, sep)
		b.WriteString("\n")
	}
	if len(s.Checks) > 0 {
		line(b, "Checks")
		line(b, fmt.Sprintf("%-2s %-*s %9s %9s", "", nameWidth-typeWidth, "Name", "Passes", "Fails"))
		sep := dashes(2) + "|" + dashes(nameWidth-typeWidth) + "|" + dashes(9) + "|" + dashes(9)
		line(b, sep)
		for _, c := range s.Checks {
			mark := "✓"
			if c.Fails > 0 {
				mark = "✗"
			}
			line(b, fmt.Sprintf("%-2s %-*s %9d %9d", mark, nameWidth-typeWidth, fit(c.Name, nameWidth-typeWidth), c.Passes, c.Fails))
		}
		line(b, sep)
		rate, p, f := s.checksRate()
		line(b, fmt.Sprintf("checks: %s%% passed (%d of %d)", strconv.FormatFloat(round(rate*100, 2), 'f', -1, 64), p, p+f))
		b.WriteString("\n")
	}
}

// metricsColumns are the columns of PREFIX_metrics.csv.
func metricsColumns() []string {
	return []string{"Name", "Type", "Count", "Rate", "Avg", "Min", "Median", "Max", "p(90)", "p(95)", "p(99)", "Value", "Passes", "Fails"}
}

// WriteMetricsCSV writes PREFIX_metrics.csv: a row per custom metric (by name),
// then a row per check (Type "check", Rate its share of passes). A cell that
// does not apply to the kind is empty; times are in milliseconds.
func WriteMetricsCSV(w io.Writer, s *Snapshot) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(metricsColumns())
	span := s.Span()
	for i := range s.Metrics {
		v := &s.Metrics[i]
		row := make([]string, len(metricsColumns()))
		row[0], row[1] = v.Name, v.Kind.String()
		at := map[string]int{"count": 2, "rate": 3, "avg": 4, "min": 5, "med": 6, "max": 7, "p(90)": 8, "p(95)": 9, "p(99)": 10, "value": 11, "passes": 12, "fails": 13}
		for _, f := range v.MetricFields(span) {
			row[at[f.Name]] = strconv.FormatFloat(round(f.Value, 4), 'f', -1, 64)
		}
		_ = cw.Write(row)
	}
	for _, c := range s.Checks {
		rate := 0.0
		if c.Passes+c.Fails > 0 {
			rate = float64(c.Passes) / float64(c.Passes+c.Fails)
		}
		_ = cw.Write([]string{c.Name, "check", strconv.FormatInt(c.Passes+c.Fails, 10), strconv.FormatFloat(round(rate, 4), 'f', -1, 64),
			"", "", "", "", "", "", "", "", strconv.FormatInt(c.Passes, 10), strconv.FormatInt(c.Fails, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// jsonMetric is a custom metric in the JSON result: k6's fields for its type
// (see MetricFields), and what merging needs besides (sum, the gauge's time,
// a trend's sketch).
type jsonMetric struct {
	Type    string
	IsTime  bool
	Fields  []MetricField
	Adds    int64
	Sum     float64
	ValueAt *time.Time
	Sketch  *SketchJSON
}

// MarshalJSON writes k6's fields first, then the merge fields.
func (j jsonMetric) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteString(`{"type":` + strconv.Quote(j.Type))
	for _, f := range j.Fields {
		b.WriteString("," + strconv.Quote(f.Name) + ":" + strconv.FormatFloat(round(f.Value, 6), 'f', -1, 64))
	}
	type rest struct {
		IsTime  bool        `json:"is_time,omitempty"`
		Adds    int64       `json:"adds"`
		Sum     float64     `json:"sum"`
		ValueAt *time.Time  `json:"value_at,omitempty"`
		Sketch  *SketchJSON `json:"sketch,omitempty"`
	}
	r, err := json.Marshal(rest{j.IsTime, j.Adds, j.Sum, j.ValueAt, j.Sketch})
	if err != nil {
		return nil, err
	}
	if len(r) > 2 {
		b.WriteString(",")
		b.Write(r[1 : len(r)-1])
	}
	b.WriteString("}")
	return []byte(b.String()), nil
}

type jsonCheck struct {
	Name   string `json:"name"`
	Passes int64  `json:"passes"`
	Fails  int64  `json:"fails"`
}

// writeCustomJSON writes the "metrics", "checks" and "iterations" keys of the JSON result.
func writeCustomJSON(out *jsonStream, s *Snapshot) {
	out.raw(`,"metrics":{`)
	span := s.Span()
	for i := range s.Metrics {
		v := &s.Metrics[i]
		if i > 0 {
			out.raw(",")
		}
		out.value(v.Name)
		out.raw(":")
		j := jsonMetric{Type: v.Kind.String(), IsTime: v.IsTime, Fields: v.MetricFields(span), Adds: v.Count, Sum: v.Sum}
		if v.Kind == Gauge && !v.ValueAt.IsZero() {
			at := v.ValueAt.UTC()
			j.ValueAt = &at
		}
		if v.Sketch != nil {
			j.Sketch = v.Sketch.encode()
		}
		out.value(j)
	}
	out.raw(`},"checks":[`)
	for i, c := range s.Checks {
		if i > 0 {
			out.raw(",")
		}
		out.value(jsonCheck(c))
	}
	out.raw("]")
	out.field("iterations", s.Iterations)
}

// readCustomJSON reads what writeCustomJSON wrote from the result's top-level keys.
func readCustomJSON(all map[string]json.RawMessage, s *Snapshot) error {
	if raw, ok := all["metrics"]; ok {
		var ms map[string]map[string]json.RawMessage
		if err := json.Unmarshal(raw, &ms); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
		for name, fields := range ms {
			v, err := readMetric(name, fields)
			if err != nil {
				return fmt.Errorf("metric %q: %w", name, err)
			}
			s.Metrics = append(s.Metrics, v)
		}
	}
	if raw, ok := all["checks"]; ok {
		var cs []jsonCheck
		if err := json.Unmarshal(raw, &cs); err != nil {
			return fmt.Errorf("checks: %w", err)
		}
		for _, c := range cs {
			s.Checks = append(s.Checks, CheckResult(c))
		}
	}
	if raw, ok := all["iterations"]; ok {
		if err := json.Unmarshal(raw, &s.Iterations); err != nil {
			return fmt.Errorf("iterations: %w", err)
		}
	}
	s.sortCustom()
	return nil
}

func readMetric(name string, f map[string]json.RawMessage) (MetricValue, error) {
	var typ string
	if err := json.Unmarshal(f["type"], &typ); err != nil {
		return MetricValue{}, fmt.Errorf("type: %w", err)
	}
	kind, err := ParseMetricKind(typ)
	if err != nil {
		return MetricValue{}, err
	}
	v := MetricValue{Name: name, Kind: kind}
	num := func(key string, dst any) error {
		if raw, ok := f[key]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
		return nil
	}
	var passes, fails float64
	var at *time.Time
	var sk *SketchJSON
	for _, x := range []struct {
		key string
		dst any
	}{{"is_time", &v.IsTime}, {"adds", &v.Count}, {"sum", &v.Sum}, {"min", &v.Min}, {"max", &v.Max},
		{"value", &v.Value}, {"value_at", &at}, {"passes", &passes}, {"fails", &fails}, {"sketch", &sk}} {
		if err := num(x.key, x.dst); err != nil {
			return MetricValue{}, err
		}
	}
	v.Passes, v.Fails = int64(passes), int64(fails)
	if at != nil {
		v.ValueAt = *at
	}
	if kind == Trend {
		if v.Sketch, err = decodeSketch(sk); err != nil {
			return MetricValue{}, err
		}
		if v.Sketch.Count() != v.Count {
			return MetricValue{}, fmt.Errorf("sketch holds %d values, adds says %d", v.Sketch.Count(), v.Count)
		}
	}
	return v, nil
}
