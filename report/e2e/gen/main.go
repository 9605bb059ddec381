// Command gen writes a sample HTML report for the browser test: a synthetic
// two-minute run with a ramp, a slow and a failing endpoint, an exception,
// thresholds and names that need escaping. It sends no request.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/report"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen OUT.html")
		os.Exit(2)
	}
	start := time.Date(2025, 1, 2, 15, 4, 0, 0, time.UTC)
	now := start
	stats := metrics.New(metrics.Options{Now: func() time.Time { return now }})
	hist := metrics.NewHistory(stats, metrics.HistoryOptions{})
	rec := stats.Recorder()
	const secs = 120
	for s := range secs {
		users := min(10, s/3+1)
		for i := range users * 8 {
			at := start.Add(time.Duration(s)*time.Second + time.Duration(i)*time.Second/time.Duration(users*8))
			slow := 20*time.Millisecond + time.Duration(s%17+i%5)*time.Millisecond
			rec.Record("GET", "/items/", at, slow, 1200, "")
			rec.Record("GET", `/search?q=<script>alert("x")</script>`, at, 400*time.Microsecond, 80, "")
			if i%9 == 0 {
				rec.Record("POST", "/checkout", at, 90*time.Millisecond, 20, "HTTP 500 Internal Server Error")
			}
		}
		rec.Flush()
		now = start.Add(time.Duration(s+1) * time.Second)
		hist.Sample(now, users)
	}
	rec.Exception("TypeError: cannot read properties of undefined (reading 'id')", "at buy (locustfile.js:42:17)\nat task (gust:1:1)")
	snap := stats.Snapshot()
	var ts []metrics.Threshold
	for _, e := range []string{"p95<100ms", "'GET /items/': med<30ms", "fail_ratio<1%", "/checkout:count>10"} {
		t, err := metrics.ParseThreshold(e)
		if err != nil {
			panic(err)
		}
		ts = append(ts, t)
	}
	verdicts, _ := metrics.EvaluateAll(ts, snap)
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	err = report.Write(f, &report.Data{
		Run: report.Run{
			Script: "samples/locustfile.js", Host: "http://127.0.0.1:8080", Users: 10, SpawnRate: 0.33,
			RunTime: secs * time.Second, StopReason: "run time reached", Version: "test",
		},
		Snapshot: snap,
		History:  hist.Rows(),
		Verdicts: verdicts,
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
