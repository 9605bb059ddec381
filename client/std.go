package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// stdPath sends proxied requests (HTTP/1.1 and HTTP/2) through net/http's Transport: ALPN
// and h2c, one multiplexed connection per host, CONNECT tunnels. HTTP/2 without a proxy
// has its own path (h2.go). Each Client has its own transports, so a user's connections
// stay its own, as on the fast path.
type stdPath struct {
	http2    bool
	proxy    func(*http.Request) (*url.URL, error) // nil: no proxy at all
	fromEnv  bool                                  // proxy is the environment's: decided per URL
	tlsBase  *tls.Config
	noKeep   bool
	dialAddr func(string) string

	h1, h2, h2c *http.Transport    // built on first use
	cancel      context.CancelFunc // of the request in flight; guarded by Client.mu
}

// envProxy is, once read, the environment's proxy choice (HTTP_PROXY, HTTPS_PROXY,
// NO_PROXY, as net/http reads them); nil when the environment names no proxy.
var envProxy = sync.OnceValue(readEnvProxy)

func readEnvProxy() func(*url.URL) (*url.URL, error) {
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
		if os.Getenv(k) != "" {
			return httpproxy.FromEnvironment().ProxyFunc()
		}
	}
	return nil
}

// CheckProxy reports whether raw is a proxy URL the client can use.
func CheckProxy(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return errors.New("want http://host:port or https://host:port")
	}
	return nil
}

func (s *stdPath) init(opts Options) {
	s.http2 = opts.HTTP2
	s.tlsBase = opts.TLSConfig
	s.noKeep = opts.NoKeepAlive
	switch {
	case opts.Proxy != "":
		if u, err := url.Parse(opts.Proxy); err == nil {
			s.proxy = http.ProxyURL(u)
		}
	case envProxy() != nil:
		pf := envProxy()
		s.proxy = func(r *http.Request) (*url.URL, error) { return pf(r.URL) }
		s.fromEnv = true
	}
}

// proxied reports whether a request to rawURL goes through a proxy, and so through
// net/http: one flag check on the fast path. With a proxy from the environment, only the
// URLs it proxies do: loopback and NO_PROXY hosts keep the fast path.
func (c *Client) proxied(rawURL string) bool {
	s := &c.std
	if s.proxy == nil {
		return false
	}
	if !s.fromEnv {
		return true
	}
	u, err := c.parsedURL(rawURL)
	if err != nil {
		return false
	}
	p, err := envProxy()(u)
	return err == nil && p != nil
}

// transport returns the transport for a request: HTTP/1.1 (proxied), HTTP/2 over TLS (ALPN,
// falling back to HTTP/1.1) or h2c with prior knowledge.
func (c *Client) transport(isTLS, h2 bool) *http.Transport { return c.std.transport(c, isTLS, h2) }

// transport returns s's transport for a request of c, built on first use.
func (s *stdPath) transport(c *Client, isTLS, h2 bool) *http.Transport {
	slot, protos := &s.h1, new(http.Protocols)
	switch {
	case h2 && isTLS:
		slot = &s.h2
		protos.SetHTTP1(true)
		protos.SetHTTP2(true)
	case h2:
		slot = &s.h2c
		protos.SetUnencryptedHTTP2(true)
	default:
		protos.SetHTTP1(true)
	}
	if *slot != nil {
		return *slot
	}
	cfg := &tls.Config{}
	if s.tlsBase != nil {
		cfg = s.tlsBase.Clone()
	}
	cfg.NextProtos = nil
	t := &http.Transport{
		Proxy:                  s.proxy,
		TLSClientConfig:        cfg,
		DisableKeepAlives:      s.noKeep,
		DisableCompression:     true, // bodies are decoded by the client, whatever the path
		MaxIdleConnsPerHost:    1,
		MaxResponseHeaderBytes: maxHeaderBytes,
		Protocols:              protos,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			d := net.Dialer{LocalAddr: c.source()} // a source address per connection (--local-ips)
			return d.DialContext(ctx, network, c.dialAddr(addr))
		},
	}
	*slot = t
	return t
}

