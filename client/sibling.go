package client

import (
	"crypto/tls"
	"net/http"
	"sync"
)

// Sibling is Derive for concurrent use: a Client with opts that shares c's cookie jar, so that
// a user's concurrent requests (async requests, a batch) run at once and keep its session.
// Over HTTP/1.1 each sibling has connections of its own. Over HTTP/2 the siblings share one
// connection per host, their requests multiplexed on it as streams, through net/http's HTTP/2
// transport (laneMux): gust's own HTTP/2 path reads a connection on the goroutine of the one
// request on it, so it cannot carry several at once. The user's sequential requests keep that
// path and its connection. The jar is created now, on c's owner goroutine, so that no sibling
// creates it while another reads it (the jar itself is safe for concurrent use). Call it from
// c's owner goroutine.
func (c *Client) Sibling(opts Options) *Client {
	c.jarFor()
	r := c.root()
	if r.lanes == nil {
		r.lanes = newLaneMux(opts)
	}
	d := c.Derive(opts)
	if r.lanes.tlsBase == opts.TLSConfig && r.lanes.noKeep == opts.NoKeepAlive {
		d.mux = r.lanes // a sibling with TLS settings of its own keeps its own connections
	}
	return d
}

// laneMux is the HTTP/2 transport a Client's siblings share: net/http's, which multiplexes
// the requests of every goroutine on one connection per host.
type laneMux struct {
	tlsBase *tls.Config // the settings it was made with (the first sibling's)
	noKeep  bool

	mu     sync.Mutex
	std    stdPath         // its h2 and h2c transports only, never proxied: proxied requests go the sibling's own way
	h1Only map[string]bool // hosts that answered in HTTP/1.1: each sibling's own connections serve them
}

func newLaneMux(opts Options) *laneMux {
	m := &laneMux{tlsBase: opts.TLSConfig, noKeep: opts.NoKeepAlive}
	m.std.init(opts)
	m.std.proxy, m.std.fromEnv = nil, false
	return m
}

// transport returns the shared transport for HTTP/2 over TLS or h2c, built on first use.
func (m *laneMux) transport(c *Client, isTLS bool) *http.Transport {
	m.mu.Lock()
	defer m.mu.Unlock()
	slot := &m.std.h2c
	if isTLS {
		slot = &m.std.h2
	}
	if *slot == nil {
		// For HTTP/2 this bounds the dials in progress, not the connections: requests that
		// start together wait for the one connection instead of each dialling its own. Set
		// before the transport is first used.
		m.std.transport(c, isTLS, true).MaxConnsPerHost = 1
	}
	return *slot
}

// shared reports whether a sibling's HTTP/2 request to host goes on the shared connection:
// not once host has answered in HTTP/1.1, where one connection would serialize the requests.
func (m *laneMux) shared(host string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.h1Only[host]
}

// answeredHTTP1 notes that host chose HTTP/1.1 (ALPN) on the shared transport.
func (m *laneMux) answeredHTTP1(host string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.h1Only == nil {
		m.h1Only = make(map[string]bool)
	}
	m.h1Only[host] = true
}

// closeIdle closes the shared connections that carry no request.
func (m *laneMux) closeIdle() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.std.closeIdle()
}

// muxed reports whether an HTTP/2 request of this sibling to rawURL goes on the shared
// connection (see laneMux.shared); a URL that does not parse goes there to fail as usual.
func (c *Client) muxed(rawURL string) bool {
	u, err := c.parsedURL(rawURL)
	return err != nil || c.mux.shared(u.Host)
}
