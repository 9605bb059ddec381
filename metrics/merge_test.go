package metrics

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// part is one segment of a test: its statistics, history and clock.
type part struct {
	s *Stats
	c *clock
	h *History
}

func newPart() *part {
	s, c := newTestStats(Options{})
	return &part{s: s, c: c, h: NewHistory(s, HistoryOptions{})}
}

// play records second by second from first to last (seconds after t0): users each make
// requests on three names with random latencies, a failure now and then, an exception,
// custom metric values and checks; the history samples every second.
func (p *part) play(t *testing.T, seed uint64, first, last int, users int, also ...*part) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	all := append([]*part{p}, also...)
	trend := make([]*Metric, len(all))
	count := make([]*Metric, len(all))
	recs := make([][]*Recorder, len(all))
	for i, q := range all {
		trend[i], _ = q.s.Metric("cart_value", Trend, false)
		count[i], _ = q.s.Metric("orders", Counter, false)
		for range users {
			recs[i] = append(recs[i], q.s.Recorder())
		}
	}
	for sec := first; sec <= last; sec++ {
		for u := range users {
			for k := range 5 {
				at := t0.Add(time.Duration(sec)*time.Second + time.Duration(u*100+k*10)*time.Millisecond)
				name := fmt.Sprintf("/n%d", rng.IntN(3))
				lat := time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond))
				errMsg := ""
				if rng.IntN(10) == 0 {
					errMsg = "HTTP 500"
				}
				v := rng.Float64() * 300
				for i := range all {
					r := recs[i][u]
					r.Record("GET", name, at, lat, 100, errMsg)
					r.Add(trend[i], v)
					r.Add(count[i], 1)
					r.Check("ok", errMsg == "")
				}
			}
		}
		for i, q := range all {
			for _, r := range recs[i] {
				r.Flush()
			}
			q.c.Set(t0.Add(time.Duration(sec+1)*time.Second + 100*time.Millisecond))
			q.h.Sample(q.c.Now(), users)
		}
	}
	for _, q := range all {
		q.s.Recorder().Exception("Error: boom", "at t (s.js:1:1)")
	}
}

