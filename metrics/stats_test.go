package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// t0 is a whole second, so that offsets from it read as second fractions.
var t0 = time.Unix(1_700_000_000, 0)

func newTestStats(o Options) (*Stats, *clock) {
	c := &clock{t: t0}
	o.Now = c.Now
	return New(o), c
}

func within(got, want time.Duration, rel float64) bool {
	return math.Abs(float64(got-want)) <= rel*float64(want)
}

func TestPercentiles(t *testing.T) {
	uniform := make([]time.Duration, 0, 1000)
	for i := 1; i <= 1000; i++ {
		uniform = append(uniform, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		name    string
		samples []time.Duration
		want    map[float64]time.Duration // within 0.1%
	}{
		{"uniform 1..1000ms", uniform, map[float64]time.Duration{
			50: 500 * time.Millisecond, 90: 900 * time.Millisecond, 99: 990 * time.Millisecond,
			99.9: 999 * time.Millisecond, 100: 1000 * time.Millisecond,
		}},
		{"single value", []time.Duration{123456789 * time.Nanosecond}, map[float64]time.Duration{
			50: 123456789, 66: 123456789, 99.99: 123456789, 100: 123456789,
		}},
		{"beyond the histogram range", []time.Duration{time.Millisecond, 20 * time.Minute}, map[float64]time.Duration{
			50: time.Millisecond, 100: 20 * time.Minute,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestStats(Options{})
			r := s.Recorder()
			for i, d := range tt.samples {
				r.Record("GET", "/", t0.Add(time.Duration(i)*time.Microsecond), d, 0, "")
			}
			r.Flush()
			snap := s.Snapshot()
			for _, e := range []Entry{snap.Entries[0], snap.Total} {
				for p, want := range tt.want {
					if got := e.Percentile(p); !within(got, want, 0.001) {
						t.Errorf("%s p%v = %v, want %v (±0.1%%)", e.Name, p, got, want)
					}
				}
				for _, p := range Percentiles {
					if got := e.Percentile(p); got > e.MaxTime || got < e.MinTime {
						t.Errorf("%s p%v = %v outside [%v, %v]", e.Name, p, got, e.MinTime, e.MaxTime)
					}
				}
				if e.Median() != e.Percentile(50) {
					t.Errorf("Median %v != p50 %v", e.Median(), e.Percentile(50))
				}
			}
		})
	}
}

func TestEmptyEntry(t *testing.T) {
	s, _ := newTestStats(Options{})
	snap := s.Snapshot()
	e := snap.Total
	if e.Name != "Aggregated" || e.Method != "" {
		t.Errorf("total is %q %q", e.Method, e.Name)
	}
	var nilHist Entry
	for _, x := range []*Entry{&e, &nilHist} {
		if x.Percentile(50) != 0 || x.Avg() != 0 || x.AvgSize() != 0 || x.FailRatio() != 0 || x.MinTime != 0 {
			t.Errorf("empty entry reports values: %+v", x)
		}
	}
	if len(snap.Entries) != 0 || len(snap.Errors) != 0 {
		t.Errorf("empty stats have rows: %+v", snap)
	}
}

func TestEntryValues(t *testing.T) {
	s, c := newTestStats(Options{})
	r := s.Recorder()
	r.Record("GET", "/a", t0.Add(100*time.Millisecond), 10*time.Millisecond, 100, "")
	r.Record("GET", "/a", t0.Add(200*time.Millisecond), 30*time.Millisecond, 300, "HTTP 500")
	r.Flush()
	c.Set(t0.Add(4 * time.Second))
	snap := s.Snapshot()
	e := snap.Entries[0]
	checks := []struct {
		what      string
		got, want any
	}{
		{"requests", e.Requests, int64(2)},
		{"failures", e.Failures, int64(1)},
		{"avg", e.Avg(), 20 * time.Millisecond},
		{"min", e.MinTime, 10 * time.Millisecond},
		{"max", e.MaxTime, 30 * time.Millisecond},
		{"avg size", e.AvgSize(), 200.0},
		{"fail ratio", e.FailRatio(), 0.5},
		// Locust's total_rps: up to the last request (0.2 s), and at least one second.
		{"rps", e.RPS(snap.Now), 2.0},
		{"fail/s", e.FailPerSec(snap.Now), 1.0},
		{"first", e.FirstRequest.Equal(t0.Add(100 * time.Millisecond)), true},
		{"last", e.LastRequest.Equal(t0.Add(200 * time.Millisecond)), true},
		{"start", snap.Start.Equal(t0), true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestConcurrentRecording(t *testing.T) {
	const users, perUser = 50, 2000
	names := []string{"/", "/items/", "/login", "/a", "/b"}
	s := New(Options{})
	base := time.Now()
	var wg sync.WaitGroup
	for u := range users {
		wg.Go(func() {
			r := s.Recorder()
			for i := range perUser {
				msg := ""
				if i%10 == 0 {
					msg = "HTTP 503"
				}
				end := base.Add(time.Duration(i) * time.Millisecond)
				r.Record("GET", names[(u+i)%len(names)], end, time.Duration(1+i%50)*time.Millisecond, 10, msg)
			}
			r.Flush()
		})
	}
	// Snapshots taken while recording goes on must not race or tear.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			snap := s.Snapshot()
			if snap.Total.Hist.TotalCount() != snap.Total.Requests {
				t.Errorf("torn snapshot: %d in histogram, %d requests", snap.Total.Hist.TotalCount(), snap.Total.Requests)
			}
			s.CurrentPercentiles(50, 95)
		}
	}()
	wg.Wait()
	<-done

	snap := s.Snapshot()
	total := int64(users * perUser)
	if snap.Total.Requests != total || snap.Total.Failures != total/10 {
		t.Fatalf("total %d requests, %d failures; want %d, %d", snap.Total.Requests, snap.Total.Failures, total, total/10)
	}
	if len(snap.Entries) != len(names) {
		t.Fatalf("%d rows, want %d", len(snap.Entries), len(names))
	}
	var sum, fails int64
	for _, e := range snap.Entries {
		sum += e.Requests
		if e.Hist.TotalCount() != e.Requests {
			t.Errorf("%s: histogram holds %d of %d", e.Name, e.Hist.TotalCount(), e.Requests)
		}
	}
	for _, g := range snap.Errors {
		fails += g.Occurrences
	}
	if sum != total || fails != total/10 {
		t.Errorf("rows sum to %d, errors to %d", sum, fails)
	}
	if snap.Total.TotalSize != 10*total {
		t.Errorf("total size %d", snap.Total.TotalSize)
	}
}

func TestRecorderFlushes(t *testing.T) {
	tests := []struct {
		name    string
		records int
		step    time.Duration // between completion times
		want    int64         // visible without an explicit Flush
	}{
		{"buffered", 5, time.Millisecond, 0},
		{"full buffer", maxBuffered + 3, time.Microsecond, maxBuffered},
		{"old buffer", 3, 200 * time.Millisecond, 3}, // the third is 400 ms after the first
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestStats(Options{})
			r := s.Recorder()
			for i := range tt.records {
				r.Record("GET", "/", t0.Add(time.Duration(i)*tt.step), time.Millisecond, 0, "")
			}
			if got := s.Snapshot().Total.Requests; got != tt.want {
				t.Errorf("before Flush: %d requests visible, want %d", got, tt.want)
			}
			r.Flush()
			if got := s.Snapshot().Total.Requests; got != int64(tt.records) {
				t.Errorf("after Flush: %d requests, want %d", got, tt.records)
			}
		})
	}
}

