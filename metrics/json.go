package metrics

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
)

// jsonVersion is the "version" of the JSON result; bump it when a field
// changes meaning. Version 2 writes histograms as buckets (see HistogramJSON).
const jsonVersion = 2

type jsonResult struct {
	Version    int             `json:"version"`
	Start      time.Time       `json:"start"`
	End        time.Time       `json:"end"`
	DurationS  float64         `json:"duration_s"`
	Entries    []jsonEntry     `json:"entries"`
	Total      jsonEntry       `json:"total"`
	Errors     []jsonError     `json:"errors"`
	Exceptions []jsonException `json:"exceptions"`
	// Interrupted counts requests cut short by a hard stop (Snapshot.Interrupted).
	Interrupted int64 `json:"interrupted"`
}

type jsonEntry struct {
	Method       string         `json:"method"`
	Name         string         `json:"name"`
	Requests     int64          `json:"requests"`
	Failures     int64          `json:"failures"`
	TotalTimeMs  float64        `json:"total_time_ms"`
	AvgMs        float64        `json:"avg_ms"`
	MinMs        float64        `json:"min_ms"`
	MaxMs        float64        `json:"max_ms"`
	MedianMs     float64        `json:"median_ms"`
	TotalSize    int64          `json:"total_size"`
	AvgSize      float64        `json:"avg_size"`
	RPS          float64        `json:"rps"`
	FailPerS     float64        `json:"fail_per_s"`
	FirstRequest *time.Time     `json:"first_request,omitempty"`
	LastRequest  *time.Time     `json:"last_request,omitempty"`
	Percentiles  percentileMap  `json:"percentiles"`
	Histogram    *HistogramJSON `json:"histogram"`
}

