package web

import (
	"html"
	"math"
	"net/http"
	"time"

	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/session"
)

// maxRows is how many rows and error groups /stats/requests lists, as in Locust: a page with
// thousands of rows renders too slowly to be of use. The aggregated row is always there.
const maxRows = 500

// statsRow is one row of /stats/requests with Locust 2.x's keys. Times are in milliseconds.
type statsRow struct {
	Method            *string `json:"method"` // null on the aggregated row, as in Locust
	Name              string  `json:"name"`
	SafeName          string  `json:"safe_name"`
	NumRequests       int64   `json:"num_requests"`
	NumFailures       int64   `json:"num_failures"`
	AvgResponseTime   float64 `json:"avg_response_time"`
	MinResponseTime   float64 `json:"min_response_time"`
	MaxResponseTime   float64 `json:"max_response_time"`
	CurrentRPS        float64 `json:"current_rps"`
	CurrentFailPerSec float64 `json:"current_fail_per_sec"`
	Median            float64 `json:"median_response_time"`
	Ninetieth         float64 `json:"ninetieth_response_time"`
	NinetyNinth       float64 `json:"ninety_ninth_response_time"`
	P95               float64 `json:"response_time_percentile_0.95"`
	P99               float64 `json:"response_time_percentile_0.99"`
	AvgContentLength  float64 `json:"avg_content_length"`
}

// errorRow is one failure group, as Locust's StatsError.serialize gives it.
type errorRow struct {
	Method      string `json:"method"`
	Name        string `json:"name"`
	Error       string `json:"error"`
	Occurrences int64  `json:"occurrences"`
}

// requestsJSON is the body of /stats/requests.
type requestsJSON struct {
	Stats                       []statsRow         `json:"stats"`
	Errors                      []errorRow         `json:"errors"`
	TotalRPS                    float64            `json:"total_rps"`
	TotalFailPerSec             float64            `json:"total_fail_per_sec"`
	FailRatio                   float64            `json:"fail_ratio"`
	CurrentPercentile50         float64            `json:"current_response_time_percentile_50"`
	CurrentPercentile95         float64            `json:"current_response_time_percentile_95"`
	CurrentResponseTimePercents map[string]float64 `json:"current_response_time_percentiles"`
	State                       string             `json:"state"`
	UserCount                   int                `json:"user_count"`
	// Gust's own keys: what the header and the Exceptions tab's badge need, and the custom
	// metrics and checks shown under the requests.
	Host           string      `json:"host"`
	ExceptionCount int         `json:"exception_count"`
	Metrics        []metricRow `json:"metrics"`
	Checks         []checkRow  `json:"checks"`
}

// metricRow is one custom metric of /stats/requests: k6's values for its type.
type metricRow struct {
	Name   string        `json:"name"`
	Type   string        `json:"type"`
	Values []metricValue `json:"values"`
}

// metricValue is one value of a custom metric, as a number and as people read it.
type metricValue struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Text  string  `json:"text"`
}

type checkRow struct {
	Name   string `json:"name"`
	Passes int64  `json:"passes"`
	Fails  int64  `json:"fails"`
}

func (s *Server) requestsReport() *requestsJSON {
	snap := s.c.Snapshot()
	cur := s.c.CurrentPercentiles(50, 95)
	rep := &requestsJSON{
		Stats:  make([]statsRow, 0, min(len(snap.Entries), maxRows)+1),
		Errors: make([]errorRow, 0, min(len(snap.Errors), maxRows)),
		CurrentResponseTimePercents: map[string]float64{
			"response_time_percentile_0.5":  ms(cur[0]),
			"response_time_percentile_0.95": ms(cur[1]),
		},
		CurrentPercentile50: ms(cur[0]),
		CurrentPercentile95: ms(cur[1]),
		State:               string(s.c.State()),
		UserCount:           s.c.Users(),
		Host:                s.c.Host(),
		ExceptionCount:      len(snap.Exceptions),
	}
	for i := range snap.Entries[:min(len(snap.Entries), maxRows)] {
		rep.Stats = append(rep.Stats, row(&snap.Entries[i], false))
	}
	rep.Stats = append(rep.Stats, row(&snap.Total, true))
	for _, g := range snap.Errors[:min(len(snap.Errors), maxRows)] {
		rep.Errors = append(rep.Errors, errorRow{Method: g.Method, Name: g.Name, Error: g.Error, Occurrences: g.Occurrences})
	}
	rep.Metrics = make([]metricRow, 0, len(snap.Metrics))
	span := snap.Span()
	for i := range snap.Metrics {
		m := &snap.Metrics[i]
		r := metricRow{Name: m.Name, Type: m.Kind.String()}
		for _, f := range m.MetricFields(span) {
			r.Values = append(r.Values, metricValue{Name: f.Name, Value: round(f.Value), Text: m.FormatField(f)})
		}
		rep.Metrics = append(rep.Metrics, r)
	}
	rep.Checks = make([]checkRow, 0, len(snap.Checks))
	for _, c := range snap.Checks {
		rep.Checks = append(rep.Checks, checkRow(c))
	}
	rep.TotalRPS = round(snap.Total.CurrentRPS)
	rep.TotalFailPerSec = round(snap.Total.CurrentFailPerSec)
	rep.FailRatio = snap.Total.FailRatio()
	return rep
}

