package js

import (
	"crypto/tls"
	"net/http"
	"sync"

	"github.com/gustload/gust/metrics"
)

// wsShared holds the HTTP clients users' WebSocket handshakes go through: one per TLS
// configuration (the run's, or a class's static tls), shared by the users. A socket's
// connection is its own once upgraded.
type wsShared struct {
	clients sync.Map // *tls.Config (nil: the default) → *http.Client

	metricsOnce sync.Once
	metrics     [4]*metrics.Metric
}

// wsHTTP returns the WebSocket handshake client for TLS settings cfg, built on first use.
func (t *Test) wsHTTP(cfg *tls.Config) *http.Client {
	if c, ok := t.ws.clients.Load(cfg); ok {
		return c.(*http.Client)
	}
	c := &http.Client{Transport: &http.Transport{
		TLSClientConfig:   cfg,
		DisableKeepAlives: true, // an upgraded connection is never reused anyway
	}}
	got, _ := t.ws.clients.LoadOrStore(cfg, c)
	return got.(*http.Client)
}

// wsMetrics returns the WebSocket counters (wsMetricNames), registered on the run's Stats the
// first time a user opens a socket.
func (t *Test) wsMetrics() [4]*metrics.Metric {
	t.ws.metricsOnce.Do(func() {
		if t.cfg.Stats == nil {
			return
		}
		for i, name := range wsMetricNames {
			// The names are reserved (checkMetricName): registering cannot clash.
			t.ws.metrics[i], _ = t.cfg.Stats.Metric(name, metrics.Counter, false)
		}
	})
	return t.ws.metrics
}