type jsonError struct {
	Method      string    `json:"method"`
	Name        string    `json:"name"`
	Error       string    `json:"error"`
	Occurrences int64     `json:"occurrences"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
}

type jsonException struct {
	Count     int64  `json:"count"`
	Message   string `json:"message"`
	Traceback string `json:"traceback"`
	Nodes     string `json:"nodes"`
}

// percentileMap keeps the percentiles in Locust's order ("50" ... "100")
// instead of the string order a Go map would give.
type percentileMap []percentileValue

type percentileValue struct {
	p, ms float64
}

// MarshalJSON writes the percentiles as an object keyed "50" ... "100".
func (m percentileMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(strconv.FormatFloat(v.p, 'f', -1, 64)))
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(v.ms, 'f', -1, 64))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON wrote, in any key order.
func (m *percentileMap) UnmarshalJSON(data []byte) error {
	var raw map[string]float64
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*m = (*m)[:0]
	for k, v := range raw {
		p, err := strconv.ParseFloat(k, 64)
		if err != nil {
			return fmt.Errorf("percentile %q: %w", k, err)
		}
		*m = append(*m, percentileValue{p, v})
	}
	slices.SortFunc(*m, func(a, b percentileValue) int {
		switch {
		case a.p < b.p:
			return -1
		case a.p > b.p:
			return 1
		}
		return 0
	})
	return nil
}

// resultKeys are the top-level keys WriteJSON owns; extra keys must not use them.
var resultKeys = []string{"version", "start", "end", "duration_s", "entries", "total", "errors", "exceptions", "interrupted", "metrics", "checks", "iterations"}

// WriteJSON writes the whole result as one JSON object: the run's span, every
// row with its percentiles and mergeable histogram (see HistogramJSON), the
// aggregate, errors, exceptions, custom metrics and checks; the extra keys
// (users, thresholds, ...) follow, sorted, and must not collide with those.
// It streams: one row is encoded at a time, so its memory does not grow with
// the number of rows.
func WriteJSON(w io.Writer, s *Snapshot, extra map[string]any) error {
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if slices.Contains(resultKeys, k) {
			return fmt.Errorf("encode result: extra key %q collides with a result field", k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := &jsonStream{w: bufio.NewWriterSize(w, 64<<10)}
	out.raw(`{"version":` + strconv.Itoa(jsonVersion))
	out.field("start", s.Start.UTC())
	out.field("end", s.Now.UTC())
	out.field("duration_s", round(s.Now.Sub(s.Start).Seconds(), 3))
	out.raw(`,"entries":[`)
	for i := range s.Entries {
		if i > 0 {
			out.raw(",")
		}
		out.value(toJSONEntry(&s.Entries[i], s.Now))
	}
	out.raw("]")
	out.field("total", toJSONEntry(&s.Total, s.Now))
	out.raw(`,"errors":[`)
	for i, g := range s.Errors {
		if i > 0 {
			out.raw(",")
		}
		g.FirstSeen, g.LastSeen = g.FirstSeen.UTC(), g.LastSeen.UTC()
		out.value(jsonError(g))
	}
	out.raw(`],"exceptions":[`)
	for i, g := range s.Exceptions {
		if i > 0 {
			out.raw(",")
		}
		out.value(jsonException{g.Count, g.Message, g.Traceback, g.Nodes})
	}
	out.raw("]")
	out.field("interrupted", s.Interrupted)
	writeCustomJSON(out, s)
	for _, k := range keys {
		out.field(k, extra[k])
	}
	out.raw("}\n")
	if out.err != nil {
		return fmt.Errorf("encode result: %w", out.err)
	}
	if err := out.w.Flush(); err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	return nil
}

// jsonStream writes a JSON document piece by piece and keeps the first error.
type jsonStream struct {
	w   *bufio.Writer
	err error
}

func (j *jsonStream) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

func (j *jsonStream) value(v any) {
	if j.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		j.err = err
		return
	}
	_, j.err = j.w.Write(b)
}

// field writes ,"key":value.
func (j *jsonStream) field(key string, v any) {
	kb, _ := json.Marshal(key)
	j.raw(",")
	j.raw(string(kb))
	j.raw(":")
	j.value(v)
}

func toJSONEntry(e *Entry, now time.Time) jsonEntry {
	j := jsonEntry{
		Method:      e.Method,
		Name:        e.Name,
		Requests:    e.Requests,
		Failures:    e.Failures,
		TotalTimeMs: ms(e.TotalTime),
		AvgMs:       ms(e.Avg()),
		MinMs:       ms(e.MinTime),
		MaxMs:       ms(e.MaxTime),
		MedianMs:    ms(e.Median()),
		TotalSize:   e.TotalSize,
		AvgSize:     round(e.AvgSize(), 3),
		RPS:         round(e.RPS(now), 3),
		FailPerS:    round(e.FailPerSec(now), 3),
		Percentiles: make(percentileMap, 0, len(Percentiles)),
		Histogram:   EncodeHistogram(e.Hist),
	}
	if !e.FirstRequest.IsZero() {
		first, last := e.FirstRequest.UTC(), e.LastRequest.UTC()
		j.FirstRequest, j.LastRequest = &first, &last
	}
	for _, p := range Percentiles {
		j.Percentiles = append(j.Percentiles, percentileValue{p, ms(e.Percentile(p))})
	}
	return j
}

// ms is a duration in milliseconds to the microsecond, the histograms' unit.
func ms(d time.Duration) float64 {
	return round(float64(d)/float64(time.Millisecond), 3)
}

func round(v float64, decimals int) float64 {
	f := math.Pow10(decimals)
	return math.Round(v*f) / f
}

// ReadJSON reads a result WriteJSON wrote, for merging results of several
// machines. It returns the keys that are not part of the result as they are.
// Current rates are not in the file, so they are zero.
func ReadJSON(r io.Reader) (*Snapshot, map[string]json.RawMessage, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read result: %w", err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(body, &all); err != nil {
		return nil, nil, fmt.Errorf("read result: %w", err)
	}
	var res jsonResult
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, nil, fmt.Errorf("read result: %w", err)
	}
	if res.Version != 1 && res.Version != jsonVersion {
		return nil, nil, fmt.Errorf("read result: version %d, want 1 or %d", res.Version, jsonVersion)
	}
	s := &Snapshot{Start: res.Start, Now: res.End, Interrupted: res.Interrupted}
	if err := readCustomJSON(all, s); err != nil {
		return nil, nil, fmt.Errorf("read result: %w", err)
	}
	for _, k := range resultKeys {
		delete(all, k)
	}
	for i := range res.Entries {
		e, err := fromJSONEntry(&res.Entries[i], s.Start)
		if err != nil {
			return nil, nil, err
		}
		s.Entries = append(s.Entries, e)
	}
	if s.Total, err = fromJSONEntry(&res.Total, s.Start); err != nil {
		return nil, nil, err
	}
	for _, g := range res.Errors {
		s.Errors = append(s.Errors, ErrorGroup(g))
	}
	for _, g := range res.Exceptions {
		s.Exceptions = append(s.Exceptions, ExceptionGroup{g.Count, g.Message, g.Traceback, g.Nodes})
	}
	s.shareSpan()
	s.sort()
	return s, all, nil
}

func fromJSONEntry(j *jsonEntry, start time.Time) (Entry, error) {
	e := Entry{
		Method:    j.Method,
		Name:      j.Name,
		Requests:  j.Requests,
		Failures:  j.Failures,
		TotalTime: fromMs(j.TotalTimeMs),
		MinTime:   fromMs(j.MinMs),
		MaxTime:   fromMs(j.MaxMs),
		TotalSize: j.TotalSize,
		Start:     start,
	}
	if j.FirstRequest != nil {
		e.FirstRequest = *j.FirstRequest
	}
	if j.LastRequest != nil {
		e.LastRequest = *j.LastRequest
	}
	if j.Histogram != nil {
		h, err := DecodeHistogram(j.Histogram)
		if err != nil {
			return Entry{}, fmt.Errorf("read result: %s %s: %w", j.Method, j.Name, err)
		}
		e.Hist = h
	}
	return e, nil
}

func fromMs(v float64) time.Duration {
	return time.Duration(math.Round(v * float64(time.Millisecond)))
}
