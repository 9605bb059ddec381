// Package merge is `gust merge`: it combines the JSON results of the segments of one test
// (gust run --segment I/N on several machines or processes) into the result one run of the
// whole test would have given, and writes it through the run's own outputs (console summary,
// CSV set, HTML report, JSON result), so that a merged report is a report like any other.
//
// What is merged and how is metrics.MergeResults' (histograms without loss, history aligned by
// timestamp, failures, exceptions, custom metrics and checks summed); this package decides
// which results may be merged, describes the merged run, and judges the thresholds again.
package merge

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/session"
)

// input is one result file read back.
type input struct {
	path     string
	sum      [32]byte // of the file's bytes: the same result given twice is a self-merge
	res      *metrics.Result
	run      session.RunInfo
	segs     []engine.Segment // run.segment: one, a merged result's list, or the whole test
	dropped  int64
	verdicts []struct{ Expr string }
}

// Merged is the merged result and what the merge has to say about its inputs.
type Merged struct {
	Result *session.Result
	// Notes are remarks for the console (a self-merge, missing segments); not errors.
	Notes []string
}

// Files reads the results at paths and merges them. It refuses, naming the files, results
// of different scripts, of different splits (0/2 with 1/3), and two different results of one
// segment; the same file (byte for byte) given twice is merged with itself, with a note.
func Files(paths []string) (*Merged, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("no result given (usage: gust merge RESULT.json...)")
	}
	ins := make([]*input, 0, len(paths))
	for _, p := range paths {
		in, err := read(p)
		if err != nil {
			return nil, err
		}
		ins = append(ins, in)
	}
	notes, err := check(ins)
	if err != nil {
		return nil, err
	}
	parts := make([]*metrics.Result, len(ins))
	for i, in := range ins {
		parts[i] = in.res
	}
	m, err := metrics.MergeResults(parts...)
	if err != nil {
		return nil, err
	}
	res := &session.Result{Snapshot: m.Snapshot, Started: true, TimeSeries: m.History, Run: describe(ins)}
	for _, in := range ins {
		res.Dropped += in.dropped
	}
	// The parts' dropped arrivals are among their errors already, and so summed there.
	res.Open = res.Dropped > 0
	ts, err := thresholds(ins)
	if err != nil {
		return nil, err
	}
	res.Verdicts, res.Passed = metrics.EvaluateAll(ts, res.Snapshot)
	if res.Verdicts == nil {
		res.Verdicts = []metrics.Verdict{}
	}
	if res.TimeSeries == nil {
		res.TimeSeries = []metrics.HistoryRow{}
	}
	return &Merged{Result: res, Notes: notes}, nil
}

