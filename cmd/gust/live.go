package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/session"
)

// consoleInterval is how often Locust prints its table when not on a terminal.
const consoleInterval = 2 * time.Second

// live is the live console, a session.Output: one status line redrawn in place on a terminal,
// or Locust's requests table every few seconds when the output is a file or a pipe.
type live struct {
	out io.Writer
	f   *runFlags
	tty bool
	pal session.Palette
}

func newLive(out io.Writer, f *runFlags) *live {
	return &live{out: out, f: f, tty: session.IsTerminal(out), pal: session.NewPalette(session.ColorsOn(out))}
}

// Start implements session.Output: the interval of the view.
func (l *live) Start(*session.Run) (time.Duration, error) {
	switch {
	case l.f.onlySummary:
		return 0, nil
	case l.tty:
		return time.Second / 2, nil
	case l.f.printStats > 0:
		return l.f.printStats, nil
	}
	return consoleInterval, nil
}

// Snapshot implements session.Output: it refreshes the view.
func (l *live) Snapshot(run *session.Run) {
	if l.tty {
		fmt.Fprint(l.out, "\r\033[K"+l.status(run))
	} else {
		l.table(run)
	}
}

// Stop implements session.Output: it clears the status line for the summary.
func (l *live) Stop(*session.Result) error {
	if l.tty && !l.f.onlySummary {
		fmt.Fprint(l.out, "\r\033[K")
	}
	return nil
}

// status is the one-line view: state, progress, users, current RPS, current p50/p95, failures.
func (l *live) status(run *session.Run) string {
	agg := run.Stats.Aggregate()
	pcts := run.Stats.CurrentPercentiles(50, 95)
	p := l.pal
	state := run.State()
	stateCol := p.OK
	if state != engine.StateRunning {
		stateCol = p.Warn
	}
	fail := p.OK.Sprintf("fail %.1f%%", 100*agg.FailRatio())
	if agg.Failures > 0 {
		fail = p.Bad.Sprintf("fail %.1f%%", 100*agg.FailRatio())
	}
	users := fmt.Sprintf("users %d", run.Users())
	if target := run.Target(); target != run.Users() {
		users += fmt.Sprintf("/%d", target)
	}
	return fmt.Sprintf("%s %s  %s  rps %s  p50 %s  p95 %s  %s  %s",
		stateCol.Sprintf("%-8s", state), progress(run), users,
		p.Bold.Sprintf("%.1f", agg.CurrentRPS), metrics.FormatMs(pcts[0]), metrics.FormatMs(pcts[1]),
		fail, p.Dim.Sprintf("reqs %d", agg.Requests))
}

// progress is the bar and its caption: time against the run time, or
// iterations against their limit, or just the time when neither is set.
func progress(run *session.Run) string {
	elapsed := time.Since(run.Started())
	if run.Started().IsZero() {
		elapsed = 0
	}
	switch c := run.Config; {
	case c.RunTime > 0:
		return fmt.Sprintf("%s %s/%s", bar(elapsed.Seconds()/c.RunTime.Seconds()), roundSec(elapsed), c.RunTime)
	case c.Iterations > 0:
		n := run.Iterations()
		return fmt.Sprintf("%s %d/%d iterations", bar(float64(n)/float64(c.Iterations)), n, c.Iterations)
	}
	return roundSec(elapsed).String()
}

// table prints Locust's periodic requests table with current rates, under a
// line saying where the test is.
func (l *live) table(run *session.Run) {
	snap := run.Stats.Snapshot()
	pcts := run.Stats.CurrentPercentiles(50, 95)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s  %s  users %d  p50 %s  p95 %s (last 10 s)\n", snap.Now.Format("15:04:05"),
		run.State(), progress(run), run.Users(), metrics.FormatMs(pcts[0]), metrics.FormatMs(pcts[1]))
	metrics.WriteCurrentTable(&b, snap)
	b.WriteString("\n")
	_, _ = io.WriteString(l.out, b.String())
}

func bar(frac float64) string {
	const width = 20
	frac = max(0, min(1, frac))
	n := int(frac * width)
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]"
}

func roundSec(d time.Duration) time.Duration { return d.Round(time.Second) }