func TestFailureGrouping(t *testing.T) {
	s, _ := newTestStats(Options{})
	r := s.Recorder()
	rec := func(method, name, msg string, n int, at time.Duration) {
		for range n {
			r.Record(method, name, t0.Add(at), time.Millisecond, 0, msg)
		}
	}
	rec("GET", "/a", "HTTP 500", 3, time.Second)
	rec("GET", "/a", "HTTP 500", 1, 3*time.Second)
	rec("GET", "/a", "connection refused", 2, 2*time.Second)
	rec("POST", "/a", "HTTP 500", 1, 2*time.Second)
	rec("GET", "/a", "", 5, 2*time.Second)
	r.Flush()
	snap := s.Snapshot()
	want := []struct {
		method, name, err string
		n                 int64
	}{
		{"GET", "/a", "HTTP 500", 4},
		{"GET", "/a", "connection refused", 2},
		{"POST", "/a", "HTTP 500", 1},
	}
	if len(snap.Errors) != len(want) {
		t.Fatalf("%d groups, want %d: %+v", len(snap.Errors), len(want), snap.Errors)
	}
	for i, w := range want {
		g := snap.Errors[i]
		if g.Method != w.method || g.Name != w.name || g.Error != w.err || g.Occurrences != w.n {
			t.Errorf("group %d = %+v, want %+v", i, g, w)
		}
	}
	if g := snap.Errors[0]; !g.FirstSeen.Equal(t0.Add(time.Second)) || !g.LastSeen.Equal(t0.Add(3*time.Second)) {
		t.Errorf("seen %v .. %v", g.FirstSeen, g.LastSeen)
	}
	get := snap.Entries[0]
	if get.Method != "GET" || get.Requests != 11 || get.Failures != 6 {
		t.Errorf("GET /a row: %d requests, %d failures", get.Requests, get.Failures)
	}
}

