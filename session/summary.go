package session

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/gustload/gust/metrics"
	"github.com/mattn/go-isatty"
)

// Summary is the console summary: at every stop, Locust's final tables, the stop reason, the
// threshold verdicts (passed in green, crossed in red on a terminal) and the open model's
// dropped arrivals.
func Summary(w io.Writer) Output { return &summary{w: w} }

type summary struct{ w io.Writer }

func (o *summary) Start(*Run) (time.Duration, error) { return 0, nil }
func (o *summary) Snapshot(*Run)                     {}

func (o *summary) Stop(res *Result) error {
	if !res.Started {
		return nil
	}
	snap := res.Snapshot
	fmt.Fprintln(o.w)
	metrics.WriteSummary(o.w, snap)
	fmt.Fprintf(o.w, "Stopped: %s after %s.\n", res.Run.StopReason, snap.Now.Sub(snap.Start).Round(100*time.Millisecond))
	if res.Run.TestID != "" {
		fmt.Fprintf(o.w, "Test id: %s (the testid label of the live metrics)\n", res.Run.TestID)
	}
	printVerdicts(o.w, res.Verdicts)
	if res.Capacity != nil {
		fmt.Fprintln(o.w)
		res.Capacity.WriteSummary(o.w)
	}
	if res.Open {
		if res.Dropped > 0 {
			fmt.Fprintf(o.w, "Dropped: %d arrivals found no free user (raise -u/--users).\n", res.Dropped)
		} else {
			fmt.Fprintln(o.w, "Dropped: 0 arrivals (every arrival found a free user).")
		}
	}
	return nil
}

// printVerdicts writes the threshold verdicts after the summary.
func printVerdicts(out io.Writer, vs []metrics.Verdict) {
	if len(vs) == 0 {
		return
	}
	p := NewPalette(ColorsOn(out))
	var b strings.Builder
	b.WriteString("\nThresholds\n")
	crossed := 0
	for _, v := range vs {
		if v.Passed {
			b.WriteString(p.OK.Sprint("  ✓ ") + fmt.Sprintf("%s  %s\n", v.Expr, p.Dim.Sprintf("(%s: %s)", v.Where(), v.Measured())))
			continue
		}
		crossed++
		b.WriteString(p.Bad.Sprint("  ✗ "+v.Expr) + fmt.Sprintf("  (%s: %s)\n", v.Where(), v.Measured()))
	}
	if crossed > 0 {
		b.WriteString(p.Bad.Sprintf("%d of %d thresholds crossed", crossed, len(vs)) + "\n")
	} else {
		b.WriteString(p.OK.Sprintf("all %d thresholds passed", len(vs)) + "\n")
	}
	_, _ = io.WriteString(out, b.String())
}

// Palette holds the colors of the console output; all plain when colors are off.
type Palette struct {
	OK, Bad, Warn, Dim, Bold *color.Color
}

// NewPalette is the console's colors, switched on or off.
func NewPalette(on bool) Palette {
	p := Palette{
		OK:   color.New(color.FgGreen),
		Bad:  color.New(color.FgRed, color.Bold),
		Warn: color.New(color.FgYellow),
		Dim:  color.New(color.Faint),
		Bold: color.New(color.Bold),
	}
	for _, c := range []*color.Color{p.OK, p.Bad, p.Warn, p.Dim, p.Bold} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// IsTerminal tells whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(file.Fd()) || isatty.IsCygwinTerminal(file.Fd()))
}

// ColorsOn tells whether output to w gets colors: a terminal, and no NO_COLOR (https://no-color.org).
func ColorsOn(w io.Writer) bool {
	_, noColor := os.LookupEnv("NO_COLOR")
	return !noColor && os.Getenv("TERM") != "dumb" && IsTerminal(w)
}
