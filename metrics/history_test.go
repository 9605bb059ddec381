package metrics

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Locust 2.x's _stats_history.csv header (stats.py, StatsCSVFileWriter), written out literally.
const locustHistoryHeader = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size"

func TestLocustCSVHeaders(t *testing.T) {
	snap := sampleSnapshot(t)
	tests := []struct {
		file   string
		write  func(*bytes.Buffer) error
		header string
	}{
		{"_stats.csv", func(b *bytes.Buffer) error { return WriteStatsCSV(b, snap) },
			"Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"},
		{"_stats_history.csv", func(b *bytes.Buffer) error { return writeHistoryCSV(b, nil) }, locustHistoryHeader},
		{"_failures.csv", func(b *bytes.Buffer) error { return WriteFailuresCSV(b, snap) }, "Method,Name,Error,Occurrences"},
		{"_exceptions.csv", func(b *bytes.Buffer) error { return WriteExceptionsCSV(b, snap) }, "Count,Message,Traceback,Nodes"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := tt.write(&b); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(b.String(), "\n"); first != tt.header {
			t.Errorf("%s header\n%s\nwant\n%s", tt.file, first, tt.header)
		}
	}
}

// run100 records 100 requests a second (10 ms each, every tenth failing)
// through second n-1 of the run, sampling the history after each second.
func run100(t *testing.T, h *History, s *Stats, c *clock, n int) {
	t.Helper()
	r := s.Recorder()
	for sec := range n {
		for i := range 100 {
			at := t0.Add(time.Duration(sec)*time.Second + time.Duration(i)*10*time.Millisecond)
			msg := ""
			if i%10 == 0 {
				msg = "boom"
			}
			name := "/a"
			if i%2 == 1 {
				name = "/b"
			}
			r.Record("GET", name, at, 10*time.Millisecond, 100, msg)
		}
		r.Flush()
		now := t0.Add(time.Duration(sec+1)*time.Second + 100*time.Millisecond)
		c.Set(now)
		h.Sample(now, sec+1)
		h.Sample(now.Add(500*time.Millisecond), sec+1) // the same second: ignored
	}
}

func TestHistoryOneRowPerSecond(t *testing.T) {
	for _, perName := range []bool{false, true} {
		t.Run("perName="+strconv.FormatBool(perName), func(t *testing.T) {
			s, c := newTestStats(Options{NameWindows: perName})
			var csvOut bytes.Buffer
			h := NewHistory(s, HistoryOptions{PerName: perName, CSV: &csvOut})
			run100(t, h, s, c, 5)
			if err := h.Err(); err != nil {
				t.Fatal(err)
			}
			rows := readCSV(t, csvOut.Bytes())
			if strings.Join(rows[0], ",") != locustHistoryHeader {
				t.Fatalf("header %q", rows[0])
			}
			perSample := 1
			if perName {
				perSample = 3
			}
			if len(rows)-1 != 5*perSample {
				t.Fatalf("%d rows for 5 seconds, want %d:\n%s", len(rows)-1, 5*perSample, csvOut.String())
			}
			var last int64
			for i, row := range rows[1:] {
				ts, _ := strconv.ParseInt(row[0], 10, 64)
				if i%perSample == 0 {
					if last != 0 && ts != last+1 {
						t.Errorf("row %d at %d, the one before at %d", i+1, ts, last)
					}
					last = ts
				}
				if (i%perSample == perSample-1) != (row[3] == "Aggregated") {
					t.Errorf("row %d is %q: the Aggregated row must end each sample", i+1, row[3])
				}
			}
			final := rows[len(rows)-1]
			want := []string{strconv.FormatInt(t0.Unix()+5, 10), "5", "", "Aggregated", "100", "10", "10"}
			if strings.Join(final[:7], ",") != strings.Join(want, ",") {
				t.Errorf("final row starts %q, want %q", final[:7], want)
			}
			if final[17] != "500" || final[18] != "50" || final[19] != "10" || final[23] != "100" {
				t.Errorf("final row totals %q", final[17:])
			}
			if perName {
				a := rows[len(rows)-3]
				if a[3] != "/a" || a[4] != "50" || a[5] != "10" || a[6] != "10" {
					t.Errorf("per-name row %q", a)
				}
			}
			if got := len(h.Rows()); got != 5 {
				t.Errorf("%d rows in memory, want 5 (Aggregated only)", got)
			}
		})
	}
}

func TestHistoryBoundedAndReset(t *testing.T) {
	s, c := newTestStats(Options{})
	h := NewHistory(s, HistoryOptions{MaxPoints: 8})
	for sec := 1; sec <= 40; sec++ {
		now := t0.Add(time.Duration(sec) * time.Second)
		c.Set(now)
		h.Sample(now, sec)
	}
	rows := h.Rows()
	if len(rows) > 8 || len(rows) < 4 {
		t.Fatalf("%d rows kept, want 4 to 8", len(rows))
	}
	if first, last := rows[0].Time.Unix()-t0.Unix(), rows[len(rows)-1].Time.Unix()-t0.Unix(); first != 1 || last < 33 {
		t.Errorf("kept seconds %d to %d, want the whole span", first, last)
	}
	for i := 1; i < len(rows); i++ {
		if d := rows[i].Time.Sub(rows[i-1].Time); d <= 0 {
			t.Errorf("rows out of order at %d", i)
		}
	}
	s.Reset()
	now := t0.Add(41 * time.Second)
	c.Set(now)
	h.Sample(now, 1)
	if rows := h.Rows(); len(rows) != 1 || rows[0].Users != 1 {
		t.Errorf("after a reset %d rows, want the new one alone", len(rows))
	}
}

func TestHistoryRowJSON(t *testing.T) {
	s, c := newTestStats(Options{})
	h := NewHistory(s, HistoryOptions{})
	run100(t, h, s, c, 2)
	b, err := json.Marshal(h.Rows())
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	r := rows[1]
	for _, k := range []string{"time", "users", "name", "rps", "fail_per_s", "percentiles", "requests", "failures", "median_ms", "avg_ms", "min_ms", "max_ms", "avg_size"} {
		if _, ok := r[k]; !ok {
			t.Errorf("time series row lacks %q: %s", k, b)
		}
	}
	if p := r["percentiles"].(map[string]any); p["95"] != 10.0 || r["requests"] != 200.0 {
		t.Errorf("row %v", r)
	}
}

func TestPercentilesWithinMinMax(t *testing.T) {
	s, c := newTestStats(Options{NameWindows: true})
	r := s.Recorder()
	for i := range 1000 {
		r.Record("GET", "/x", t0.Add(time.Duration(i)*time.Millisecond), 20*time.Millisecond+time.Duration(i%7)*time.Microsecond, 0, "")
	}
	r.Flush()
	c.Set(t0.Add(time.Second))
	snap := s.Snapshot()
	e := snap.Entries[0]
	for _, p := range Percentiles {
		if v := e.Percentile(p); v < e.MinTime || v > e.MaxTime {
			t.Errorf("p%v = %v outside [%v, %v]", p, v, e.MinTime, e.MaxTime)
		}
	}
	if med := e.Median(); med < 20*time.Millisecond || med > 20100*time.Microsecond {
		t.Errorf("a 20 ms endpoint's median reads %v", med)
	}
	for i, v := range s.CurrentPercentiles(Percentiles...) {
		if v < e.MinTime || v > e.MaxTime {
			t.Errorf("current p%v = %v outside [%v, %v]", Percentiles[i], v, e.MinTime, e.MaxTime)
		}
	}
}