func TestErrorCap(t *testing.T) {
	s, _ := newTestStats(Options{MaxErrors: 2})
	r := s.Recorder()
	for i := range 5 {
		r.Record("GET", "/", t0, time.Millisecond, 0, fmt.Sprintf("error %d", i))
		r.Exception(fmt.Sprintf("exception %d", i), "at x.js:1")
	}
	r.Flush()
	snap := s.Snapshot()
	if len(snap.Errors) != 3 || snap.Errors[0].Error != OtherErrors || snap.Errors[0].Occurrences != 3 {
		t.Errorf("errors: %+v", snap.Errors)
	}
	if len(snap.Exceptions) != 3 || snap.Exceptions[0].Message != OtherErrors || snap.Exceptions[0].Count != 3 {
		t.Errorf("exceptions: %+v", snap.Exceptions)
	}
}

func TestExceptions(t *testing.T) {
	s, _ := newTestStats(Options{})
	r := s.Recorder()
	for range 3 {
		r.Exception("TypeError: x is undefined", "at getItems (locustfile.js:7:3)")
	}
	r.Exception("TypeError: x is undefined", "at getRoot (locustfile.js:9:3)")
	snap := s.Snapshot()
	if len(snap.Exceptions) != 2 {
		t.Fatalf("%d groups: %+v", len(snap.Exceptions), snap.Exceptions)
	}
	if g := snap.Exceptions[0]; g.Count != 3 || !strings.Contains(g.Traceback, "getItems") || g.Nodes != "local" {
		t.Errorf("first group %+v", g)
	}
}

func TestNameCap(t *testing.T) {
	var warnings []string
	s, _ := newTestStats(Options{MaxNames: 3, OnWarn: func(m string) { warnings = append(warnings, m) }})
	r := s.Recorder()
	for i := range 6 {
		r.Record("GET", fmt.Sprintf("/items/%d", i), t0, time.Millisecond, 0, "")
	}
	r.Record("GET", "/items/0", t0, time.Millisecond, 0, "") // known names stay in their row
	r.Record("POST", "/items/9", t0, time.Millisecond, 0, "HTTP 500")
	r.Flush()
	r.Record("GET", "/items/10", t0, time.Millisecond, 0, "")
	r.Flush()

	snap := s.Snapshot()
	rows := map[string]int64{}
	for _, e := range snap.Entries {
		rows[e.Method+" "+e.Name] = e.Requests
	}
	want := map[string]int64{
		"GET /items/0": 2, "GET /items/1": 1, "GET /items/2": 1,
		"GET " + OtherNames: 4, "POST " + OtherNames: 1,
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("rows %v, want %v", rows, want)
	}
	if len(snap.Errors) != 1 || snap.Errors[0].Name != OtherNames {
		t.Errorf("errors %+v", snap.Errors)
	}
	if len(warnings) != 1 {
		t.Fatalf("%d warnings, want 1: %q", len(warnings), warnings)
	}
	if !strings.Contains(warnings[0], "3") || !strings.Contains(warnings[0], "name") {
		t.Errorf("warning does not name the cap and the name option: %q", warnings[0])
	}
}

