package tsout

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/session"
)

// The run lifecycle's side of the live outputs: each is a session.Output, so that cmd/gust
// registers it with one line, and the session drives it like the CSV or JSON output.

// sampleEvery is how often a push output takes a fresh sample of the running test: often
// enough that a push, on its own schedule, never sends one much older than a second.
const sampleEvery = time.Second

// Push is the session output for one --out value: "prometheus-rw=URL" or "influxdb=URL".
// ok is false when spec names neither (the caller's own kinds, or a mistake to report).
func Push(spec string, l Labels, interval time.Duration, getenv func(string) string) (out session.Output, ok bool, err error) {
	o, ok, err := Open(spec, l, interval, getenv)
	if !ok || err != nil {
		return nil, ok, err
	}
	return &pushOutput{out: o, name: strings.SplitN(spec, "=", 2)[0]}, true, nil
}

// pushOutput feeds a periodic output (remote write, InfluxDB) from the session.
type pushOutput struct {
	out  Output
	name string
	warn func(string)
}

func (p *pushOutput) Start(run *session.Run) (time.Duration, error) {
	p.warn = run.Config.Warn
	return sampleEvery, p.out.Start()
}

func (p *pushOutput) Snapshot(run *session.Run) {
	p.out.Snapshot(FromSnapshot(run.Stats.Snapshot(), run.Users()))
}

// Stop pushes the final totals. A database that missed them does not fail the run (its
// reports are whole): it is a warning naming the error.
func (p *pushOutput) Stop(res *session.Result) error {
	if err := p.out.Stop(Final(res.Snapshot)); err != nil && p.warn != nil {
		p.warn(fmt.Sprintf("--out %s: %v", p.name, err))
	}
	return nil
}

// Final is the sample of a stopped test: its final totals, no user running.
func Final(snap *metrics.Snapshot) Sample {
	return FromSnapshot(snap, 0)
}

// Scrape is the session output behind /metrics (--metrics-addr, and the web UI's): a scrape
// samples the running test at that moment, and once it has stopped serves its final totals.
type Scrape struct {
	exp *Exporter

	mu  sync.Mutex
	run *session.Run // the test running; nil once it stopped
	srv *Server
}

// NewScrape is the /metrics output labelling its series with l.
func NewScrape(l Labels) *Scrape { return &Scrape{exp: NewExporter(l)} }

// Handler serves /metrics, refreshed from the running test on every scrape.
func (s *Scrape) Handler() http.Handler {
	h := s.exp.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		run := s.run
		s.mu.Unlock()
		if run != nil {
			s.exp.Snapshot(FromSnapshot(run.Stats.Snapshot(), run.Users()))
		}
		h.ServeHTTP(w, r)
	})
}

// Listen serves Handler at addr's /metrics (--metrics-addr) until Close.
func (s *Scrape) Listen(addr string) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.Handler())
	srv, err := serveMux(addr, mux)
	if err != nil {
		return err
	}
	s.srv = srv
	return nil
}

// Addr is the address Listen serves on ("" before).
func (s *Scrape) Addr() string {
	if s.srv == nil {
		return ""
	}
	return s.srv.Addr()
}

// Close stops the server Listen started.
func (s *Scrape) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Start implements session.Output.
func (s *Scrape) Start(run *session.Run) (time.Duration, error) {
	s.mu.Lock()
	s.run = run
	s.mu.Unlock()
	return 0, nil
}

// Snapshot implements session.Output: scrapes sample the test themselves.
func (s *Scrape) Snapshot(*session.Run) {}

// Stop implements session.Output: from now on /metrics serves the final totals.
func (s *Scrape) Stop(res *session.Result) error {
	s.exp.Snapshot(Final(res.Snapshot))
	s.mu.Lock()
	s.run = nil
	s.mu.Unlock()
	return nil
}

// Flags are the live-metrics flags of `gust run`.
type Flags struct {
	Out         []string      // --out values
	Interval    time.Duration // --out-interval
	MetricsAddr string        // --metrics-addr
	WebUI       bool          // the web UI serves /metrics too
	Labels      Labels        // --test-id and the segment
}

// Live is what Flags ask for: the outputs to register, the /metrics handler for the web UI
// (nil when neither --metrics-addr nor the web UI serves it), and Close for the server.
type Live struct {
	Outputs []session.Output
	Handler http.Handler
	Close   func() error
}

// FromFlags builds the live outputs; an error names the bad value.
func FromFlags(f Flags, getenv func(string) string) (*Live, error) {
	live := &Live{Close: func() error { return nil }}
	for _, spec := range f.Out {
		o, ok, err := Push(spec, f.Labels, f.Interval, getenv)
		if !ok && err == nil {
			err = fmt.Errorf("want prometheus-rw=URL or influxdb=URL")
		}
		if err != nil {
			return nil, fmt.Errorf("bad --out %q: %w", spec, err)
		}
		live.Outputs = append(live.Outputs, o)
	}
	if f.MetricsAddr != "" || f.WebUI {
		m := NewScrape(f.Labels)
		if f.MetricsAddr != "" {
			if err := m.Listen(f.MetricsAddr); err != nil {
				return nil, err
			}
		}
		live.Outputs, live.Handler, live.Close = append(live.Outputs, m), m.Handler(), m.Close
	}
	return live, nil
}
