package compare

import (
	_ "embed"
	"encoding/json"
	"html/template"
	"io"

	"github.com/gustload/gust/report"
)

//go:embed compare.html
var pageSource string

var page = template.Must(template.New("compare").Funcs(template.FuncMap{
	"cell": cellText,
	"class": func(row Row, c Change) string {
		switch {
		case c.Exceeded:
			return "bad"
		case c.Better:
			return "good"
		case c.Worse && row.Judged && c.Delta != 0:
			return "worse"
		}
		return ""
	},
}).Parse(pageSource))

// chartData is one run's time series, column-wise as uPlot takes it: seconds since the run's
// first point, so that both runs share an axis.
type chartData struct {
	T   []int64    `json:"t"`
	RPS []float64  `json:"rps"`
	FPS []float64  `json:"fps"`
	P50 []*float64 `json:"p50"`
	P95 []*float64 `json:"p95"`
}

func toChart(r *Result) chartData {
	c := chartData{T: []int64{}, RPS: []float64{}, FPS: []float64{}, P50: []*float64{}, P95: []*float64{}}
	for _, p := range r.TimeSeries {
		c.T = append(c.T, p.Time-r.TimeSeries[0].Time)
		c.RPS = append(c.RPS, p.RPS)
		c.FPS = append(c.FPS, p.FailPerS)
		pick := func(k string) *float64 {
			if v, ok := p.Percentiles[k]; ok {
				return &v
			}
			return nil // a second without requests: a gap, not a zero
		}
		c.P50 = append(c.P50, pick("50"))
		c.P95 = append(c.P95, pick("95"))
	}
	return c
}

// WriteHTML writes the comparison as one self-contained page: the table of changes and both
// runs' charts side by side (uPlot, embedded from the report package).
func WriteHTML(w io.Writer, r *Report) error {
	charts, err := json.Marshal(map[string]chartData{"base": toChart(r.Base), "new": toChart(r.New)})
	if err != nil {
		return err
	}
	return page.Execute(w, map[string]any{
		"R":           r,
		"Metrics":     Metrics,
		"Regressions": r.Regressions(),
		"Tolerances":  r.tolerances(),
		"Charts":      template.JS(charts),
		"UPlotJS":     template.JS(report.UPlotJS),
		"UPlotCSS":    template.CSS(report.UPlotCSS),
	})
}
