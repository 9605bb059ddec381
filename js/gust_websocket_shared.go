package js

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"sync"

	"github.com/gustload/gust/metrics"
)

// wsShared holds the HTTP clients users' WebSocket handshakes go through: one per TLS
// configuration (the run's, or a class's static tls) and proxy, shared by the users. A
// socket's connection is its own once upgraded.
type wsShared struct {
	clients sync.Map // wsClientKey → *http.Client

	metricsOnce sync.Once
	metrics     [4]*metrics.Metric
}

// wsClientKey tells handshake clients apart: TLS settings (nil: the default) and proxy URL
// ("": the environment's, as for requests).
type wsClientKey struct {
	tls   *tls.Config
	proxy string
}

// wsHTTP returns the WebSocket handshake client for TLS settings cfg and proxy, built on
// first use. A proxy is reached as for requests: wss:// through a CONNECT tunnel, ws:// as
// an upgrade request to the proxy; without one, HTTP_PROXY, HTTPS_PROXY and NO_PROXY are
// read as Go's ProxyFromEnvironment reads them (never for loopback).
func (t *Test) wsHTTP(cfg *tls.Config, proxy string) *http.Client {
	key := wsClientKey{cfg, proxy}
	if c, ok := t.ws.clients.Load(key); ok {
		return c.(*http.Client)
	}
	via := http.ProxyFromEnvironment
	if proxy != "" {
		if u, err := url.Parse(proxy); err == nil { // checked when the option was read
			via = http.ProxyURL(u)
		}
	}
	c := &http.Client{Transport: &http.Transport{
		Proxy:             via,
		TLSClientConfig:   cfg,
		DisableKeepAlives: true, // an upgraded connection is never reused anyway
	}}
	got, _ := t.ws.clients.LoadOrStore(key, c)
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
