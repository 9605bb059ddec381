package metrics

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// defaultMaxPoints keeps two hours at one point a second before the series
// starts thinning.
const defaultMaxPoints = 7200

// HistoryRow is one row of the statistics over time: a row of Locust's
// _stats_history.csv. Rates and Current are over the last 10 seconds, the
// other values are totals since the start.
type HistoryRow struct {
	Time  time.Time
	Users int
	// Method and Name name the row; the aggregate is Method "", Name "Aggregated".
	Method, Name                  string
	CurrentRPS, CurrentFailPerSec float64
	// Current holds the current percentiles, in the order of Percentiles; nil
	// while the row has no request at all.
	Current               []time.Duration
	Requests, Failures    int64
	Median, Avg, Min, Max time.Duration
	AvgSize               float64
}

// CurrentPercentile returns the current percentile p (one of Percentiles); 0 when unknown.
func (r *HistoryRow) CurrentPercentile(p float64) time.Duration {
	for i, q := range Percentiles {
		if q == p && i < len(r.Current) {
			return r.Current[i]
		}
	}
	return 0
}

// MarshalJSON writes a row of the JSON result's time series (see docs/json.md).
func (r HistoryRow) MarshalJSON() ([]byte, error) {
	pm := make(percentileMap, 0, len(r.Current))
	for i, d := range r.Current {
		pm = append(pm, percentileValue{Percentiles[i], ms(d)})
	}
	return json.Marshal(historyJSON{
		r.Time.Unix(), r.Users, r.Method, r.Name, round(r.CurrentRPS, 3), round(r.CurrentFailPerSec, 3), pm,
		r.Requests, r.Failures, ms(r.Median), ms(r.Avg), ms(r.Min), ms(r.Max), round(r.AvgSize, 3),
	})
}

// HistoryOptions configure a History.
type HistoryOptions struct {
	// PerName adds a row per request name to every sample of the CSV
	// (Locust's --csv-full-history). Rows keeps the Aggregated rows only.
	// The Stats should have Options.NameWindows, or the per-name current
	// percentiles read 0.
	PerName bool
	// MaxPoints bounds the Aggregated rows kept in memory; 0 means 7200. When
	// it is reached every other row is dropped and later rows are kept at the
	// halved rate, so a long run keeps its whole span at a coarser step.
	MaxPoints int
	// CSV, when set, receives the _stats_history.csv header and then every
	// sample's rows as they are taken, so the file needs no memory however
	// long the run.
	CSV io.Writer
}

// History samples a Stats over time: Locust's stats history, which feeds
// the _stats_history.csv file, the charts and the JSON time series.
type History struct {
	s *Stats
	o HistoryOptions

	mu      sync.Mutex
	gen     uint64
	points  []HistoryRow
	step    int64 // seconds between kept points: 1, then 2, 4, ... after thinning
	lastSec int64 // the second of the last sample
	cw      *csv.Writer
}

// NewHistory returns an empty history of s; take samples with Sample or Run.
func NewHistory(s *Stats, o HistoryOptions) *History {
	if o.MaxPoints <= 0 {
		o.MaxPoints = defaultMaxPoints
	}
	h := &History{s: s, o: o, gen: s.gen.Load(), step: 1, lastSec: noSecond}
	if o.CSV != nil {
		h.cw = csv.NewWriter(o.CSV)
		_ = h.cw.Write(historyColumns())
	}
	return h
}

// historyColumns are the columns of Locust's _stats_history.csv, in its order.
func historyColumns() []string {
	cols := []string{"Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"}
	for _, p := range Percentiles {
		cols = append(cols, percentileLabel(p))
	}
	return append(cols,
		"Total Request Count", "Total Failure Count", "Total Median Response Time",
		"Total Average Response Time", "Total Min Response Time", "Total Max Response Time",
		"Total Average Content Size")
}

// Sample records the statistics at now with users running. A second sample
// within the same second is ignored, so the history has one row a second
// (per name) however often it is called. After a Stats.Reset the in-memory
// rows start over.
func (h *History) Sample(now time.Time, users int) {
	sec := floorDiv(now.UnixNano(), int64(time.Second))
	h.mu.Lock()
	defer h.mu.Unlock()
	if sec == h.lastSec {
		return
	}
	h.lastSec = sec
	rows, gen := h.s.historyRows(now, users, h.o.PerName)
	if gen != h.gen {
		h.gen = gen
		h.points = h.points[:0]
		h.step = 1
	}
	if h.cw != nil {
		for i := range rows {
			_ = h.cw.Write(rows[i].csv())
		}
		h.cw.Flush()
	}
	agg := rows[len(rows)-1]
	if n := len(h.points); n > 0 && sec-h.points[n-1].Time.Unix() < h.step {
		return
	}
	if len(h.points) >= h.o.MaxPoints {
		kept := h.points[:0]
		for i := 0; i < len(h.points); i += 2 {
			kept = append(kept, h.points[i])
		}
		clear(h.points[len(kept):])
		h.points = kept
		h.step *= 2
	}
	h.points = append(h.points, agg)
}

