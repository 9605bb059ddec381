package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// Result is a JSON result read back (WriteJSON's): what merging the results
// of several parts of one test needs.
type Result struct {
	// Snapshot holds the rows with their histograms, errors, exceptions,
	// custom metrics and checks. Current rates are not in the file: zero.
	Snapshot *Snapshot
	// History is the time_series, oldest first.
	History []HistoryRow
	// Extra holds the other top-level keys as written (run, thresholds, dropped, ...).
	Extra map[string]json.RawMessage
}

// ReadResult reads a JSON result that WriteJSON wrote, time_series included.
func ReadResult(r io.Reader) (*Result, error) {
	snap, extra, err := ReadJSON(r)
	if err != nil {
		return nil, err
	}
	res := &Result{Snapshot: snap, Extra: extra}
	if raw, ok := extra["time_series"]; ok {
		if err := json.Unmarshal(raw, &res.History); err != nil {
			return nil, fmt.Errorf("read result: time_series: %w", err)
		}
		delete(extra, "time_series")
	}
	return res, nil
}

// ReadResultFile reads the JSON result in the file at path; errors name the file.
func ReadResultFile(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := ReadResult(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// MergeResults merges the results of parts of one test (segments run on
// several machines) into the result one run of the whole would have given:
// counts add up, histograms and trend sketches merge without loss (merging a
// result with itself keeps every percentile), failures, exceptions and checks
// are summed, the run spans all parts, and the histories are aligned by
// timestamp and summed (MergeHistory). Extra is left nil: how the merged run
// is described (run, thresholds) is the caller's to build from the parts'.
// The inputs are not changed.
func MergeResults(rs ...*Result) (*Result, error) {
	if len(rs) == 0 {
		return nil, fmt.Errorf("merge: no results")
	}
	out := &Snapshot{}
	series := make([][]HistoryRow, 0, len(rs))
	for i, r := range rs {
		if r == nil || r.Snapshot == nil {
			return nil, fmt.Errorf("merge: result %d is empty", i+1)
		}
		out.Merge(r.Snapshot)
		series = append(series, r.History)
	}
	return &Result{Snapshot: out, History: MergeHistory(series...)}, nil
}

// MergeHistory aligns several parts' Aggregated series by timestamp (whole
// seconds: every gust samples a tenth of a second past each second) and sums
// them: users, current rates and totals add up; averages are weighted by
// requests; min and max are the parts' extremes. A part with no row at a
// second counts with its latest earlier row (a thinned series, or a part that
// ended: then with its totals but no users or rates) and not at all before
// its first row. Percentiles, current and median, cannot be merged from the
// series alone: they are the parts' values weighted by their requests (the
// final tables' percentiles, from the histograms, are exact).
func MergeHistory(series ...[]HistoryRow) []HistoryRow {
	var secs []int64
	for _, s := range series {
		for i := range s {
			secs = append(secs, s[i].Time.Unix())
		}
	}
	slices.Sort(secs)
	secs = slices.Compact(secs)
	out := make([]HistoryRow, 0, len(secs))
	next := make([]int, len(series)) // per part: its first row not yet passed
	for _, sec := range secs {
		var parts []HistoryRow
		for p, s := range series {
			for next[p] < len(s) && s[next[p]].Time.Unix() <= sec {
				next[p]++
			}
			if next[p] == 0 {
				continue // this part had not started
			}
			row := s[next[p]-1]
			if next[p] == len(s) && row.Time.Unix() < sec {
				// This part has ended: its totals stand, it has no users and no current rate.
				row.Users, row.CurrentRPS, row.CurrentFailPerSec, row.Current = 0, 0, 0, nil
			}
			parts = append(parts, row)
		}
		out = append(out, sumRows(time.Unix(sec, 0), parts))
	}
	return out
}

// sumRows adds up the rows of several parts at one second.
func sumRows(at time.Time, parts []HistoryRow) HistoryRow {
	out := HistoryRow{Time: at, Name: "Aggregated"}
	var totalTime, totalSize, median float64
	var curWeight float64
	cur := make([]float64, len(Percentiles))
	for i := range parts {
		r := &parts[i]
		out.Users += r.Users
		out.CurrentRPS += r.CurrentRPS
		out.CurrentFailPerSec += r.CurrentFailPerSec
		if r.Requests > 0 {
			if out.Requests == 0 || r.Min < out.Min {
				out.Min = r.Min
			}
			out.Max = max(out.Max, r.Max)
		}
		out.Requests += r.Requests
		out.Failures += r.Failures
		n := float64(r.Requests)
		totalTime += float64(r.Avg) * n
		totalSize += r.AvgSize * n
		median += float64(r.Median) * n
		if r.Current != nil && r.CurrentRPS > 0 {
			curWeight += r.CurrentRPS
			for j := range cur {
				if j < len(r.Current) {
					cur[j] += float64(r.Current[j]) * r.CurrentRPS
				}
			}
		}
	}
	if out.Requests > 0 {
		n := float64(out.Requests)
		out.Avg = time.Duration(totalTime / n)
		out.AvgSize = totalSize / n
		out.Median = time.Duration(median / n)
	}
	if curWeight > 0 {
		out.Current = make([]time.Duration, len(cur))
		for j := range cur {
			out.Current[j] = time.Duration(cur[j] / curWeight)
		}
	}
	return out
}

// UnmarshalJSON reads a row of the JSON result's time series (MarshalJSON's form).
func (r *HistoryRow) UnmarshalJSON(b []byte) error {
	var j historyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = HistoryRow{
		Time: time.Unix(j.Time, 0), Users: j.Users, Method: j.Method, Name: j.Name,
		CurrentRPS: j.RPS, CurrentFailPerSec: j.FailPerS, Requests: j.Requests, Failures: j.Failures,
		Median: fromMs(j.MedianMs), Avg: fromMs(j.AvgMs), Min: fromMs(j.MinMs), Max: fromMs(j.MaxMs), AvgSize: j.AvgSize,
	}
	if len(j.Percentiles) > 0 {
		r.Current = make([]time.Duration, len(Percentiles))
		for _, pv := range j.Percentiles {
			if i := slices.Index(Percentiles, pv.p); i >= 0 {
				r.Current[i] = fromMs(pv.ms)
			}
		}
	}
	return nil
}
