package metrics

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sampleSnapshot is a small finished run: two rows, failures, an exception,
// ten seconds long.
func sampleSnapshot(t *testing.T) *Snapshot {
	t.Helper()
	s, c := newTestStats(Options{})
	r := s.Recorder()
	for i := range 100 {
		// The last request lands at 10 s, the end of the run's rates (Locust's total_rps).
		at := t0.Add(time.Duration(i+1) * 100 * time.Millisecond)
		r.Record("GET", "/items/", at, time.Duration(i+1)*time.Millisecond, 1000, "")
	}
	for i := range 10 {
		at := t0.Add(time.Duration(i+1) * time.Second)
		msg := ""
		if i < 4 {
			msg = `HTTP 500: "internal, error"`
		}
		r.Record("POST", "/login", at, 20430*time.Microsecond, 10, msg)
	}
	r.Exception("TypeError: x is undefined", "at getItems (locustfile.js:7:3)\nat run (gust:1:1)")
	r.Flush()
	c.Set(t0.Add(10 * time.Second))
	return s.Snapshot()
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("unreadable CSV: %v\n%s", err, b)
	}
	return rows
}

func TestStatsCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteStatsCSV(&b, sampleSnapshot(t)); err != nil {
		t.Fatal(err)
	}
	const header = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
	if first, _, _ := strings.Cut(b.String(), "\n"); first != header {
		t.Errorf("header\n%s\nwant\n%s", first, header)
	}
	rows := readCSV(t, b.Bytes())
	want := [][]string{
		// Percentiles are the top of their histogram bucket: within 0.1% above.
		{"GET", "/items/", "100", "0", "50.02", "50.5", "1", "100", "1000", "10", "0", "50.02", "66.05", "75.01", "80.06", "90.05", "95.04", "98.05", "99.01", "100", "100", "100"},
		{"POST", "/login", "10", "4", "20.43", "20.43", "20.43", "20.43", "10", "1", "0.4", "20.43", "20.43", "20.43", "20.43", "20.43", "20.43", "20.43", "20.43", "20.43", "20.43", "20.43"},
		{"", "Aggregated", "110", "4", "45.02", "47.77", "1", "100", "910", "11", "0.4", "45.02", "63.01", "73.02", "78.02", "89.02", "95.04", "98.05", "99.01", "100", "100", "100"},
	}
	if len(rows) != len(want)+1 {
		t.Fatalf("%d rows, want %d", len(rows), len(want)+1)
	}
	for i, w := range want {
		if strings.Join(rows[i+1], ",") != strings.Join(w, ",") {
			t.Errorf("row %d\n got %s\nwant %s", i+1, strings.Join(rows[i+1], ","), strings.Join(w, ","))
		}
	}
}

func TestStatsCSVEmpty(t *testing.T) {
	s, _ := newTestStats(Options{})
	var b bytes.Buffer
	if err := WriteStatsCSV(&b, s.Snapshot()); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, b.Bytes())
	if len(rows) != 2 || rows[1][1] != "Aggregated" || rows[1][2] != "0" || rows[1][11] != "N/A" {
		t.Errorf("empty run rows %q", rows)
	}
}

func TestFailuresAndExceptionsCSV(t *testing.T) {
	snap := sampleSnapshot(t)
	tests := []struct {
		name   string
		write  func(*bytes.Buffer, *Snapshot) error
		header string
		row    []string
	}{
		{"failures", func(b *bytes.Buffer, s *Snapshot) error { return WriteFailuresCSV(b, s) },
			"Method,Name,Error,Occurrences",
			[]string{"POST", "/login", `HTTP 500: "internal, error"`, "4"}},
		{"exceptions", func(b *bytes.Buffer, s *Snapshot) error { return WriteExceptionsCSV(b, s) },
			"Count,Message,Traceback,Nodes",
			[]string{"1", "TypeError: x is undefined", "at getItems (locustfile.js:7:3)\nat run (gust:1:1)", "local"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b, snap); err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(b.String(), "\n"); first != tt.header {
				t.Errorf("header %q, want %q", first, tt.header)
			}
			rows := readCSV(t, b.Bytes())
			if len(rows) != 2 || strings.Join(rows[1], "|") != strings.Join(tt.row, "|") {
				t.Errorf("rows %q, want %q", rows[1:], tt.row)
			}
		})
	}
}

func TestWriteSummary(t *testing.T) {
	var b bytes.Buffer
	WriteSummary(&b, sampleSnapshot(t))
	out := b.String()
	lines := strings.Split(out, "\n")
	find := func(prefix string) []string {
		var found []string
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				found = append(found, l)
			}
		}
		return found
	}
	// Locust's exact header and the Aggregated row's layout.
	wantHeader := "Type     Name" + strings.Repeat(" ", 72) + "  # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s"
	if h := find("Type     Name"); len(h) != 2 || h[0] != wantHeader {
		t.Errorf("requests header\n%q\nwant\n%q", h, wantHeader)
	}
	agg := find("         Aggregated")
	if len(agg) != 2 {
		t.Fatalf("want an Aggregated row in both tables:\n%s", out)
	}
	if f := strings.Fields(agg[0]); strings.Join(f, " ") != "Aggregated 110 4(3.64%) | 48 1 100 45 | 11.00 0.40" {
		t.Errorf("requests Aggregated row %q", agg[0])
	}
	if f := strings.Fields(agg[1]); strings.Join(f, " ") != "Aggregated 45 63 73 78 89 95 98 99 100 100 100 110" {
		t.Errorf("percentiles Aggregated row %q", agg[1])
	}
	if rows := find("GET      /items/"); len(rows) != 2 || !strings.Contains(rows[0], "    100 ") {
		t.Errorf("GET rows %q", rows)
	}
	if !strings.Contains(out, "Response time percentiles (approximated)\nType     Name") {
		t.Errorf("no percentile table:\n%s", out)
	}
	if h := find("Type     Name"); len(h) == 2 && !strings.HasSuffix(h[1], "   50%    66%    75%    80%    90%    95%    98%    99%  99.9% 99.99%   100% # reqs") {
		t.Errorf("percentiles header %q", h[1])
	}
	if !strings.Contains(out, "Error report\n# occurrences      Error\n------------------|") ||
		!strings.Contains(out, "\n4                  POST /login: HTTP 500: \"internal, error\"\n") {
		t.Errorf("error report missing:\n%s", out)
	}
	// Every separator line has the same column breaks as its table.
	for _, l := range find("--------|") {
		if !strings.HasPrefix(l, strings.Repeat("-", 8)+"|") {
			t.Errorf("separator %q", l)
		}
	}
	for _, l := range lines {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing space in %q", l)
		}
	}
}

