package metrics_test

import (
	"fmt"
	"time"

	"github.com/gustload/gust/metrics"
)

func Example() {
	stats := metrics.New(metrics.Options{})

	r := stats.Recorder() // one per virtual user
	start := time.Now()
	// ... the user sends a request ...
	r.Record("GET", "/items/", start.Add(12*time.Millisecond), 12*time.Millisecond, 512, "")
	r.Record("GET", "/items/", start.Add(30*time.Millisecond), 18*time.Millisecond, 0, "HTTP 503")
	r.Flush() // before a long wait, and when the user stops

	snap := stats.Snapshot()
	// Percentiles are within 0.1% (the top of their histogram bucket).
	fmt.Println(snap.Total.Requests, snap.Total.Failures, snap.Total.Median().Round(time.Millisecond), snap.Total.Percentile(100))
	fmt.Println(snap.Errors[0].Method, snap.Errors[0].Name, snap.Errors[0].Error, snap.Errors[0].Occurrences)
	// Output:
	// 2 1 12ms 18ms
	// GET /items/ HTTP 503 1
}
