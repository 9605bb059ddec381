package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// summaryTimeout bounds the script's handleSummary(): the reports are written already, and a
// stuck function must not hold the exit.
const summaryTimeout = 30 * time.Second

// handleSummary runs the script's handleSummary(data) with the JSON result --json would write
// and writes what it returns: "stdout" and "stderr" to the streams, any other key to that
// path (whole: temp file, then rename).
func handleSummary(out io.Writer, f *runFlags, snap *metrics.Snapshot, runner *engine.Runner, in *reportInputs) error {
	if in == nil || in.summary == nil {
		return nil
	}
	verdicts, _ := metrics.EvaluateAll(in.thresholds, snap)
	var rows []metrics.HistoryRow
	if in.history != nil {
		rows = in.history.Rows()
	}
	extra := map[string]any{
		"dropped":     runner.Dropped(),
		"run":         runInfo(f, runner, in.script),
		"thresholds":  append([]metrics.Verdict{}, verdicts...),
		"time_series": append([]metrics.HistoryRow{}, rows...),
	}
	var buf bytes.Buffer
	if err := metrics.WriteJSON(&buf, snap, extra); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), summaryTimeout)
	defer cancel()
	outputs, err := in.summary(ctx, buf.Bytes())
	if err != nil {
		return err
	}
	var errs []error
	for path, content := range outputs {
		switch path {
		case "stdout":
			fmt.Fprint(out, content)
		case "stderr":
			fmt.Fprint(os.Stderr, content)
		default:
			if err := writeFile(path, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }); err != nil {
				errs = append(errs, fmt.Errorf("handleSummary: %w", err))
			}
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}