func TestWriteSummaryNoErrorsLongName(t *testing.T) {
	s, _ := newTestStats(Options{})
	r := s.Recorder()
	long := "/api/v1/" + strings.Repeat("segment/", 20) + "tail-id-12345"
	r.Record("GET", long, t0, time.Millisecond, 0, "")
	r.Flush()
	var b bytes.Buffer
	WriteSummary(&b, s.Snapshot())
	out := b.String()
	if strings.Contains(out, "Error report") {
		t.Errorf("error report without errors:\n%s", out)
	}
	var header, row string
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(l, "Type ") && header == "" {
			header = l
		}
		if strings.HasPrefix(l, "GET ") && row == "" {
			row = l
		}
	}
	if !strings.Contains(row, "/api/v1/") || !strings.Contains(row, "tail-id-12345") || !strings.Contains(row, "...") {
		t.Errorf("long name not shortened at its middle: %q", row)
	}
	if len(row) != len(header) {
		t.Errorf("row is %d wide, header %d:\n%s\n%s", len(row), len(header), header, row)
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"/short", 10, "/short"},
		{"/abcdefghij", 10, "/abc...hij"},
		{"/äöüäöüäöüä", 8, "/äö...üä"},
	}
	for _, tt := range tests {
		if got := fit(tt.in, tt.width); got != tt.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

// manyRows returns statistics with n rows of varied latencies, as a run over many URLs.
func manyRows(n int) *Stats {
	s := New(Options{MaxNames: n})
	r := s.Recorder()
	now := time.Now()
	for i := range n {
		for k := range 20 {
			r.Record("GET", fmt.Sprintf("/item?n=%d", i), now, time.Duration(1+k*k*(i%97+1))*time.Millisecond, 100, "")
		}
	}
	r.Flush()
	return s
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// With thousands of names a snapshot costs what its rows hold, not a dense histogram
// (172 KB) each, and the JSON result is streamed: writing it allocates a small multiple of
// its own size, not copies of the whole document.
func TestManyRowsStaySmall(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's own allocations blow any budget")
	}
	const rows = 2000
	s := manyRows(rows)
	dense := uint64(newHist().ByteSize())
	var snap *Snapshot
	if got := allocated(func() { snap = s.Snapshot() }); got > rows*dense/10 {
		t.Errorf("a snapshot of %d rows allocated %d KB, a tenth of a dense histogram per row is %d KB", rows, got>>10, rows*dense/10>>10)
	}
	var out countingWriter
	got := allocated(func() {
		if err := WriteJSON(&out, snap, map[string]any{"run": map[string]any{"users": 10}}); err != nil {
			t.Fatal(err)
		}
	})
	if got > 3*out.n+1<<20 {
		t.Errorf("writing a %d KB JSON result allocated %d KB (want at most 3x its size)", out.n>>10, got>>10)
	}
}

type countingWriter struct{ n uint64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += uint64(len(p))
	return len(p), nil
}

func TestSummaryHasAnExceptionsTable(t *testing.T) {
	s := New(Options{})
	r := s.Recorder()
	for i := 0; i < 3; i++ {
		r.Exception("Error: kaboom", "at t (boom.js:7:11)\nat run (boom.js:2:1)")
	}
	r.Flush()
	var b strings.Builder
	WriteSummary(&b, s.Snapshot())
	out := b.String()
	if !strings.Contains(out, "Exceptions") || !regexp.MustCompile(`(?m)^3 +Error: kaboom at t \(boom.js:7:11\)$`).MatchString(out) {
		t.Errorf("the summary lacks an Exceptions table with the count, message and place:\n%s", out)
	}
	b.Reset()
	WriteSummary(&b, New(Options{}).Snapshot())
	if strings.Contains(b.String(), "Exceptions") {
		t.Errorf("an Exceptions table without exceptions:\n%s", b.String())
	}
}

func TestSummaryEscapesTheTargetsControlCharacters(t *testing.T) {
	s := New(Options{})
	r := s.Recorder()
	r.Exception("Error: \x1b]0;PWNED\x07 in body", "at t (x.js:1:1)")
	r.Flush()
	var b strings.Builder
	WriteSummary(&b, s.Snapshot())
	if strings.Contains(b.String(), "\x1b") || !strings.Contains(b.String(), `Error: \x1b]0;PWNED\x07 in body`) {
		t.Errorf("the summary should show the escape spelled out:\n%q", b.String())
	}
}