func TestReset(t *testing.T) {
	s, c := newTestStats(Options{})
	r := s.Recorder()
	r.Record("GET", "/", t0, time.Millisecond, 0, "boom")
	r.Exception("boom", "")
	r.Flush()
	r.Record("GET", "/old", t0, time.Millisecond, 0, "") // still buffered at the reset

	c.Set(t0.Add(5 * time.Second))
	s.Reset()
	snap := s.Snapshot()
	if snap.Total.Requests != 0 || len(snap.Entries) != 0 || len(snap.Errors) != 0 || len(snap.Exceptions) != 0 {
		t.Fatalf("not cleared: %+v", snap)
	}
	if !snap.Start.Equal(t0.Add(5 * time.Second)) {
		t.Errorf("start %v after reset", snap.Start)
	}
	if p := s.CurrentPercentiles(50); p[0] != 0 {
		t.Errorf("current p50 %v after reset", p[0])
	}

	r.Record("GET", "/new", t0.Add(5*time.Second), 2*time.Millisecond, 0, "")
	r.Flush()
	snap = s.Snapshot()
	if len(snap.Entries) != 1 || snap.Entries[0].Name != "/new" || snap.Total.Requests != 1 {
		t.Errorf("after reset: %+v", snap.Entries)
	}
	if snap.Total.MinTime != 2*time.Millisecond {
		t.Errorf("min %v", snap.Total.MinTime)
	}
}

func TestCurrentRates(t *testing.T) {
	// 100 requests a second, 10 of them failing, from t0 on.
	record := func(s *Stats, from, to time.Duration) {
		r := s.Recorder()
		for at := from; at < to; at += 10 * time.Millisecond {
			msg := ""
			if at%(100*time.Millisecond) == 0 {
				msg = "HTTP 500"
			}
			r.Record("GET", "/", t0.Add(at), time.Millisecond, 0, msg)
		}
		r.Flush()
	}
	tests := []struct {
		name      string
		start     time.Duration // run start after t0
		until     time.Duration // requests stop
		now       time.Duration
		rps, fail float64
	}{
		{"steady, window full", 0, 30 * time.Second, 20*time.Second + 300*time.Millisecond, 100, 10},
		{"first seconds", 0, 30 * time.Second, 2*time.Second + 500*time.Millisecond, 100, 10},
		{"started mid-second", 500 * time.Millisecond, 30 * time.Second, 3*time.Second + 100*time.Millisecond, 100, 10},
		{"within the first second", 0, 30 * time.Second, 400 * time.Millisecond, 100, 10},
		{"stopped 5 s ago", 0, 15 * time.Second, 20*time.Second + 100*time.Millisecond, 50, 5},
		{"stopped long ago", 0, 5 * time.Second, 60 * time.Second, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTestStats(Options{})
			c.Set(t0.Add(tt.start))
			s.Reset()
			record(s, tt.start, min(tt.until, tt.now))
			c.Set(t0.Add(tt.now))
			snap := s.Snapshot()
			for _, e := range []Entry{snap.Entries[0], snap.Total} {
				if math.Abs(e.CurrentRPS-tt.rps) > 0.01 || math.Abs(e.CurrentFailPerSec-tt.fail) > 0.01 {
					t.Errorf("%s: current %.3f req/s, %.3f fail/s; want %v, %v", e.Name, e.CurrentRPS, e.CurrentFailPerSec, tt.rps, tt.fail)
				}
			}
		})
	}
}

