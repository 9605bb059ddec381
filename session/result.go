package session

import (
	"io"
	"time"

	"github.com/gustload/gust/capacity"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/report"
)

// Result is a stopped (or, for the web UI's downloads, running) test: the statistics and what
// the reports carry beside them. Its JSON-tagged fields are the top-level keys the JSON result
// adds to the statistics (docs/json.md).
type Result struct {
	// Snapshot is the statistics, with the open model's dropped arrivals added.
	Snapshot *metrics.Snapshot `json:"-"`
	// Started is false when no test ran (a web UI quit before any start): the reports say
	// so, the console prints nothing.
	Started bool `json:"-"`
	// Run says how the test was run.
	Run RunInfo `json:"run"`
	// Dropped counts the open model's arrivals that found no free user.
	Dropped int64 `json:"dropped"`
	// Open says the test ran the open model (then the summary reports Dropped).
	Open bool `json:"-"`
	// MemoryLimit says the memory watchdog stopped the test (--max-memory): the run failed.
	MemoryLimit bool `json:"-"`
	// Verdicts are the thresholds as judged against Snapshot; Passed says none was crossed.
	Verdicts []metrics.Verdict `json:"thresholds"`
	Passed   bool              `json:"-"`
	// TimeSeries is the Aggregated statistics over time.
	TimeSeries []metrics.HistoryRow `json:"time_series"`
	// Capacity is the outcome of --find-capacity; nil without it.
	Capacity *capacity.Result `json:"capacity,omitempty"`
}

// RunInfo is the "run" object of the JSON result: how the test was run.
type RunInfo struct {
	// The fields are in the order of their JSON names, as the result always listed them.
	ExcludeTags    []string      `json:"exclude_tags"`
	Version        string        `json:"gust_version"`
	Host           string        `json:"host"`
	Iterations     int64         `json:"iterations"`
	IterationsDone int64         `json:"iterations_done"`
	RunTime        time.Duration `json:"-"`
	RunTimeS       float64       `json:"run_time_s"`
	Script         string        `json:"script"`
	// Segment is "I/N" for a segment of a test (--segment), the merged segments' list for a
	// merged result (gust merge), absent for a whole test.
	Segment    string   `json:"segment,omitempty"`
	SpawnRate  float64  `json:"spawn_rate"`
	StopReason string   `json:"stop_reason"`
	Tags       []string `json:"tags"`
	// TestID is --test-id, the live metrics' testid label; absent without live metrics.
	TestID string `json:"test_id,omitempty"`
	Users  int    `json:"users"`
}

// Failed says requests failed or the script raised.
func (r *Result) Failed() bool {
	return r.Snapshot.Total.Failures > 0 || len(r.Snapshot.Exceptions) > 0
}

// WriteJSON writes the JSON result (schema: docs/json.md).
func (r *Result) WriteJSON(w io.Writer) error {
	extra := map[string]any{
		"run":         r.Run,
		"dropped":     r.Dropped,
		"thresholds":  r.Verdicts,
		"time_series": r.TimeSeries,
	}
	if r.Capacity != nil {
		extra["capacity"] = r.Capacity
	}
	return metrics.WriteJSON(w, r.Snapshot, extra)
}

// WriteHTML writes the self-contained HTML report.
func (r *Result) WriteHTML(w io.Writer) error {
	return report.Write(w, &report.Data{
		Run: report.Run{
			Script: r.Run.Script, Host: r.Run.Host, Users: r.Run.Users, SpawnRate: r.Run.SpawnRate,
			RunTime: r.Run.RunTime, Iterations: r.Run.Iterations, StopReason: r.Run.StopReason, Version: r.Run.Version,
		},
		Snapshot: r.Snapshot,
		History:  r.TimeSeries,
		Verdicts: r.Verdicts,
		Capacity: reportCapacity(r.Capacity),
	})
}

// reportCapacity is the search's outcome as the HTML report charts it.
func reportCapacity(c *capacity.Result) *report.Capacity {
	if c == nil {
		return nil
	}
	out := &report.Capacity{Rate: c.Rate, BrokeAt: c.BrokeAt, Limit: c.Limit, Thresholds: c.Thresholds, Confirmed: c.Confirmed, Complete: c.Complete}
	for _, st := range c.Steps {
		out.Steps = append(out.Steps, report.CapacityStep{Phase: st.Phase, Rate: st.Rate, RPS: st.RPS, P50Ms: st.P50Ms, P95Ms: st.P95Ms,
			FailRatio: st.FailRatio, Held: st.Held, Broken: st.Broken})
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
