package main

import (
	"io"

	"github.com/gustload/gust/js"
	"github.com/gustload/gust/metrics"
)

// webMain runs a test driven from the web UI (not headless).
func webMain(f *runFlags, test *js.Test, stats *metrics.Stats, out io.Writer) int {
	return usageError("the web UI is not available in this build yet: pass --headless")
}
