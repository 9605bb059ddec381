package metrics

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"time"
)

// statsColumns are the columns of Locust's _stats.csv, in its order.
func statsColumns() []string {
	cols := []string{
		"Type", "Name", "Request Count", "Failure Count",
		"Median Response Time", "Average Response Time", "Min Response Time", "Max Response Time",
		"Average Content Size", "Requests/s", "Failures/s",
	}
	for _, p := range Percentiles {
		cols = append(cols, percentileLabel(p))
	}
	return cols
}

// WriteStatsCSV writes Locust's _stats.csv: one row per entry, then the
// Aggregated row. Times are in milliseconds; rates are over the whole run.
func WriteStatsCSV(w io.Writer, s *Snapshot) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(statsColumns())
	for i := range s.Entries {
		_ = cw.Write(statsRow(&s.Entries[i], s.Now))
	}
	_ = cw.Write(statsRow(&s.Total, s.Now))
	cw.Flush()
	return cw.Error()
}

func statsRow(e *Entry, now time.Time) []string {
	row := []string{
		e.Method,
		e.Name,
		strconv.FormatInt(e.Requests, 10),
		strconv.FormatInt(e.Failures, 10),
		msNum(e.Median()),
		msNum(e.Avg()),
		msNum(e.MinTime),
		msNum(e.MaxTime),
		num(e.AvgSize()),
		num(e.RPS(now)),
		num(e.FailPerSec(now)),
	}
	for _, p := range Percentiles {
		if e.Requests == 0 {
			row = append(row, "N/A") // as Locust writes a row without requests
			continue
		}
		row = append(row, msNum(e.Percentile(p)))
	}
	return row
}

// WriteFailuresCSV writes Locust's _failures.csv.
func WriteFailuresCSV(w io.Writer, s *Snapshot) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"Method", "Name", "Error", "Occurrences"})
	for _, g := range s.Errors {
		_ = cw.Write([]string{g.Method, g.Name, g.Error, strconv.FormatInt(g.Occurrences, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteExceptionsCSV writes Locust's _exceptions.csv.
func WriteExceptionsCSV(w io.Writer, s *Snapshot) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"Count", "Message", "Traceback", "Nodes"})
	for _, g := range s.Exceptions {
		_ = cw.Write([]string{strconv.FormatInt(g.Count, 10), g.Message, g.Traceback, g.Nodes})
	}
	cw.Flush()
	return cw.Error()
}

// msNum formats a duration as milliseconds for the CSV files.
func msNum(d time.Duration) string {
	return num(float64(d) / float64(time.Millisecond))
}

// num rounds to 2 decimals and prints no trailing zeros: "20.43", "3".
func num(v float64) string {
	v = math.Round(v*100) / 100
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