// Rows returns a copy of the Aggregated rows kept in memory, oldest first.
func (h *History) Rows() []HistoryRow {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]HistoryRow(nil), h.points...)
}

// Err reports the first error writing the CSV, if any.
func (h *History) Err() error {
	if h.cw == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cw.Flush()
	return h.cw.Error()
}

// Run samples once a second, a tenth of a second past each wall-clock second
// so that every sample falls clearly in its own second, until done is
// closed; then it samples once more, so the history ends at the final state.
// users reports the current number of users.
func (h *History) Run(done <-chan struct{}, users func() int) {
	for {
		now := h.s.now()
		next := now.Truncate(time.Second).Add(time.Second + 100*time.Millisecond)
		t := time.NewTimer(next.Sub(now))
		select {
		case <-done:
			t.Stop()
			h.Sample(h.s.now(), users())
			return
		case <-t.C:
			h.Sample(h.s.now(), users())
		}
	}
}

func (r *HistoryRow) csv() []string {
	row := []string{
		strconv.FormatInt(r.Time.Unix(), 10),
		strconv.Itoa(r.Users),
		r.Method,
		r.Name,
		num(r.CurrentRPS),
		num(r.CurrentFailPerSec),
	}
	for i := range Percentiles {
		if r.Current == nil {
			row = append(row, "N/A")
			continue
		}
		row = append(row, msNum(r.Current[i]))
	}
	return append(row,
		strconv.FormatInt(r.Requests, 10),
		strconv.FormatInt(r.Failures, 10),
		msNum(r.Median), msNum(r.Avg), msNum(r.Min), msNum(r.Max),
		num(r.AvgSize))
}

// WriteHistoryCSV writes rows as Locust's _stats_history.csv, header first.
func WriteHistoryCSV(w io.Writer, rows []HistoryRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(historyColumns())
	for i := range rows {
		_ = cw.Write(rows[i].csv())
	}
	cw.Flush()
	return cw.Error()
}

// historyRows takes one sample: the rows sorted as Snapshot sorts them when
// perName, then the Aggregated row. It works on the sparse histograms, so a
// sample costs far less than a Snapshot.
func (s *Stats) historyRows(now time.Time, users int, perName bool) ([]HistoryRow, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nowNs, startNs := now.UnixNano(), s.start.UnixNano()
	nowSec := floorDiv(nowNs, int64(time.Second))
	var rows []HistoryRow
	if perName {
		rows = make([]HistoryRow, 0, len(s.entries)+1)
		for _, e := range s.entries {
			r := e.historyRow(now, users, nowNs, startNs)
			if e.requests > 0 {
				r.Median = clampDur(time.Duration(percentileOf(e.packed, 50))*time.Microsecond, e.minTime, e.maxTime)
				r.Current = s.currentPercentiles(e, nowSec, Percentiles)
			}
			rows = append(rows, r)
		}
		slices.SortFunc(rows, func(a, b HistoryRow) int {
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
			return strings.Compare(a.Method, b.Method)
		})
	}
	t := s.total.historyRow(now, users, nowNs, startNs)
	t.Method, t.Name = "", "Aggregated"
	if s.total.requests > 0 {
		t.Median = clampDur(time.Duration(percentileOf(s.total.dense, 50))*time.Microsecond, s.total.minTime, s.total.maxTime)
		t.Current = s.currentPercentiles(nil, nowSec, Percentiles)
	}
	return append(rows, t), s.gen.Load()
}

func (e *entry) historyRow(now time.Time, users int, nowNs, startNs int64) HistoryRow {
	r := HistoryRow{
		Time: now, Users: users, Method: e.method, Name: e.name,
		Requests: e.requests, Failures: e.failures, Min: e.minTime, Max: e.maxTime,
	}
	r.CurrentRPS, r.CurrentFailPerSec = e.secs.rates(nowNs, startNs)
	if e.requests > 0 {
		r.Avg = e.totalTime / time.Duration(e.requests)
		r.AvgSize = float64(e.totalSize) / float64(e.requests)
	}
	return r
}

// historyJSON is a history row as the JSON result writes it and gust merge reads it back.
type historyJSON struct {
	Time        int64         `json:"time"`
	Users       int           `json:"users"`
	Method      string        `json:"method,omitempty"`
	Name        string        `json:"name"`
	RPS         float64       `json:"rps"`
	FailPerS    float64       `json:"fail_per_s"`
	Percentiles percentileMap `json:"percentiles"`
	Requests    int64         `json:"requests"`
	Failures    int64         `json:"failures"`
	MedianMs    float64       `json:"median_ms"`
	AvgMs       float64       `json:"avg_ms"`
	MinMs       float64       `json:"min_ms"`
	MaxMs       float64       `json:"max_ms"`
	AvgSize     float64       `json:"avg_size"`
}
