package js

import (
	"net/http"
	"sync"
)

// wsShared is the HTTP client every user's WebSocket handshakes go through: one per test,
// with the run's TLS settings. A socket's connection is its own once upgraded.
type wsShared struct {
	once sync.Once
	c    *http.Client
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

// wsCount counts one WebSocket message sent or received, and its bytes.
func (v *vu) wsCount(sent bool, n int) {
	// Bound to the custom metrics once they are on main (ws_msgs_sent, ws_msgs_received).
}