// stdExchange performs one hop through net/http and fills resp as exchange does.
func (c *Client) stdExchange(h *hop, headers [][2]string, h2 bool, start, deadline time.Time, timeout time.Duration, resp *Response) (time.Time, error) {
	resp.Status, resp.Body, resp.Size, resp.TTFB = 0, nil, 0, 0
	resp.arena, resp.nh, resp.hmap = nil, 0, nil
	u, isTLS, err := absoluteURL(h.url, url.Parse)
	if err != nil {
		return start, err
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[isTLS])
	}

	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	// The trace hooks run on the transport's dialing goroutine, which can outlive a failed
	// RoundTrip: they only store atomics, read once the response is in.
	var tlsStart, tlsTime atomic.Int64
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		TLSHandshakeStart: func() { tlsStart.Store(int64(time.Since(start))) },
		TLSHandshakeDone: func(tls.ConnectionState, error) {
			if s := tlsStart.Load(); s != 0 {
				tlsTime.Store(int64(time.Since(start)) - s)
			}
		},
	})
	c.mu.Lock()
	if c.aborted.Load() {
		c.mu.Unlock()
		return start, ErrAborted
	}
	c.std.cancel = cancel
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.std.cancel = nil
		c.mu.Unlock()
	}()

	hr, err := http.NewRequestWithContext(ctx, h.method, h.url, nil)
	if err != nil {
		return start, &Error{Op: "url", Msg: "invalid URL", Err: err}
	}
	if h.body != nil {
		hr.Body = http.NoBody
		if len(h.body) > 0 {
			hr.Body, hr.ContentLength = io.NopCloser(bytes.NewReader(h.body)), int64(len(h.body))
			body := h.body
			hr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
	}
	var hasUA, hasAE, hasCookie bool
	for _, kv := range headers {
		k := kv[0]
		switch {
		case h.drops(k):
			continue
		case strings.EqualFold(k, "Host"):
			hr.Host = kv[1]
			continue
		case strings.EqualFold(k, "Content-Length"):
			continue
		case strings.EqualFold(k, "User-Agent"):
			hasUA = true
		case strings.EqualFold(k, "Accept-Encoding"):
			hasAE = true
		case strings.EqualFold(k, "Cookie"):
			hasCookie = true
		}
		hr.Header[k] = append(hr.Header[k], kv[1])
	}
	if !hasUA {
		hr.Header.Set("User-Agent", c.userAgent)
	}
	if !hasAE {
		hr.Header.Set("Accept-Encoding", acceptEncoding)
	}
	if c.root().jar != nil && !hasCookie {
		for _, ck := range c.root().jar.Cookies(u) {
			hr.AddCookie(ck)
		}
	}

	var t *http.Transport
	muxed := c.mux != nil && h2 && !c.proxied(h.url)
	if muxed {
		t = c.mux.transport(c, isTLS)
	} else {
		t = c.transport(isTLS, h2)
	}
	hres, err := t.RoundTrip(hr)
	if err != nil {
		if c.aborted.Load() {
			return time.Now(), ErrAborted
		}
		op := "read"
		var cv *tls.CertificateVerificationError
		if errors.As(err, &cv) || strings.HasPrefix(err.Error(), "tls: ") {
			op = "tls handshake"
		}
		return time.Now(), failure(op, addr, err, timeout)
	}
	defer hres.Body.Close()
	resp.TTFB = time.Since(start)
	resp.TLSHandshake = time.Duration(tlsTime.Load())
	resp.Status, resp.Proto = hres.StatusCode, protoName(hres.Proto)
	if muxed && hres.ProtoMajor == 1 {
		c.mux.answeredHTTP1(u.Host)
	}
	if cks := hres.Cookies(); len(cks) > 0 {
		c.jarFor().SetCookies(u, cks)
	}

	b, eof, err := fill(nil, hres.Body, int(c.limit))
	resp.Size = int64(len(b))
	if err == nil && !eof {
		var rest int64
		rest, err = drain(hres.Body)
		resp.Size += rest
	}
	end := later(start)
	if err != nil {
		if c.aborted.Load() {
			return end, ErrAborted
		}
		if !end.Before(deadline) {
			err = os.ErrDeadlineExceeded
		}
		return end, failure("read", addr, err, timeout)
	}
	n := 0
	for k, vs := range hres.Header {
		for _, v := range vs {
			n += spanSize + len(k) + len(v)
		}
	}
	arena := make([]byte, n)
	nh := 0
	for _, vs := range hres.Header {
		nh += len(vs)
	}
	i, off := 0, nh*spanSize
	for k, vs := range hres.Header {
		for _, v := range vs {
			off = putHeader(arena, i, off, []byte(k), []byte(v))
			i++
		}
	}
	resp.arena, resp.nh = arena, nh
	if len(b) > 0 {
		resp.Body = b[:len(b):len(b)]
	}
	if err := c.decodeInPlace(resp, hres.Header.Get("Content-Encoding"), addr); err != nil {
		return end, err
	}
	return end, nil
}

// protoName returns the canonical constant for an HTTP version, so that a response does
// not hold its own copy.
func protoName(p string) string {
	switch p {
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/2.0":
		return "HTTP/2.0"
	case "HTTP/1.0":
		return "HTTP/1.0"
	}
	return p
}

// closeStd closes the idle connections of the net/http transports.
func (s *stdPath) closeIdle() {
	for _, t := range []*http.Transport{s.h1, s.h2, s.h2c} {
		if t != nil {
			t.CloseIdleConnections()
		}
	}
}