// result writes p's JSON result to a file and reads it back.
func (p *part) result(t *testing.T) *Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.json")
	var b bytes.Buffer
	if err := WriteJSON(&b, p.s.Snapshot(), map[string]any{"time_series": p.h.Rows(), "run": map[string]any{"users": 1}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ReadResultFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sameEntry(t *testing.T, what string, got, want *Entry) {
	t.Helper()
	if got.Requests != want.Requests || got.Failures != want.Failures || got.MinTime != want.MinTime || got.MaxTime != want.MaxTime ||
		got.TotalSize != want.TotalSize || (got.TotalTime-want.TotalTime).Abs() > time.Duration(want.Requests)*time.Microsecond {
		t.Errorf("%s: %d/%d requests/failures, min %v max %v, want %d/%d, %v %v", what, got.Requests, got.Failures, got.MinTime, got.MaxTime,
			want.Requests, want.Failures, want.MinTime, want.MaxTime)
	}
	for _, p := range Percentiles {
		if got.Percentile(p) != want.Percentile(p) {
			t.Errorf("%s: p%v %v, want %v", what, p, got.Percentile(p), want.Percentile(p))
		}
	}
}

// Two segments merged are the one run that recorded everything: the same counts, the same
// histograms (every percentile), errors, exceptions, custom metrics and checks.
func TestMergeResultsIsTheWholeRun(t *testing.T) {
	a, b, whole := newPart(), newPart(), newPart()
	a.play(t, 1, 0, 5, 2, whole)
	b.play(t, 2, 3, 8, 3, whole)
	m, err := MergeResults(a.result(t), b.result(t))
	if err != nil {
		t.Fatal(err)
	}
	got, want := m.Snapshot, whole.result(t).Snapshot
	if len(got.Entries) != len(want.Entries) {
		t.Fatalf("%d rows, want %d", len(got.Entries), len(want.Entries))
	}
	for i := range want.Entries {
		sameEntry(t, want.Entries[i].Name, &got.Entries[i], &want.Entries[i])
	}
	sameEntry(t, "Aggregated", &got.Total, &want.Total)
	if !got.Start.Equal(t0) || got.Total.RPS(got.Now) != want.Total.RPS(want.Now) {
		t.Errorf("span: start %v, %v req/s, want %v", got.Start, got.Total.RPS(got.Now), want.Total.RPS(want.Now))
	}
	if len(got.Errors) != 3 || got.Errors[0].Occurrences+got.Errors[1].Occurrences+got.Errors[2].Occurrences != want.Total.Failures {
		t.Errorf("errors %+v", got.Errors)
	}
	if len(got.Exceptions) != 1 || got.Exceptions[0].Count != 2 {
		t.Errorf("exceptions %+v", got.Exceptions)
	}
	gc, wc := got.Metric("cart_value"), want.Metric("cart_value")
	for _, p := range []float64{50, 90, 95, 99} {
		if gc.Percentile(p) != wc.Percentile(p) {
			t.Errorf("cart_value p%v: %v, want %v", p, gc.Percentile(p), wc.Percentile(p))
		}
	}
	if gc.Count != wc.Count || got.Metric("orders").Sum != want.Metric("orders").Sum || got.Checks[0] != want.Checks[0] {
		t.Errorf("custom: %d trend values, %v orders, %+v; want %d, %v, %+v", gc.Count, got.Metric("orders").Sum, got.Checks, wc.Count, want.Metric("orders").Sum, want.Checks)
	}

	// The histories line up by second: users and totals add up; a part that ended keeps its totals.
	if len(m.History) != 9 {
		t.Fatalf("merged history has %d rows, want 9 (seconds 1 to 9)", len(m.History))
	}
	for _, row := range m.History {
		sec := row.Time.Sub(t0) / time.Second
		wantUsers := 0
		if sec >= 1 && sec <= 6 {
			wantUsers += 2
		}
		if sec >= 4 {
			wantUsers += 3
		}
		if row.Users != wantUsers {
			t.Errorf("second %d: %d users, want %d", sec, row.Users, wantUsers)
		}
		var whole HistoryRow
		for _, w := range wholeHistory(t, []*part{a, b}, sec) {
			whole.Requests += w.Requests
		}
		if row.Requests != whole.Requests {
			t.Errorf("second %d: %d requests, the parts had %d", sec, row.Requests, whole.Requests)
		}
	}
	last := m.History[len(m.History)-1]
	if last.Requests != want.Total.Requests || last.Failures != want.Total.Failures {
		t.Errorf("the merged history ends at %d requests, %d failures; the run had %d, %d", last.Requests, last.Failures, want.Total.Requests, want.Total.Failures)
	}
}

// wholeHistory returns each part's latest history row at or before sec.
func wholeHistory(t *testing.T, parts []*part, sec time.Duration) []HistoryRow {
	t.Helper()
	var out []HistoryRow
	for _, p := range parts {
		var last *HistoryRow
		rows := p.h.Rows()
		for i := range rows {
			if rows[i].Time.Sub(t0)/time.Second <= sec {
				last = &rows[i]
			}
		}
		if last != nil {
			out = append(out, *last)
		}
	}
	return out
}

// A result merged with itself keeps every percentile and doubles every count.
func TestMergeResultWithItself(t *testing.T) {
	p := newPart()
	p.play(t, 3, 0, 4, 2)
	one := p.result(t)
	two, err := MergeResults(one, p.result(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range one.Snapshot.Entries {
		o, d := &one.Snapshot.Entries[i], &two.Snapshot.Entries[i]
		if d.Requests != 2*o.Requests || d.Failures != 2*o.Failures {
			t.Errorf("%s: %d requests merged with itself, want %d", o.Name, d.Requests, 2*o.Requests)
		}
		for _, q := range Percentiles {
			if d.Percentile(q) != o.Percentile(q) {
				t.Errorf("%s: p%v %v merged with itself, %v alone", o.Name, q, d.Percentile(q), o.Percentile(q))
			}
		}
	}
	for i := range one.History {
		if two.History[i].Requests != 2*one.History[i].Requests || two.History[i].Users != 2*one.History[i].Users ||
			!two.History[i].Time.Equal(one.History[i].Time) || two.History[i].CurrentPercentile(95) != one.History[i].CurrentPercentile(95) {
			t.Errorf("history row %d: %+v merged with itself, %+v alone", i, two.History[i], one.History[i])
		}
	}
	if one.Extra["run"] == nil || one.Extra["time_series"] != nil {
		t.Errorf("extra keys read back: %v", one.Extra)
	}
	if _, err := MergeResults(); err == nil {
		t.Error("merging nothing succeeded")
	}
}
