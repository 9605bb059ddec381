package js

import (
	"net/http"
	"sync"

	"github.com/gustload/gust/metrics"
)

// wsShared is the HTTP client every user's WebSocket handshakes go through: one per test,
// with the run's TLS settings. A socket's connection is its own once upgraded.
type wsShared struct {
	once sync.Once
	c    *http.Client

	metricsOnce sync.Once
	metrics     [4]*metrics.Metric
}

// wsHTTP returns the test's WebSocket handshake client, built on first use.
func (t *Test) wsHTTP() *http.Client {
	t.ws.once.Do(func() {
		t.ws.c = &http.Client{Transport: &http.Transport{
			TLSClientConfig:   t.cfg.Client.TLSConfig,
			DisableKeepAlives: true, // an upgraded connection is never reused anyway
			ForceAttemptHTTP2: false,
		}}
	})
	return t.ws.c
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