func row(e *metrics.Entry, total bool) statsRow {
	r := statsRow{
		Name:              e.Name,
		SafeName:          html.EscapeString(e.Name),
		NumRequests:       e.Requests,
		NumFailures:       e.Failures,
		AvgResponseTime:   ms(e.Avg()),
		MinResponseTime:   ms(e.MinTime),
		MaxResponseTime:   ms(e.MaxTime),
		CurrentRPS:        round(e.CurrentRPS),
		CurrentFailPerSec: round(e.CurrentFailPerSec),
		Median:            ms(e.Percentile(50)),
		Ninetieth:         ms(e.Percentile(90)),
		NinetyNinth:       ms(e.Percentile(99)),
		P95:               ms(e.Percentile(95)),
		P99:               ms(e.Percentile(99)),
		AvgContentLength:  round(e.AvgSize()),
	}
	if !total {
		m := e.Method
		r.Method = &m
	}
	return r
}

// ms is a duration in milliseconds, to the microsecond the histograms keep.
func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}

func round(v float64) float64 {
	return math.Round(v*1000) / 1000
}

// ratioJSON is one class or task of /tasks: its share and, for classes and TaskSets, its tasks.
type ratioJSON struct {
	Ratio float64              `json:"ratio"`
	Tasks map[string]ratioJSON `json:"tasks,omitempty"`
}

// tasks is Locust's /tasks: the share of each class among the running users (by weight
// before any runs) and each task's share, per class and of the whole test. Gust adds the
// user counts per class, and the classes and tasks in their order, which a JSON object loses.
func (s *Server) tasks(w http.ResponseWriter, r *http.Request) {
	classes := s.c.Classes()
	counts := s.c.ClassCounts()
	shares := make([]float64, len(classes))
	running := 0
	for _, c := range classes {
		running += counts[c.Name]
	}
	weights := 0
	for _, c := range classes {
		weights += c.Weight
	}
	for i, c := range classes {
		switch {
		case running > 0:
			shares[i] = float64(counts[c.Name]) / float64(running)
		case weights > 0:
			shares[i] = float64(c.Weight) / float64(weights)
		}
	}
	perClass := map[string]ratioJSON{}
	total := map[string]ratioJSON{}
	order := make([]classOrder, 0, len(classes))
	for i, c := range classes {
		perClass[c.Name] = ratioJSON{Ratio: shares[i], Tasks: taskRatios(c.Tasks, 1, false)}
		total[c.Name] = ratioJSON{Ratio: shares[i], Tasks: taskRatios(c.Tasks, shares[i], true)}
		order = append(order, classOrder{Name: c.Name, Users: counts[c.Name], Weight: c.Weight, FixedCount: c.FixedCount, Tasks: taskOrder(c.Tasks)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"per_class": perClass, "total": total, "classes": order})
}

// classOrder lists a class with its running users and its tasks in the script's order.
type classOrder struct {
	Name       string     `json:"name"`
	Users      int        `json:"users"`
	Weight     int        `json:"weight"`
	FixedCount int        `json:"fixed_count"`
	Tasks      []taskJSON `json:"tasks"`
}

type taskJSON struct {
	Name  string     `json:"name"`
	Ratio float64    `json:"ratio"`
	Tasks []taskJSON `json:"tasks,omitempty"`
}

// taskRatios scales each task's share by its parent's: in the per-class view (total false)
// a TaskSet's tasks are shares of the TaskSet, in the total view shares of the whole test.
func taskRatios(ts []session.Task, parent float64, total bool) map[string]ratioJSON {
	if len(ts) == 0 {
		return nil
	}
	out := make(map[string]ratioJSON, len(ts))
	for _, t := range ts {
		r := out[t.Name] // a name listed twice counts twice, as in Locust
		r.Ratio += t.Ratio * parent
		inner := 1.0
		if total {
			inner = r.Ratio
		}
		r.Tasks = taskRatios(t.Tasks, inner, total)
		out[t.Name] = r
	}
	return out
}

func taskOrder(ts []session.Task) []taskJSON {
	if len(ts) == 0 {
		return nil
	}
	out := make([]taskJSON, 0, len(ts))
	for _, t := range ts {
		out = append(out, taskJSON{Name: t.Name, Ratio: t.Ratio, Tasks: taskOrder(t.Tasks)})
	}
	return out
}
