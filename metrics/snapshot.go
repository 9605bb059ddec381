package metrics

import (
	"slices"
	"sort"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Snapshot is a copy of the statistics at one moment; nothing else refers to it.
type Snapshot struct {
	Start, Now time.Time
	// Entries are the rows, sorted by name then method as Locust sorts them.
	Entries []Entry
	// Total is the aggregated row: Method "", Name "Aggregated".
	Total Entry
	// Errors are the failure groups, most frequent first.
	Errors []ErrorGroup
	// Exceptions are the script error groups, most frequent first.
	Exceptions []ExceptionGroup
	// Metrics are the custom metrics, by name.
	Metrics []MetricValue
	// Checks are the checks' outcomes, in the order they were first seen.
	Checks []CheckResult
	// Iterations counts the iterations completed (see Stats.CountIterations).
	Iterations int64
	// Interrupted counts requests cut short by a hard stop: neither successes nor failures.
	Interrupted int64
}

// Entry is one row of statistics: a (method, name) pair, or the aggregate.
type Entry struct {
	Method, Name       string
	Requests, Failures int64
	TotalTime          time.Duration
	MinTime, MaxTime   time.Duration // MinTime is 0 when there was no request
	TotalSize          int64
	// FirstRequest and LastRequest are the completion times of the earliest
	// and latest request; zero when there was none.
	FirstRequest, LastRequest time.Time
	// CurrentRPS and CurrentFailPerSec are rates over the last 10 seconds
	// (over the time since the start when the run is younger).
	CurrentRPS, CurrentFailPerSec float64
	// Start is the run's start (Snapshot.Start), the origin of RPS.
	Start time.Time
	// End closes the span every row's rates are over: the run's last request (the
	// Aggregated row's LastRequest), so that the rows' rates add up to the aggregate's.
	// Zero means the row's own last request.
	End time.Time
	// Hist holds the latencies in microseconds; the entry's own copy. It is sparse
	// (its size follows the buckets in use), so that a snapshot of thousands of rows
	// stays small.
	Hist *hdrhistogram.PackedHistogram
}

// ErrorGroup counts the failures of one (method, name) with one message.
type ErrorGroup struct {
	Method, Name, Error string
	Occurrences         int64
	FirstSeen, LastSeen time.Time
}

// ExceptionGroup counts one script error (message and traceback).
type ExceptionGroup struct {
	Count              int64
	Message, Traceback string
	// Nodes lists the processes that saw it, comma-separated as in Locust's CSV.
	Nodes string
}

// Avg is the mean response time; 0 without requests.
func (e *Entry) Avg() time.Duration {
	if e.Requests == 0 {
		return 0
	}
	return e.TotalTime / time.Duration(e.Requests)
}

// Median is the 50th percentile response time.
func (e *Entry) Median() time.Duration {
	return e.Percentile(50)
}

// Percentile returns the response time below which p percent (0-100) of the
// requests finished: the request of nearest rank ceil(p/100 × requests), within
// 0.1%, clamped to [MinTime, MaxTime]; 0 when empty. The nearest rank keeps
// percentiles exact when results are merged (see percentileOf).
func (e *Entry) Percentile(p float64) time.Duration {
	if e.Hist == nil || e.Hist.TotalCount() == 0 {
		return 0
	}
	// The ends are known exactly, even past the histogram's 10-minute range.
	if p >= 100 {
		return e.MaxTime
	}
	if p <= 0 {
		return e.MinTime
	}
	d := time.Duration(percentileOf(e.Hist, p)) * time.Microsecond
	return clampDur(d, e.MinTime, e.MaxTime)
}

// AvgSize is the mean response size in bytes.
func (e *Entry) AvgSize() float64 {
	if e.Requests == 0 {
		return 0
	}
	return float64(e.TotalSize) / float64(e.Requests)
}

// RPS is the request rate over the whole run, as Locust's total_rps: requests divided by
// the seconds from Start to End, the run's last request (to now before any), at least one
// second. Every row shares that span, so the rows add up to the Aggregated row; ending at
// the last request keeps the drain, teardown and reporting after the load out of it.
func (e *Entry) RPS(now time.Time) float64 {
	return perSecond(e.Requests, e.Start, e.end(now))
}

// FailPerSec is the failure rate over the whole run (Locust's total_fail_per_sec).
func (e *Entry) FailPerSec(now time.Time) float64 {
	return perSecond(e.Failures, e.Start, e.end(now))
}

func (e *Entry) end(now time.Time) time.Time {
	last := e.End
	if last.IsZero() {
		last = e.LastRequest
	}
	if !last.IsZero() && last.Before(now) {
		return last
	}
	return now
}

// shareSpan gives every row the run's start and end, the span of all rates.
func (s *Snapshot) shareSpan() {
	end := s.Total.LastRequest
	for i := range s.Entries {
		s.Entries[i].Start, s.Entries[i].End = s.Start, end
	}
	s.Total.Start, s.Total.End = s.Start, end
}

func perSecond(n int64, start, end time.Time) float64 {
	if n == 0 {
		return 0
	}
	return float64(n) / max(end.Sub(start).Seconds(), 1)
}

// FailRatio is the share of requests that failed, 0 to 1.
func (e *Entry) FailRatio() float64 {
	if e.Requests == 0 {
		return 0
	}
	return float64(e.Failures) / float64(e.Requests)
}

// Merge adds o to s, as if both runs had recorded into one Stats: counts add
// up, histograms merge without loss, the run spans both. Current rates add up
// too, since the runs are meant to be parts of one test.
func (s *Snapshot) Merge(o *Snapshot) {
	if s.Start.IsZero() || (!o.Start.IsZero() && o.Start.Before(s.Start)) {
		s.Start = o.Start
	}
	if o.Now.After(s.Now) {
		s.Now = o.Now
	}
	rows := make(map[entryKey]int, len(s.Entries))
	for i := range s.Entries {
		rows[entryKey{s.Entries[i].Method, s.Entries[i].Name}] = i
	}
	for i := range o.Entries {
		oe := &o.Entries[i]
		if j, ok := rows[entryKey{oe.Method, oe.Name}]; ok {
			s.Entries[j].merge(oe)
			continue
		}
		e := Entry{Method: oe.Method, Name: oe.Name}
		e.merge(oe)
		s.Entries = append(s.Entries, e)
	}
	s.Total.merge(&o.Total)
	s.Total.Method, s.Total.Name = "", "Aggregated"
	s.Interrupted += o.Interrupted
	s.shareSpan()

	s.Errors = mergeGroups[errorKey](s.Errors, o.Errors)
	s.Exceptions = mergeGroups[exceptionKey](s.Exceptions, o.Exceptions)
	s.mergeCustom(o)
	s.sort()
}

func (e *Entry) merge(o *Entry) {
	if o.Requests > 0 {
		if e.Requests == 0 || o.MinTime < e.MinTime {
			e.MinTime = o.MinTime
		}
		e.MaxTime = max(e.MaxTime, o.MaxTime)
		e.FirstRequest = earliest(e.FirstRequest, o.FirstRequest)
		if o.LastRequest.After(e.LastRequest) {
			e.LastRequest = o.LastRequest
		}
	}
	e.Requests += o.Requests
	e.Failures += o.Failures
	e.TotalTime += o.TotalTime
	e.TotalSize += o.TotalSize
	e.CurrentRPS += o.CurrentRPS
	e.CurrentFailPerSec += o.CurrentFailPerSec
	switch {
	case o.Hist == nil:
	case e.Hist == nil:
		e.Hist = o.Hist.Clone()
	default:
		_ = e.Hist.Merge(o.Hist)
	}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// joinNodes unions two comma-separated node lists, keeping first-seen order.
func joinNodes(a, b string) string {
	seen := make(map[string]bool)
	var out []string
	for _, list := range []string{a, b} {
		for n := range strings.SplitSeq(list, ",") {
			n = strings.TrimSpace(n)
			if n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return strings.Join(out, ", ")
}

// droppedName and droppedError label the open model's dropped arrivals in the error report.
const (
	droppedName  = "(open model arrivals)"
	droppedError = "dropped: every user was busy (raise -u/--users)"
)

// AddDropped lists n dropped open-model arrivals among the errors, so that the console error
// report, the failures CSV, the HTML report and the web UI's Failures tab all show them. They
// are not requests: the request and failure counts are left alone.
func (s *Snapshot) AddDropped(n int64) {
	if n <= 0 {
		return
	}
	s.Errors = append(s.Errors, ErrorGroup{Name: droppedName, Error: droppedError, Occurrences: n, LastSeen: s.Now})
	sort.SliceStable(s.Errors, func(i, j int) bool { return s.Errors[i].Occurrences > s.Errors[j].Occurrences })
}

// sort orders rows as Locust does (name, then method), errors and exceptions
// by how often they happened.
func (snap *Snapshot) sort() {
	slices.SortFunc(snap.Entries, func(a, b Entry) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	slices.SortFunc(snap.Errors, func(a, b ErrorGroup) int {
		switch {
		case a.Occurrences != b.Occurrences:
			if a.Occurrences > b.Occurrences {
				return -1
			}
			return 1
		case a.Name != b.Name:
			return strings.Compare(a.Name, b.Name)
		case a.Method != b.Method:
			return strings.Compare(a.Method, b.Method)
		}
		return strings.Compare(a.Error, b.Error)
	})
	slices.SortFunc(snap.Exceptions, func(a, b ExceptionGroup) int {
		switch {
		case a.Count != b.Count:
			if a.Count > b.Count {
				return -1
			}
			return 1
		case a.Message != b.Message:
			return strings.Compare(a.Message, b.Message)
		}
		return strings.Compare(a.Traceback, b.Traceback)
	})
}
