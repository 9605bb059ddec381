// Package report writes a test's result as one self-contained HTML file: the
// run's header, charts over time, Locust's tables, failures, exceptions and
// threshold verdicts. The chart library (uPlot, MIT, vendored under assets/)
// is embedded in the page, so the file opens without a server or network.
package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gustload/gust/metrics"
)

// UPlotJS is uPlot's minified browser build (uPlot.iife.min.js, version 1.6.32).
//
//go:embed assets/uPlot.iife.min.js
var UPlotJS []byte

// UPlotCSS is uPlot's stylesheet (uPlot.min.css), to go with UPlotJS.
//
//go:embed assets/uPlot.min.css
var UPlotCSS []byte

// UPlotLicense is uPlot's MIT license, which copies of UPlotJS must carry.
//
//go:embed assets/uPlot.LICENSE
var UPlotLicense []byte

//go:embed template.html
var pageSource string

// Run describes the test beside its statistics, for the report's header.
type Run struct {
	Script, Host string
	Users        int
	SpawnRate    float64
	RunTime      time.Duration // 0: until stopped
	Iterations   int64         // 0: no limit
	StopReason   string
	Version      string // gust's
}

// Data is everything a report shows.
type Data struct {
	Run      Run
	Snapshot *metrics.Snapshot
	// History is the Aggregated rows over time (metrics.History.Rows).
	History []metrics.HistoryRow
	// Verdicts are the judged thresholds, in the order they were given.
	Verdicts []metrics.Verdict
	// Capacity is the outcome of --find-capacity, nil without it.
	Capacity *Capacity
}

// series is the charts' data, column-wise as uPlot takes it.
type series struct {
	Time  []int64    `json:"t"`
	Users []int      `json:"users"`
	RPS   []float64  `json:"rps"`
	FPS   []float64  `json:"fps"`
	P50   []*float64 `json:"p50"`
	P95   []*float64 `json:"p95"`
}

func toSeries(rows []metrics.HistoryRow) series {
	s := series{Time: []int64{}, Users: []int{}, RPS: []float64{}, FPS: []float64{}, P50: []*float64{}, P95: []*float64{}}
	msOrGap := func(r *metrics.HistoryRow, p float64) *float64 {
		// Seconds without a request in the window are gaps in the line, not zeros.
		if r.Current == nil || r.CurrentRPS == 0 {
			return nil
		}
		v := round(float64(r.CurrentPercentile(p))/float64(time.Millisecond), 3)
		return &v
	}
	for i := range rows {
		r := &rows[i]
		s.Time = append(s.Time, r.Time.Unix())
		s.Users = append(s.Users, r.Users)
		s.RPS = append(s.RPS, round(r.CurrentRPS, 2))
		s.FPS = append(s.FPS, round(r.CurrentFailPerSec, 2))
		s.P50 = append(s.P50, msOrGap(r, 50))
		s.P95 = append(s.P95, msOrGap(r, 95))
	}
	return s
}

func round(v float64, d int) float64 {
	f := math.Pow10(d)
	return math.Round(v*f) / f
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms":   metrics.FormatMs,
	"f2":   func(v float64) string { return strconv.FormatFloat(round(v, 2), 'f', 2, 64) },
	"join": strings.Join,
	"inc":  func(i int) int { return i + 1 },
	"g4":   func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) },
	"pct":  func(v float64) string { return strconv.FormatFloat(round(v*100, 2), 'f', -1, 64) + "%" },
	"plbl": func(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) + "%" },
	"time": func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05 MST") },
	"dur":  func(d time.Duration) string { return d.Round(100 * time.Millisecond).String() },
	"rps":  func(e *metrics.Entry, now time.Time) float64 { return e.RPS(now) },
	"fps":  func(e *metrics.Entry, now time.Time) float64 { return e.FailPerSec(now) },
	"pctl": func(e *metrics.Entry, p float64) string {
		if e.Requests == 0 {
			return "N/A"
		}
		return metrics.FormatMs(e.Percentile(p))
	},
}).Parse(pageSource))

// Write writes the report of d to w.
func Write(w io.Writer, d *Data) error {
	if d.Snapshot == nil {
		return fmt.Errorf("report: no result")
	}
	snap := d.Snapshot
	rows := make([]*metrics.Entry, 0, len(snap.Entries)+1)
	for i := range snap.Entries {
		rows = append(rows, &snap.Entries[i])
	}
	passed := true
	for _, v := range d.Verdicts {
		passed = passed && v.Passed
	}
	return page.Execute(w, map[string]any{
		"Run":         d.Run,
		"Snap":        snap,
		"Rows":        rows,
		"Total":       &snap.Total,
		"Duration":    snap.Now.Sub(snap.Start),
		"Span":        snap.Span(),
		"Verdicts":    d.Verdicts,
		"Passed":      passed,
		"Failed":      snap.Total.Failures > 0 || len(snap.Exceptions) > 0,
		"Percentiles": metrics.Percentiles,
		"Series":      toSeries(d.History),
		"Capacity":    d.Capacity,
		"CapSeries":   toCapacitySeries(d.Capacity),
		// Trusted as is: our vendored copy, not anything from the target.
		"UPlotJS":  template.JS(UPlotJS),
		"UPlotCSS": template.CSS(UPlotCSS),
	})
}
