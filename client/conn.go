package client

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"slices"
	"time"
)

// conn is one keep-alive connection, at most one per scheme and host:port.
type conn struct {
	key  string   // "scheme://host:port"
	addr string   // host:port, a suffix of key
	raw  net.Conn // the TCP connection; closing it unblocks any I/O, TLS included
	nc   net.Conn // what requests are written to: raw or its TLS client
	w    *wire    // raw with the request sent by the first read, under TLS too
	h2   *h2conn  // for HTTP/2 (h2.go)

	deadline time.Time     // the I/O deadline last set on raw
	tlsTime  time.Duration // how long the TLS handshake took
}

// extendDeadline makes sure the I/O deadline of cn covers deadline. Setting a deadline
// costs a poller timer update per request. One set a little past this request's own is
// kept for the requests that follow within that slack: a timeout fires at most 1/64 of
// itself late (under a second at the default 60 s).
func (cn *conn) extendDeadline(deadline time.Time, timeout time.Duration) error {
	if cn.deadline.Before(deadline) || cn.deadline.After(deadline.Add(timeout/64)) {
		d := deadline.Add(timeout / 64)
		if err := cn.nc.SetDeadline(d); err != nil {
			return err
		}
		cn.deadline = d
	}
	return nil
}

// rw is what requests on cn are written to and responses read from: the wire of a plain
// connection, else nc (a TLS client, itself over the wire when there is one).
func (cn *conn) rw() io.ReadWriter {
	if cn.w != nil && cn.nc == cn.raw {
		return cn.w
	}
	return cn.nc
}

// setKey puts "scheme://host:port" of c.req's URI into c.key.
func (c *Client) setKey(isTLS bool) {
	host := c.req.URI().Host()
	scheme, port := "http://", ":80"
	if isTLS {
		scheme, port = "https://", ":443"
	}
	c.key = append(append(c.key[:0], scheme...), host...)
	if !hasPort(host) {
		c.key = append(c.key, port...)
	}
}

// hasPort reports whether host ("name", "name:port", "[v6]" or "[v6]:port") has a port.
func hasPort(host []byte) bool {
	for i := len(host) - 1; i >= 0; i-- {
		switch host[i] {
		case ':':
			return true
		case ']':
			return false
		}
	}
	return false
}

// find returns the kept connection for c.key, if any.
func (c *Client) find() *conn {
	for _, cn := range c.conns {
		if cn.key == string(c.key) {
			return cn
		}
	}
	return nil
}

// dial opens the connection for key ("scheme://host:port"), TLS included, and registers it so
// that Abort can close it even while the handshake runs. With h2 the TLS handshake offers
// h2 by ALPN (the caller reads what was chosen).
func (c *Client) dial(key string, isTLS, h2 bool, deadline time.Time, timeout time.Duration) (*conn, error) {
	cn := &conn{key: key, addr: addrOf(key, isTLS)}

	// The context lives only as long as the dial: one kept per Client would
	// keep the bookkeeping of every past dial too.
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	c.mu.Lock()
	if c.aborted.Load() {
		c.mu.Unlock()
		cancel()
		return nil, ErrAborted
	}
	c.dialing = cancel
	c.mu.Unlock()
	d := net.Dialer{LocalAddr: c.source()}
	raw, err := d.DialContext(ctx, "tcp", c.dialAddr(cn.addr))
	c.mu.Lock()
	c.dialing = nil
	c.mu.Unlock()
	cancel()
	if err != nil {
		if c.aborted.Load() {
			return nil, ErrAborted
		}
		return nil, failure("dial", cn.addr, err, timeout)
	}
	cn.raw, cn.nc = raw, raw
	if tc, ok := raw.(*net.TCPConn); ok {
		cn.w = newWire(tc)
	}

	c.mu.Lock()
	if c.aborted.Load() {
		c.mu.Unlock()
		_ = raw.Close()
		return nil, ErrAborted
	}
	c.conns = append(c.conns, cn)
	c.mu.Unlock()

	if isTLS {
		host, _, _ := net.SplitHostPort(cn.addr)
		if err = raw.SetDeadline(deadline); err == nil {
			cn.deadline = deadline
			cfg := c.tlsFor(host)
			if h2 {
				cfg = c.tlsH2For(host)
			}
			var under net.Conn = raw
			if cn.w != nil {
				// TLS records go through the wire: the request's last record is sent by
				// the read that waits for the response, as on plain HTTP.
				under = wiredConn{raw.(*net.TCPConn), cn.w}
			}
			tc := tls.Client(under, cfg)
			t0 := time.Now()
			err = tc.Handshake()
			cn.tlsTime = time.Since(t0)
			cn.nc = tc
		}
		if err != nil {
			c.drop(cn)
			if c.aborted.Load() {
				return nil, ErrAborted
			}
			return nil, failure("tls handshake", cn.addr, err, timeout)
		}
	}
	return cn, nil
}

// wiredConn is a TCP connection whose reads and writes go through its wire, for a TLS
// client to run over; deadlines and the rest are the connection's own.
type wiredConn struct {
	*net.TCPConn
	w *wire
}

func (c wiredConn) Read(p []byte) (int, error)  { return c.w.Read(p) }
func (c wiredConn) Write(p []byte) (int, error) { return c.w.Write(p) }

// dialAddr is the address to connect to for host:port: the --resolve mapping, if any.
func (c *Client) dialAddr(hostPort string) string {
	if a, ok := c.resolve[hostPort]; ok {
		return a
	}
	return hostPort
}

// addrOf returns the host:port of a connection key ("scheme://host:port").
func addrOf(key string, isTLS bool) string {
	if isTLS {
		return key[len("https://"):]
	}
	return key[len("http://"):]
}

// tlsFor returns the TLS config for a server name.
func (c *Client) tlsFor(host string) *tls.Config {
	if c.tlsCfg != nil && c.tlsCfg.ServerName == host {
		return c.tlsCfg
	}
	cfg := &tls.Config{}
	if c.tlsBase != nil {
		cfg = c.tlsBase.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	// This client speaks HTTP/1.1 only; offering h2 could get it chosen.
	cfg.NextProtos = nil
	c.tlsCfg = cfg
	return cfg
}

// tlsH2For is tlsFor offering h2, then HTTP/1.1, by ALPN.
func (c *Client) tlsH2For(host string) *tls.Config {
	if c.tlsH2Cfg != nil && c.tlsH2Cfg.ServerName == host {
		return c.tlsH2Cfg
	}
	cfg := c.tlsFor(host).Clone()
	cfg.NextProtos = []string{"h2", "http/1.1"}
	c.tlsH2Cfg = cfg
	return cfg
}

// drop closes cn and forgets it.
func (c *Client) drop(cn *conn) {
	c.mu.Lock()
	if i := slices.Index(c.conns, cn); i >= 0 {
		c.conns = slices.Delete(c.conns, i, i+1)
	}
	c.mu.Unlock()
	_ = cn.raw.Close()
}

// source is the source address of a new connection (--local-ips); nil lets the system pick.
func (c *Client) source() net.Addr {
	if c.localAddr == nil {
		return nil
	}
	return c.localAddr()
}
