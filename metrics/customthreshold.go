package metrics

import (
	"fmt"
	"time"
)

// named measures a threshold whose name is one of BuiltinMetrics or a custom
// metric of s; ok is false for any other name (a request row). plain says the
// value is not a response time.
func (t Threshold) named(s *Snapshot) (actual float64, noData, plain, ok bool) {
	span := s.Span()
	switch t.Name {
	case "http_req_duration", "http_reqs", "http_req_failed":
		// k6's names for the aggregate: judged as an unnamed threshold, its rates in Locust's words.
		u := t
		u.Name = ""
		switch {
		case t.Metric == "rate" && t.Name == "http_req_failed":
			u.Metric = "fail_ratio"
		case t.Metric == "rate" && t.Name == "http_reqs":
			u.Metric = "rps"
		}
		v := u.evaluate(s)
		return v.Actual, v.NoData, t.Metric == "rate", true
	case "checks":
		rate, passes, fails := s.checksRate()
		switch t.Metric {
		case "passes":
			return float64(passes), false, true, true
		case "fails":
			return float64(fails), false, true, true
		case "count":
			return float64(passes + fails), false, true, true
		}
		return rate, passes+fails == 0, true, true
	case "iterations":
		if t.Metric == "rate" {
			return float64(s.Iterations) / max(span.Seconds(), 1), false, true, true
		}
		return float64(s.Iterations), false, true, true
	}
	m := s.Metric(canonicalMetricName(t.Name))
	if m == nil {
		return 0, false, false, false
	}
	x, ok := m.measure(t, span)
	return x, !ok, !m.IsTime, true
}

// measure reads the value t asks of a custom metric; ok is false without
// values, or when the metric has no such measure (CheckThreshold says so at load).
func (v *MetricValue) measure(t Threshold, span time.Duration) (float64, bool) {
	if v.Count == 0 && v.Kind != Counter {
		return 0, false
	}
	for _, f := range v.MetricFields(span) {
		if f.Name == t.Metric {
			return f.Value, true
		}
	}
	if v.Kind == Trend && t.Percentile > 0 {
		return v.Percentile(t.Percentile), true
	}
	return 0, false
}

// CheckThreshold tells whether t can be judged on the custom metrics
// registered so far (js.NewTest calls it once the script's metrics are): a threshold naming a custom metric must ask for one of
// its measures (MetricFields: 'orders: count>=20', 'cart_value: p(95)<200',
// 'cache_hit: rate>0.9', 'queue_depth: value<10'). Other names pass.
func (s *Stats) CheckThreshold(t Threshold) error {
	s.mu.Lock()
	m := s.custom.byName[canonicalMetricName(t.Name)]
	s.mu.Unlock()
	if m == nil {
		return nil
	}
	v := emptyValue(m)
	v.Count = 1
	if m.kind == Trend && t.Percentile > 0 {
		return nil
	}
	for _, f := range v.MetricFields(time.Second) {
		if f.Name == t.Metric {
			return nil
		}
	}
	var names []string
	for _, f := range v.MetricFields(time.Second) {
		names = append(names, f.Name)
	}
	return fmt.Errorf("bad threshold %q: %s is a %s, which has %v", t.Expr, m.name, m.kind, names)
}

// canonicalMetricName writes a sub-metric's selector as SubMetricName does, so that
// 'cart_value{ region: eu }' finds cart_value{region:eu}.
func canonicalMetricName(name string) string {
	if base, tags, ok, err := ParseSubMetric(name); ok && err == nil {
		return SubMetricName(base, tags)
	}
	return name
}
