package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gustload/gust/js"
	"github.com/gustload/gust/metrics"
)

// singleUser is --single-user (Locust's run_single_user): one user of each class, one pass
// over its tasks, every request printed, then the summary.
func singleUser(test *js.Test, stats *metrics.Stats, out io.Writer) int {
	if err := js.RunSingle(context.Background(), test, out); err != nil {
		fmt.Fprintln(out, "gust:", err)
	}
	snap := stats.Snapshot()
	fmt.Fprintln(out)
	metrics.WriteSummary(out, snap)
	if snap.Total.Failures > 0 || len(snap.Exceptions) > 0 {
		return exitFailures
	}
	return exitOK
}
