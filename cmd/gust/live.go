package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/mattn/go-isatty"
)

// consoleInterval is how often Locust prints its table when not on a terminal.
const consoleInterval = 2 * time.Second

// live shows a test while it runs: one status line redrawn in place on a terminal, or
// Locust's requests table every few seconds when the output is a file or a pipe.
type live struct {
	out    io.Writer
	runner *engine.Runner
	stats  *metrics.Stats
	f      *runFlags
	tty    bool
	pal    palette
}

// palette holds the colors of the console output; all plain when colors are off.
type palette struct {
	ok, bad, warn, dim, bold *color.Color
}

func newPalette(on bool) palette {
	p := palette{
		ok:   color.New(color.FgGreen),
		bad:  color.New(color.FgRed, color.Bold),
		warn: color.New(color.FgYellow),
		dim:  color.New(color.Faint),
		bold: color.New(color.Bold),
	}
	for _, c := range []*color.Color{p.ok, p.bad, p.warn, p.dim, p.bold} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// isTerminal tells whether w is a terminal.
func isTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(file.Fd()) || isatty.IsCygwinTerminal(file.Fd()))
}

// colorsOn tells whether output to w gets colors: a terminal, and no NO_COLOR (https://no-color.org).
func colorsOn(w io.Writer) bool {
	_, noColor := os.LookupEnv("NO_COLOR")
	return !noColor && os.Getenv("TERM") != "dumb" && isTerminal(w)
}

func newLive(out io.Writer, r *engine.Runner, s *metrics.Stats, f *runFlags) *live {
	return &live{out: out, runner: r, stats: s, f: f, tty: isTerminal(out), pal: newPalette(colorsOn(out))}
}

// loop refreshes the view until done is closed.
func (l *live) loop(done <-chan struct{}) {
	if l.f.onlySummary {
		<-done
		return
	}
	every := time.Second / 2
	if !l.tty {
		every = consoleInterval
		if l.f.printStats > 0 {
			every = l.f.printStats
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			if l.tty {
				fmt.Fprint(l.out, "\r\033[K")
			}
			return
		case <-t.C:
			if l.tty {
				fmt.Fprint(l.out, "\r\033[K"+l.status())
			} else {
				l.table()
			}
		}
	}
}

// status is the one-line view: state, progress, users, current RPS, current p50/p95, failures.
func (l *live) status() string {
	agg := l.stats.Aggregate()
	pcts := l.stats.CurrentPercentiles(50, 95)
	p := l.pal
	state := l.runner.State()
	stateCol := p.ok
	if state != engine.StateRunning {
		stateCol = p.warn
	}
	fail := p.ok.Sprintf("fail %.1f%%", 100*agg.FailRatio())
	if agg.Failures > 0 {
		fail = p.bad.Sprintf("fail %.1f%%", 100*agg.FailRatio())
	}
	users := fmt.Sprintf("users %d", l.runner.Users())
	if target := l.runner.Target(); target != l.runner.Users() {
		users += fmt.Sprintf("/%d", target)
	}
	return fmt.Sprintf("%s %s  %s  rps %s  p50 %s  p95 %s  %s  %s",
		stateCol.Sprintf("%-8s", state), l.progress(), users,
		p.bold.Sprintf("%.1f", agg.CurrentRPS), metrics.FormatMs(pcts[0]), metrics.FormatMs(pcts[1]),
		fail, p.dim.Sprintf("reqs %d", agg.Requests))
}

// progress is the bar and its caption: time against the run time, or
// iterations against their limit, or just the time when neither is set.
func (l *live) progress() string {
	elapsed := time.Since(l.runner.Started())
	if l.runner.Started().IsZero() {
		elapsed = 0
	}
	switch {
	case l.f.runTime > 0:
		return fmt.Sprintf("%s %s/%s", bar(elapsed.Seconds()/l.f.runTime.Seconds()), roundSec(elapsed), l.f.runTime)
	case l.f.iterations > 0:
		n := l.runner.Iterations()
		return fmt.Sprintf("%s %d/%d iterations", bar(float64(n)/float64(l.f.iterations)), n, l.f.iterations)
	}
	return roundSec(elapsed).String()
}

// table prints Locust's periodic requests table with current rates, under a
// line saying where the test is.
func (l *live) table() {
	snap := l.stats.Snapshot()
	pcts := l.stats.CurrentPercentiles(50, 95)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s  %s  users %d  p50 %s  p95 %s (last 10 s)\n", snap.Now.Format("15:04:05"),
		l.runner.State(), l.progress(), l.runner.Users(), metrics.FormatMs(pcts[0]), metrics.FormatMs(pcts[1]))
	metrics.WriteCurrentTable(&b, snap)
	b.WriteString("\n")
	_, _ = io.WriteString(l.out, b.String())
}

// printVerdicts writes the threshold verdicts after the summary, passed in
// green, crossed in red.
func printVerdicts(out io.Writer, vs []metrics.Verdict) {
	if len(vs) == 0 {
		return
	}
	p := newPalette(colorsOn(out))
	var b strings.Builder
	b.WriteString("\nThresholds\n")
	crossed := 0
	for _, v := range vs {
		if v.Passed {
			b.WriteString(p.ok.Sprint("  ✓ ") + fmt.Sprintf("%s  %s\n", v.Expr, p.dim.Sprintf("(%s: %s)", v.Where(), v.Measured())))
			continue
		}
		crossed++
		b.WriteString(p.bad.Sprint("  ✗ "+v.Expr) + fmt.Sprintf("  (%s: %s)\n", v.Where(), v.Measured()))
	}
	if crossed > 0 {
		b.WriteString(p.bad.Sprintf("%d of %d thresholds crossed", crossed, len(vs)) + "\n")
	} else {
		b.WriteString(p.ok.Sprintf("all %d thresholds passed", len(vs)) + "\n")
	}
	_, _ = io.WriteString(out, b.String())
}

func bar(frac float64) string {
	const width = 20
	frac = max(0, min(1, frac))
	n := int(frac * width)
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]"
}

func roundSec(d time.Duration) time.Duration { return d.Round(time.Second) }
