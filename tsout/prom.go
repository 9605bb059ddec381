package tsout

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Exporter exposes the latest Sample as Prometheus metrics through client_golang: it is a
// prometheus.Collector over the Sample, so /metrics and remote write (which gathers the same
// registry) always carry identical series.
type Exporter struct {
	labels Labels
	reg    *prometheus.Registry

	mu  sync.Mutex
	cur Sample
}

// NewExporter returns an exporter whose every series carries l as testid and segment labels.
func NewExporter(l Labels) *Exporter {
	e := &Exporter{labels: l, reg: prometheus.NewRegistry()}
	e.reg.MustRegister(e)
	return e
}

// Snapshot makes s the sample the next scrape or push reports.
func (e *Exporter) Snapshot(s Sample) {
	e.mu.Lock()
	e.cur = s
	e.mu.Unlock()
}

// Handler serves /metrics in the text exposition format (or protobuf when asked for it). The
// web UI mounts it as its own /metrics.
func (e *Exporter) Handler() http.Handler {
	return promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Gatherer is the registry behind the exporter.
func (e *Exporter) Gatherer() prometheus.Gatherer { return e.reg }

// Describe implements prometheus.Collector. It describes nothing, which makes the exporter an
// unchecked collector: the custom metrics' names are only known once the script records them.
func (e *Exporter) Describe(chan<- *prometheus.Desc) {}

var builtin = map[string]bool{
	"gust_requests_total": true, "gust_failures_total": true, "gust_users": true, "gust_response_time_seconds": true,
}

// Collect implements prometheus.Collector.
func (e *Exporter) Collect(ch chan<- prometheus.Metric) {
	e.mu.Lock()
	s := e.cur
	e.mu.Unlock()
	constant := prometheus.Labels{"testid": e.labels.Test, "segment": e.labels.Segment}
	rowLabels := []string{"method", "name"}
	reqs := prometheus.NewDesc("gust_requests_total", "Requests finished, failed ones included.", rowLabels, constant)
	fails := prometheus.NewDesc("gust_failures_total", "Requests that failed.", rowLabels, constant)
	users := prometheus.NewDesc("gust_users", "Users running.", nil, constant)
	rt := prometheus.NewDesc("gust_response_time_seconds", "Response times.", rowLabels, constant)

	ch <- prometheus.MustNewConstMetric(users, prometheus.GaugeValue, float64(s.Users))
	for _, r := range s.Rows {
		// Label values must be UTF-8 (client_golang panics otherwise); a request name built from
		// raw bytes keeps its series with the bad bytes replaced.
		method, name := strings.ToValidUTF8(r.Method, "\uFFFD"), strings.ToValidUTF8(r.Name, "\uFFFD")
		ch <- prometheus.MustNewConstMetric(reqs, prometheus.CounterValue, float64(r.Requests), method, name)
		ch <- prometheus.MustNewConstMetric(fails, prometheus.CounterValue, float64(r.Failures), method, name)
		buckets := make(map[float64]uint64, len(Bounds))
		for i, b := range Bounds {
			if i < len(r.Buckets) {
				buckets[b] = r.Buckets[i]
			}
		}
		ch <- prometheus.MustNewConstHistogram(rt, uint64(r.Requests), r.Seconds, buckets, method, name)
	}
	for _, c := range s.Custom {
		name := MetricName(c.Name)
		if builtin[name] {
			ch <- prometheus.NewInvalidMetric(prometheus.NewDesc(name, "", nil, nil),
				fmt.Errorf("custom metric %q clashes with gust's own %s", c.Name, name))
			continue
		}
		// Label names are made valid the way metric names are: a Prometheus older than 3.0
		// refuses a whole remote write that holds one name outside [a-zA-Z0-9_].
		keys := make([]string, 0, len(c.Labels))
		byKey := make(map[string]string, len(c.Labels))
		for k, v := range c.Labels {
			k = labelName(k)
			keys = append(keys, k)
			byKey[k] = strings.ToValidUTF8(v, "\uFFFD")
		}
		sort.Strings(keys)
		values := make([]string, len(keys))
		for i, k := range keys {
			values[i] = byKey[k]
		}
		kind := prometheus.GaugeValue
		if c.Kind == Counter {
			kind = prometheus.CounterValue
		}
		d := prometheus.NewDesc(name, "Custom metric "+c.Name+".", keys, constant)
		m, err := prometheus.NewConstMetric(d, kind, c.Value, values...)
		if err != nil {
			m = prometheus.NewInvalidMetric(d, fmt.Errorf("custom metric %q: %w", c.Name, err))
		}
		ch <- m
	}
}

// Server serves an exporter's /metrics on its own address (--metrics-addr).
type Server struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

// Serve listens on addr ("127.0.0.1:9464", ":0" for any free port) and serves e at /metrics
// until Close.
func Serve(addr string, e *Exporter) (*Server, error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", e.Handler())
	return serveMux(addr, mux)
}

func serveMux(addr string, mux *http.ServeMux) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %q: %w", addr, err)
	}
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.addr }

// Close stops the server, letting a scrape in flight finish for up to a second.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	<-s.done
	return err
}