func TestCurrentPercentiles(t *testing.T) {
	s, c := newTestStats(Options{})
	r := s.Recorder()
	// A slow first half minute, then fast requests: the window sees only these.
	for i := range 30 {
		r.Record("GET", "/", t0.Add(time.Duration(i)*time.Second), 900*time.Millisecond, 0, "")
	}
	for i := range 1000 {
		at := 30*time.Second + time.Duration(i)*10*time.Millisecond
		r.Record("GET", "/", t0.Add(at), time.Duration(1+i%100)*time.Millisecond, 0, "")
	}
	r.Flush()
	c.Set(t0.Add(40 * time.Second))
	got := s.CurrentPercentiles(50, 95, 100)
	want := []time.Duration{50 * time.Millisecond, 95 * time.Millisecond, 100 * time.Millisecond}
	for i := range want {
		if !within(got[i], want[i], 0.001) {
			t.Errorf("current percentile %d = %v, want %v", i, got[i], want[i])
		}
	}
	if total := s.Snapshot().Total; total.Percentile(100) != 900*time.Millisecond {
		t.Errorf("whole-run max %v", total.Percentile(100))
	}
	c.Set(t0.Add(2 * time.Minute))
	if got := s.CurrentPercentiles(50); got[0] != 0 {
		t.Errorf("idle window p50 = %v, want 0", got[0])
	}
}

func TestAggregate(t *testing.T) {
	s, _ := newTestStats(Options{})
	r := s.Recorder()
	r.Record("GET", "/", t0, 5*time.Millisecond, 0, "")
	r.Record("GET", "/x", t0, 7*time.Millisecond, 0, "")
	r.Flush()
	a := s.Aggregate()
	if a.Requests != 2 || a.Name != "Aggregated" || a.Percentile(100) != 7*time.Millisecond {
		t.Errorf("aggregate %+v", a)
	}
}

