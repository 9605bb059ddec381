// Package tsout sends a run's live statistics to time-series databases: Prometheus by scrape
// (/metrics in the text exposition format) and by remote write 1.0, and InfluxDB by line
// protocol. Several gust processes running segments of one test write the same series with a
// different segment label, so the database, not gust, adds them up: counters sum, and the
// response time is a histogram with fixed buckets so that quantiles aggregate across segments
// in PromQL (histogram_quantile over sum by (le)).
//
// Every output is fed a Sample, filled from a metrics.Snapshot by FromSnapshot, and follows the
// run lifecycle's Output shape: Start, Snapshot (periodically), Stop (with the final one).
package tsout

import (
	"regexp"
	"strings"
	"time"

	"github.com/gustload/gust/metrics"
)

// Sample is what the time-series outputs know of a run at one moment. Counts are totals since
// the start (counters), never rates: the database derives rates.
type Sample struct {
	Time  time.Time
	Users int // users running now
	// Rows are the (method, name) rows; the aggregate is left out, since summing the rows in
	// the database gives it and a stored aggregate would be counted twice.
	Rows []Row
	// Custom are the script's own metrics, each exposed as gust_<Name>.
	Custom []Custom
}

// Row is one (method, name) row's totals.
type Row struct {
	Method, Name       string
	Requests, Failures int64
	// Buckets[i] counts the requests that took at most Bounds[i] seconds (cumulative, as
	// Prometheus buckets are); requests slower than the last bound are only in Requests.
	Buckets []uint64
	// Seconds is the sum of all response times, in seconds.
	Seconds float64
}

// CustomKind says how a custom metric behaves over time.
type CustomKind int

// The kinds of custom metric.
const (
	Gauge   CustomKind = iota // a value that goes up and down
	Counter                   // a total that only grows
)

// Custom is one custom metric's current value.
type Custom struct {
	Name  string
	Kind  CustomKind
	Value float64
	// Labels are the metric's own labels beyond testid and segment; may be nil.
	Labels map[string]string
}

// Bounds are the response-time histogram's bucket upper bounds in seconds: fine where web
// latencies live, up to the client's default timeout and beyond.
var Bounds = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// FromSnapshot fills a Sample from a metrics snapshot and the current user count. The snapshot's
// latency histograms (microseconds) are folded into Bounds; a recorded value counts in the first
// bucket at or above the value its HDR bucket stands for, which is within the
// histogram's precision (0.1%).
func FromSnapshot(s *metrics.Snapshot, users int) Sample {
	out := Sample{Time: s.Now, Users: users, Rows: make([]Row, 0, len(s.Entries))}
	for i := range s.Entries {
		e := &s.Entries[i]
		r := Row{Method: e.Method, Name: e.Name, Requests: e.Requests, Failures: e.Failures,
			Seconds: e.TotalTime.Seconds(), Buckets: make([]uint64, len(Bounds))}
		if e.Hist != nil {
			e.Hist.ForEachBucket(func(value, count int64) bool {
				sec := float64(value) / 1e6
				for j := range Bounds {
					if sec <= Bounds[j] {
						r.Buckets[j] += uint64(count)
						break
					}
				}
				return true
			})
			for j := 1; j < len(r.Buckets); j++ {
				r.Buckets[j] += r.Buckets[j-1]
			}
		}
		out.Rows = append(out.Rows, r)
	}
	for i := range s.Metrics {
		out.Custom = append(out.Custom, customOf(&s.Metrics[i])...)
	}
	return out
}

// customOf is a custom metric as series that add up across segments: a Counter's total and a
// Gauge's value as they are, a Rate's passes and fails and a Trend's count and sum as
// counters (gust_<name>_passes, _fails, _count, _sum), from which the database derives ratios
// and averages over the whole fleet.
func customOf(m *metrics.MetricValue) []Custom {
	switch m.Kind {
	case metrics.Counter:
		return []Custom{{Name: m.Name, Kind: Counter, Value: m.Sum}}
	case metrics.Gauge:
		return []Custom{{Name: m.Name, Kind: Gauge, Value: m.Value}}
	case metrics.Rate:
		return []Custom{{Name: m.Name + "_passes", Kind: Counter, Value: float64(m.Passes)},
			{Name: m.Name + "_fails", Kind: Counter, Value: float64(m.Fails)}}
	case metrics.Trend:
		return []Custom{{Name: m.Name + "_count", Kind: Counter, Value: float64(m.Count)},
			{Name: m.Name + "_sum", Kind: Counter, Value: m.Sum}}
	}
	return nil
}

// Labels identify the process's series: Test is --test-id, shared by every segment of one test;
// Segment is "I/N" ("0/1" for a whole test).
type Labels struct {
	Test, Segment string
}

var invalidName = regexp.MustCompile(`[^a-zA-Z0-9_]`)

// MetricName is the series name of a custom metric: gust_ followed by the name with every
// character Prometheus does not allow in a name replaced by '_'.
func MetricName(custom string) string {
	return "gust_" + strings.TrimLeft(invalidName.ReplaceAllString(custom, "_"), "_")
}

// labelName makes a custom metric's label name valid: invalid characters become '_', a leading
// digit gets a '_' in front, and the "__" prefix Prometheus reserves loses its extra '_'.
func labelName(k string) string {
	k = invalidName.ReplaceAllString(k, "_")
	for strings.HasPrefix(k, "__") {
		k = k[1:]
	}
	if k == "" || (k[0] >= '0' && k[0] <= '9') {
		k = "_" + k
	}
	return k
}