// read reads one result file and its run description.
func read(path string) (*input, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	res, err := metrics.ReadResult(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	in := &input{path: path, sum: sha256.Sum256(body), res: res}
	if raw, ok := res.Extra["run"]; ok {
		if err := json.Unmarshal(raw, &in.run); err != nil {
			return nil, fmt.Errorf("%s: run: %w", path, err)
		}
		in.run.RunTime = time.Duration(in.run.RunTimeS * float64(time.Second))
	}
	if raw, ok := res.Extra["dropped"]; ok {
		_ = json.Unmarshal(raw, &in.dropped)
	}
	if raw, ok := res.Extra["thresholds"]; ok {
		if err := json.Unmarshal(raw, &in.verdicts); err != nil {
			return nil, fmt.Errorf("%s: thresholds: %w", path, err)
		}
	}
	in.segs, err = segments(in.run.Segment)
	if err != nil {
		return nil, fmt.Errorf("%s: run.segment: %w", path, err)
	}
	return in, nil
}

// segments reads run.segment: "I/N", a merged result's "I/N,J/N,...", or "" (the whole test).
func segments(v string) ([]engine.Segment, error) {
	if v == "" {
		return []engine.Segment{{Index: 0, Count: 1}}, nil
	}
	var out []engine.Segment
	for _, part := range strings.Split(v, ",") {
		s, err := engine.ParseSegment(part)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// check refuses inputs that are not parts of one test, and notes what is odd but allowed.
func check(ins []*input) (notes []string, err error) {
	first := ins[0]
	script := filepath.Base(first.run.Script)
	for _, in := range ins[1:] {
		if s := filepath.Base(in.run.Script); s != script {
			return nil, fmt.Errorf("refusing to merge results of different scripts: %s ran %s, %s ran %s",
				first.path, first.run.Script, in.path, in.run.Script)
		}
	}
	n := first.segs[0].Count
	owner := map[int]*input{} // segment index -> the input that ran it
	var selfMerged []string
	for _, in := range ins {
		for _, s := range in.segs {
			if s.Count != n {
				return nil, fmt.Errorf("refusing to merge results of different splits: %s ran %s, %s ran %s",
					first.path, label(first.segs[0]), in.path, label(s))
			}
			prev, seen := owner[s.Index]
			switch {
			case !seen:
				owner[s.Index] = in
			case prev.sum == in.sum:
				// The same result again, byte for byte: a self-merge, which doubles the counts
				// and keeps every percentile (how a merge's exactness is checked).
				if !slices.Contains(selfMerged, in.path) {
					selfMerged = append(selfMerged, in.path)
					notes = append(notes, fmt.Sprintf("%s and %s are the same result (%s): merged with itself, its counts double and its percentiles stay",
						prev.path, in.path, label(s)))
				}
			default:
				return nil, fmt.Errorf("refusing to merge overlapping results: %s and %s both ran %s (merge each segment's result once)",
					prev.path, in.path, label(s))
			}
		}
	}
	var missing []string
	for i := range n {
		if owner[i] == nil {
			missing = append(missing, engine.Segment{Index: i, Count: n}.String())
		}
	}
	if len(missing) > 0 {
		notes = append(notes, fmt.Sprintf("segments %s are missing: the merged result covers only part of the test", strings.Join(missing, ", ")))
	}
	return notes, nil
}

func label(s engine.Segment) string {
	if s.Whole() {
		return "the whole test"
	}
	return "segment " + s.String()
}

// describe is the merged run: the whole of what the parts ran (users, iterations and spawn
// rates summed, the longest run time), and the segments it is made of.
func describe(ins []*input) session.RunInfo {
	out := ins[0].run
	out.Users, out.Iterations, out.IterationsDone, out.SpawnRate, out.RunTime = 0, 0, 0, 0, 0
	var hosts, reasons, ids, versions []string
	var segs []engine.Segment
	for _, in := range ins {
		r := in.run
		out.Users += r.Users
		out.Iterations += r.Iterations
		out.IterationsDone += r.IterationsDone
		out.SpawnRate += r.SpawnRate
		out.RunTime = max(out.RunTime, r.RunTime)
		hosts = addUnique(hosts, r.Host)
		reasons = addUnique(reasons, r.StopReason)
		ids = addUnique(ids, r.TestID)
		versions = addUnique(versions, r.Version)
		for _, s := range in.segs {
			if !s.Whole() {
				segs = append(segs, s)
			}
		}
	}
	out.RunTimeS = out.RunTime.Seconds()
	out.Host = strings.Join(hosts, " ")
	out.StopReason = strings.Join(reasons, "; ")
	out.TestID = strings.Join(ids, ",")
	out.Version = strings.Join(versions, ",")
	slices.SortFunc(segs, func(a, b engine.Segment) int { return a.Index - b.Index })
	list := make([]string, len(segs))
	for i, s := range segs {
		list[i] = s.String()
	}
	out.Segment = strings.Join(list, ",")
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.ExcludeTags == nil {
		out.ExcludeTags = []string{}
	}
	return out
}

func addUnique(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// thresholds are the thresholds the parts were judged by (their verdicts' expressions, each
// once, in the order first seen), to judge again on the merged whole: a p95 is the whole's
// p95, not an average of the parts'.
func thresholds(ins []*input) ([]metrics.Threshold, error) {
	var exprs []string
	for _, in := range ins {
		for _, v := range in.verdicts {
			exprs = addUnique(exprs, v.Expr)
		}
	}
	out := make([]metrics.Threshold, 0, len(exprs))
	for _, e := range exprs {
		t, err := metrics.ParseThreshold(e)
		if err != nil {
			return nil, fmt.Errorf("a result's threshold %s: %w", strconv.Quote(e), err)
		}
		out = append(out, t)
	}
	return out, nil
}