func TestSnapshotOrder(t *testing.T) {
	s, _ := newTestStats(Options{})
	r := s.Recorder()
	for _, k := range [][2]string{{"POST", "/b"}, {"GET", "/b"}, {"GET", "/a"}, {"DELETE", "/c"}} {
		r.Record(k[0], k[1], t0, time.Millisecond, 0, "")
	}
	r.Flush()
	var got []string
	for _, e := range s.Snapshot().Entries {
		got = append(got, e.Method+" "+e.Name)
	}
	if want := "[GET /a GET /b POST /b DELETE /c]"; fmt.Sprint(got) != want {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestMerge(t *testing.T) {
	parts := make([]*Snapshot, 2)
	one, _ := newTestStats(Options{})
	r1 := one.Recorder()
	for i := range parts {
		s, c := newTestStats(Options{Node: fmt.Sprintf("node%d", i)})
		c.Set(t0.Add(time.Duration(i) * time.Second))
		s.Reset()
		r := s.Recorder()
		for j := range 500 {
			d := time.Duration(1+j+1000*i) * time.Millisecond
			msg := ""
			if j%50 == 0 {
				msg = "HTTP 500"
			}
			at := t0.Add(time.Duration(i)*time.Second + time.Duration(j)*time.Millisecond)
			r.Record("GET", fmt.Sprintf("/%d", j%2+i), at, d, 1, msg)
			r1.Record("GET", fmt.Sprintf("/%d", j%2+i), at, d, 1, msg)
		}
		r.Exception("boom", "at x.js:1")
		r1.Exception("boom", "at x.js:1")
		r.Flush()
		c.Set(t0.Add(10 * time.Second))
		parts[i] = s.Snapshot()
	}
	r1.Flush()
	want := one.Snapshot()

	got := parts[0]
	got.Merge(parts[1])
	if !got.Start.Equal(t0) || !got.Now.Equal(t0.Add(10*time.Second)) {
		t.Errorf("span %v .. %v", got.Start, got.Now)
	}
	if len(got.Entries) != len(want.Entries) {
		t.Fatalf("%d rows, want %d", len(got.Entries), len(want.Entries))
	}
	for i, w := range append(want.Entries, want.Total) {
		g := got.Total
		if i < len(got.Entries) {
			g = got.Entries[i]
		}
		if g.Name != w.Name || g.Requests != w.Requests || g.Failures != w.Failures || g.TotalTime != w.TotalTime ||
			g.MinTime != w.MinTime || g.MaxTime != w.MaxTime || g.TotalSize != w.TotalSize || !sameHist(g.Hist, w.Hist) {
			t.Errorf("row %s differs from one run:\n got %+v\nwant %+v", w.Name, g, w)
		}
	}
	if len(got.Errors) != 2 || len(got.Exceptions) != 1 || got.Exceptions[0].Count != 2 ||
		got.Exceptions[0].Nodes != "node0, node1" {
		t.Errorf("errors %+v, exceptions %+v", got.Errors, got.Exceptions)
	}
}

// A row's rate is over the run, not up to its own last request: a name requested only at
// the start must not read as busy as the whole test, and the rows add up to the aggregate
// in every output that prints them.
func TestRowRatesAddUpToAggregate(t *testing.T) {
	s, c := newTestStats(Options{})
	r := s.Recorder()
	for i := range 10 {
		r.Record("GET", "early", t0.Add(time.Duration(i)*10*time.Millisecond), time.Millisecond, 1, "")
	}
	for i := range 40 {
		r.Record("GET", "/", t0.Add(time.Duration(i)*100*time.Millisecond), time.Millisecond, 1, "boom")
	}
	r.Flush()
	c.Set(t0.Add(5 * time.Second))
	snap := s.Snapshot()
	var rps, fps float64
	for i := range snap.Entries {
		rps += snap.Entries[i].RPS(snap.Now)
		fps += snap.Entries[i].FailPerSec(snap.Now)
	}
	if tr := snap.Total.RPS(snap.Now); math.Abs(rps-tr) > 1e-9 || math.Abs(fps-snap.Total.FailPerSec(snap.Now)) > 1e-9 {
		t.Fatalf("rows add up to %.3f req/s, %.3f fail/s; the aggregate says %.3f, %.3f", rps, fps, tr, snap.Total.FailPerSec(snap.Now))
	}
	if e := snap.Entries[1]; e.Name != "early" || math.Abs(e.RPS(snap.Now)-10/3.9) > 1e-9 {
		t.Errorf("%s: %.3f req/s, want 10 over the run's 3.9 s", e.Name, e.RPS(snap.Now))
	}
	var csvBuf, jsonBuf strings.Builder
	if err := WriteStatsCSV(&csvBuf, snap); err != nil {
		t.Fatal(err)
	}
	var sum, agg float64
	for _, row := range strings.Split(strings.TrimSpace(csvBuf.String()), "\n")[1:] {
		f := strings.Split(row, ",")
		v, _ := strconv.ParseFloat(f[9], 64)
		if f[1] == "Aggregated" {
			agg = v
		} else {
			sum += v
		}
	}
	if math.Abs(sum-agg) > 0.02 {
		t.Errorf("CSV rows' Requests/s add up to %v, Aggregated says %v", sum, agg)
	}
	if err := WriteJSON(&jsonBuf, snap, nil); err != nil {
		t.Fatal(err)
	}
	back, _, err := ReadJSON(strings.NewReader(jsonBuf.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Entries[1].RPS(back.Now); math.Abs(got-10/3.9) > 1e-9 {
		t.Errorf("read back: early %.3f req/s, want the run's span", got)
	}
}

// Error groups of the same key merge into one spanning both parts; others are kept.
func TestMergeErrorGroupsSpanBothParts(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	a := &Snapshot{Errors: []ErrorGroup{{Method: "GET", Name: "/a", Error: "HTTP 500", Occurrences: 2, FirstSeen: t0.Add(time.Second), LastSeen: t0.Add(3 * time.Second)}}}
	b := &Snapshot{Errors: []ErrorGroup{
		{Method: "GET", Name: "/a", Error: "HTTP 500", Occurrences: 5, FirstSeen: t0, LastSeen: t0.Add(2 * time.Second)},
		{Method: "GET", Name: "/b", Error: "HTTP 503", Occurrences: 1, FirstSeen: t0, LastSeen: t0},
	}}
	a.Merge(b)
	if len(a.Errors) != 2 {
		t.Fatalf("%d groups: %+v", len(a.Errors), a.Errors)
	}
	g := a.Errors[0]
	if g.Name != "/a" || g.Occurrences != 7 || !g.FirstSeen.Equal(t0) || !g.LastSeen.Equal(t0.Add(3*time.Second)) {
		t.Errorf("merged group %+v", g)
	}
}
