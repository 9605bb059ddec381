package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/mattn/go-isatty"
)

// live shows a test while it runs: one status line redrawn in place on a terminal, or a line
// every few seconds when the output is a file or a pipe.
type live struct {
	out    io.Writer
	runner *engine.Runner
	stats  *metrics.Stats
	f      *runFlags
	tty    bool
}

func newLive(out io.Writer, r *engine.Runner, s *metrics.Stats, f *runFlags) *live {
	tty := false
	if file, ok := out.(*os.File); ok {
		tty = isatty.IsTerminal(file.Fd())
	}
	return &live{out: out, runner: r, stats: s, f: f, tty: tty}
}

// loop refreshes the view until done is closed.
func (l *live) loop(done <-chan struct{}) {
	if l.f.onlySummary {
		<-done
		return
	}
	every := time.Second
	if !l.tty {
		every = 2 * time.Second
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
			line := l.status()
			if l.tty {
				fmt.Fprint(l.out, "\r\033[K"+line)
			} else {
				fmt.Fprintln(l.out, line)
			}
		}
	}
}

// status is the one-line view: progress, users, current RPS, current p50/p95, failures.
func (l *live) status() string {
	snap := l.stats.Snapshot()
	elapsed := time.Since(l.runner.Started())
	pcts := l.stats.CurrentPercentiles(50, 95)
	fail := 0.0
	if snap.Total.Requests > 0 {
		fail = 100 * float64(snap.Total.Failures) / float64(snap.Total.Requests)
	}
	progress := ""
	switch {
	case l.f.runTime > 0:
		progress = fmt.Sprintf("%s %s/%s", bar(elapsed.Seconds()/l.f.runTime.Seconds()), round(elapsed), l.f.runTime)
	case l.f.iterations > 0:
		n := l.runner.Iterations()
		progress = fmt.Sprintf("%s %d/%d iterations", bar(float64(n)/float64(l.f.iterations)), n, l.f.iterations)
	default:
		progress = round(elapsed).String()
	}
	return fmt.Sprintf("%s  %s  users %d  rps %.1f  p50 %s  p95 %s  fail %.1f%%  reqs %d",
		l.runner.State(), progress, l.runner.Users(), snap.Total.CurrentRPS,
		msString(pcts[0]), msString(pcts[1]), fail, snap.Total.Requests)
}

func bar(frac float64) string {
	const width = 20
	frac = max(0, min(1, frac))
	n := int(frac * width)
	return "[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "]"
}

func round(d time.Duration) time.Duration { return d.Round(time.Second) }

func msString(d time.Duration) string {
	return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
}
