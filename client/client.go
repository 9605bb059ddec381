// Package client is the HTTP client each virtual user owns: its own keep-alive
// connections and cookie jar. Plain HTTP/1.1 and HTTPS take a fast path (fasthttp's
// request codec, responses read straight into one allocation, nothing held while idle:
// no goroutine, no I/O buffer). HTTP/2 and proxied requests go through net/http (std.go).
// Bodies are capped (body.go) and decoded (gzip, deflate, br, zstd).
package client

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http/cookiejar"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

const (
	defaultTimeout   = 60 * time.Second
	defaultRedirects = 10
	defaultMaxBody   = 8 << 20
	defaultUserAgent = "gust/0.1"

	// bufSize is the pooled reader and writer size; response headers that do
	// not fit are read again through a reader of maxHeaderBytes.
	bufSize        = 4 << 10
	maxHeaderBytes = 64 << 10
	// drainSize is the scratch used to discard body bytes beyond MaxBodyBytes;
	// bufio reads that large go straight from the socket into it.
	drainSize = 32 << 10
	// maxPooledBody caps the unknown-length body buffers kept for reuse, so
	// one huge chunked response does not pin its buffer in the pool.
	maxPooledBody = 1 << 20
)

var (
	readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufSize) }}
	writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, bufSize) }}
	drains  = sync.Pool{New: func() any { return new([drainSize]byte) }}
	bodies  = sync.Pool{New: func() any { return new([]byte) }}
)

// Options configure a Client.
type Options struct {
	Timeout      time.Duration     // per-request default; 0 means 60s
	MaxRedirects int               // redirects followed by default; 0 means 10, negative means none (a Request may say otherwise)
	MaxBodyBytes int64             // body bytes kept per response; 0 means 8 MiB, negative keeps none; the rest is read, counted in Size, and discarded (never an error)
	TLSConfig    *tls.Config       // nil means default verification; ALPN is always cleared so servers answer HTTP/1.1
	UserAgent    string            // sent unless the request sets one; "" means "gust/0.1"
	DiscardBody  bool              // keep no body of any response (sizes are still counted); a Request may say so too
	HTTP2        bool              // speak HTTP/2: by ALPN on https, with prior knowledge (h2c) on http; a Request may say so too
	Proxy        string            // proxy URL for every request; "" means HTTP_PROXY, HTTPS_PROXY and NO_PROXY
	Resolve      map[string]string // "host:port" → "addr:port" to connect to instead (curl's --resolve)
	NoKeepAlive  bool              // a new connection for every request

	// LocalAddr gives each new connection its source address (--local-ips); nil: the system's.
	LocalAddr func() *net.TCPAddr
}

// Client is one virtual user's HTTP/1.1 client. Do and Close are called by
// one goroutine at a time (the user's, which may change between tasks); only
// Abort may be called from any goroutine, at any time.
//
// Redirects: 301, 302 and 303 continue as GET (HEAD stays HEAD) without the
// body or its Content-Type/Length headers; 307 and 308 keep method and body.
// Authorization and explicit Cookie headers are dropped once a redirect leaves
// the original host. When a request runs out of redirects, Do returns the last
// 3xx response with Err "too many redirects (N)", as python-requests raises
// TooManyRedirects; with Redirects 0 it returns the first 3xx, no error.
type Client struct {
	timeout      time.Duration
	maxRedirects int
	maxBody      int64
	discard      bool // keep no body by default (Options.DiscardBody)
	noKeepAlive  bool
	resolve      map[string]string
	std          stdPath  // HTTP/2 and proxied requests (see std.go)
	mux          *laneMux // a sibling's: the HTTP/2 transport shared with its siblings (sibling.go)
	lanes        *laneMux // the one this Client's siblings share, created with the first
	limit        int64    // body bytes kept for the request in progress
	tlsBase      *tls.Config
	userAgent    string
	localAddr    func() *net.TCPAddr

	// req and resp come from fasthttp's pools for the length of one Do: held by every idle
	// Client, they would cost 1.7 KB per user.
	req     *fasthttp.Request
	resp    *fasthttp.Response
	scratch []byte // the URL being parsed
	key     []byte // the connection key being looked up

	sentReqs [cachedRequests]*sentRequest // recent bodiless requests, as sent (see reqcache.go)
	nextSent int
	seenURLs [cachedRequests]string // URLs of recent requests not remembered yet
	nextSeen int

	jar        *cookiejar.Jar // created on the first Set-Cookie; see root
	parent     *Client        // the Client this one was derived from (cookies.go)
	derived    []*Client      // Clients derived from this one; guarded by mu
	lastURL    *url.URL
	lastURLStr string
	tlsCfg     *tls.Config     // last per-host config, reused while the host stays the same
	tlsH2Cfg   *tls.Config     // the same offering h2 by ALPN
	h1Only     map[string]bool // "host:port" of HTTPS servers that did not choose h2 by ALPN

	// mu guards changes to conns and dialing, which Abort uses from another
	// goroutine. The owner reads conns without it: only the owner writes.
	mu      sync.Mutex
	conns   []*conn
	dialing context.CancelFunc // set while a dial is in progress
	aborted atomic.Bool
}

// New returns a Client with opts, defaults filled in.
func New(opts Options) *Client {
	c := &Client{
		timeout:      opts.Timeout,
		maxRedirects: opts.MaxRedirects,
		maxBody:      opts.MaxBodyBytes,
		tlsBase:      opts.TLSConfig,
		userAgent:    opts.UserAgent,
		discard:      opts.DiscardBody,
		noKeepAlive:  opts.NoKeepAlive,
		resolve:      opts.Resolve,
	}
	c.std.init(opts)
	if c.timeout <= 0 {
		c.timeout = defaultTimeout
	}
	switch {
	case c.maxRedirects == 0:
		c.maxRedirects = defaultRedirects
	case c.maxRedirects < 0:
		c.maxRedirects = 0
	}
	switch {
	case c.maxBody == 0:
		c.maxBody = defaultMaxBody
	case c.maxBody < 0:
		c.maxBody = 0
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	c.localAddr = opts.LocalAddr
	return c
}

// Do sends req, follows redirects as configured and fills resp, which it
// resets first. Failures are reported in resp.Err; Do never panics.
func (c *Client) Do(req *Request, resp *Response) {
	if resp == nil {
		return
	}
	resp.reset()
	start := later(clockBase)
	defer func() {
		c.releaseReq()
		c.releaseResp()
		if p := recover(); p != nil {
			c.Close()
			resp.Status, resp.Body = 0, nil
			resp.Err = fmt.Errorf("client: internal error: %v", p)
			resp.setEnd(start, time.Now())
		}
	}()
	if req == nil {
		resp.Err = &Error{Op: "url", Msg: "nil request"}
		resp.End = start
		return
	}
	resp.URL = req.URL
	if c.aborted.Load() {
		resp.Err = ErrAborted
		resp.End = start
		return
	}

	timeout := req.Timeout
	if timeout <= 0 {
		timeout = c.timeout
	}
	deadline := start.Add(timeout)
	c.limit = c.maxBody
	if req.DiscardBody || c.discard {
		c.limit = 0
	}
	limit := req.Redirects
	if limit < 0 {
		limit = c.maxRedirects
	}
	h := hop{method: req.Method, url: req.URL, body: req.Body}
	if h.method == "" {
		h.method = "GET"
	}

	hopStart := start
	for n := 0; ; n++ {
		resp.URL = h.url
		var (
			end time.Time
			err error
		)
		h2 := c.std.http2 || req.HTTP2
		switch {
		case c.proxied(h.url):
			end, err = c.stdExchange(&h, req.Header, h2, hopStart, deadline, timeout, resp)
		case h2 && c.mux != nil && c.muxed(h.url):
			// A sibling's HTTP/2: a stream on the connection its siblings share (sibling.go).
			end, err = c.stdExchange(&h, req.Header, true, hopStart, deadline, timeout, resp)
		case h2 && c.mux != nil:
			// The host answered the shared transport in HTTP/1.1: the sibling's own connections.
			end, err = c.exchange(&h, req.Header, hopStart, deadline, timeout, resp)
		case h2:
			end, err = c.h2Exchange(&h, req.Header, hopStart, deadline, timeout, resp)
		default:
			end, err = c.exchange(&h, req.Header, hopStart, deadline, timeout, resp)
		}
		if err != nil {
			resp.Status, resp.Body, resp.Err = 0, nil, err
			resp.setEnd(start, time.Now())
			return
		}
		resp.setEnd(start, end)
		if !isRedirect(resp.Status) {
			return
		}
		next, ok := redirect(h, resp.Status, resp.Header("Location"))
		if !ok {
			return
		}
		if n >= limit {
			// Not following at all is the script's choice; running out of redirects is a
			// failure, as python-requests' TooManyRedirects is in Locust.
			if limit > 0 {
				resp.Err = &Error{Op: "redirect", Msg: fmt.Sprintf("too many redirects (%d)", limit)}
			}
			return
		}
		h = next
		hopStart = time.Now()
	}
}

// Abort closes every connection of the Client and makes in-flight and later
// Do calls return ErrAborted at once. It is safe from any goroutine.
func (c *Client) Abort() {
	c.aborted.Store(true)
	c.mu.Lock()
	if c.dialing != nil {
		c.dialing()
	}
	for _, cn := range c.conns {
		_ = cn.raw.Close()
	}
	if c.std.cancel != nil {
		c.std.cancel()
	}
	derived := c.derived
	c.mu.Unlock()
	c.std.closeIdle()
	for _, d := range derived {
		d.Abort()
	}
}

// Close closes the Client's idle connections; a later Do dials again.
func (c *Client) Close() {
	c.mu.Lock()
	conns, derived := c.conns, c.derived
	c.conns = nil
	c.mu.Unlock()
	for _, cn := range conns {
		_ = cn.raw.Close()
	}
	c.std.closeIdle()
	for _, d := range derived {
		d.Close()
	}
	if c.lanes != nil {
		c.lanes.closeIdle()
	}
}

// exchange performs one hop: it sends the request over a kept or new connection and
// reads the response into resp, returning the time of the last body byte.
//
// While the server works on the request, the user holds nothing pooled: the
// request is built, written and released, and the read buffer and response
// parser are taken only once the response has begun to arrive. Thousands of
// users waiting at once (a spawn burst, a slow endpoint) then cost no buffers.
func (c *Client) exchange(h *hop, headers [][2]string, start, deadline time.Time, timeout time.Duration, resp *Response) (time.Time, error) {
	resp.Status, resp.Body, resp.Size, resp.TTFB, resp.TLSHandshake = 0, nil, 0, 0, 0
	resp.arena, resp.nh, resp.hmap, resp.Proto = nil, 0, nil, "HTTP/1.1"

	var (
		cn     *conn
		reused bool
		head   bool
		closes bool
		br     *bufio.Reader
	)
	for attempt := 0; ; attempt++ {
		var (
			isTLS bool
			raw   []byte // the request's bytes when remembered; otherwise c.req is written
		)
		if sr := c.sent(h, headers); sr != nil {
			isTLS, head, closes, raw = sr.tls, sr.head, sr.closes, sr.wire
			c.key = append(c.key[:0], sr.key...)
		} else {
			c.req = fasthttp.AcquireRequest()
			var err error
			if isTLS, err = c.build(h, headers); err != nil {
				return start, err
			}
			head, closes = c.req.Header.IsHead(), c.req.Header.ConnectionClose()
			c.setKey(isTLS)
			if c.cacheable(h) && c.worthRemembering(h) {
				sr, err := c.remember(h, headers, isTLS, head, closes)
				if err != nil {
					return start, failure("write", addrOf(string(c.key), isTLS), err, timeout)
				}
				raw = sr.wire
				c.releaseReq()
			}
		}
		if attempt == 0 {
			cn = c.find()
			reused = cn != nil
		}
		if cn == nil {
			var err error
			if cn, err = c.dial(string(c.key), isTLS, false, deadline, timeout); err != nil {
				return start, err
			}
		}
		op, err := c.send(cn, deadline, timeout, raw)
		if err == nil {
			br = readers.Get().(*bufio.Reader)
			br.Reset(cn.rw())
			if _, err = br.Peek(1); err != nil {
				op = "read"
				if cn.w.writeFailed() {
					op = "write"
				}
				br.Reset(nil)
				readers.Put(br)
			}
		}
		if err == nil {
			break
		}
		c.drop(cn)
		if c.aborted.Load() {
			return start, ErrAborted
		}
		// A kept connection the server closed while idle fails before any
		// response byte; net/http retries such requests on a new connection,
		// and so does this. A timeout is the server being slow, not stale.
		if !reused || isTimeout(err) {
			return start, failure(op, cn.addr, err, timeout)
		}
		reused, cn = false, nil
	}
	defer func() {
		br.Reset(nil)
		readers.Put(br)
	}()
	resp.TTFB = time.Since(start)
	if !reused {
		resp.TLSHandshake = cn.tlsTime
	}

	end, keep, err := c.receive(h, br, head, closes, start, resp)
	if err != nil {
		c.drop(cn)
		if c.aborted.Load() {
			return end, ErrAborted
		}
		if !end.Before(deadline) {
			// A body cut by the deadline can surface as a framing error (a chunk header
			// cut short); past the deadline it is the timeout.
			err = os.ErrDeadlineExceeded
		}
		return end, failure("read", cn.addr, err, timeout)
	}
	if !keep || c.noKeepAlive {
		c.drop(cn)
	}
	return end, nil
}

// later returns the current time as t0 plus the monotonic time since t0: one clock read
// where time.Now takes two (wall and monotonic). Its wall reading follows the monotonic
// clock from t0 on, so a step of the system clock during a test does not show.
func later(t0 time.Time) time.Time { return t0.Add(time.Since(t0)) }

// clockBase is the t0 of every request's start.
var clockBase = time.Now()

// releaseReq gives c.req, if any, back to fasthttp's pool, without the
// script's body.
func (c *Client) releaseReq() {
	if c.req != nil {
		c.req.ResetBody()
		fasthttp.ReleaseRequest(c.req)
		c.req = nil
	}
}

// releaseResp gives c.resp, if any, back to fasthttp's pool.
func (c *Client) releaseResp() {
	if c.resp != nil {
		fasthttp.ReleaseResponse(c.resp)
		c.resp = nil
	}
}

// send writes raw, or else c.req, to cn and releases c.req. Over a wire it
// also waits until the response begins to arrive (or the connection fails),
// so that the caller's first read finds data.
func (c *Client) send(cn *conn, deadline time.Time, timeout time.Duration, raw []byte) (op string, err error) {
	defer c.releaseReq()
	if err = cn.extendDeadline(deadline, timeout); err != nil {
		return "write", err
	}
	// Over a wire, the request's last write is held until await.
	if raw != nil {
		cn.w.hold()
		_, err = cn.rw().Write(raw)
	} else {
		bw := writers.Get().(*bufio.Writer)
		bw.Reset(cn.rw())
		err = c.req.Write(bw)
		if err == nil {
			cn.w.hold()
			err = bw.Flush()
		}
		bw.Reset(nil)
		writers.Put(bw)
	}
	cn.w.unhold()
	if err != nil {
		return "write", err
	}
	if err = cn.w.await(); err != nil {
		if cn.w.writeFailed() {
			return "write", err
		}
		return "read", err
	}
	return "read", nil
}

// receive reads the response to h from br into resp and reports whether the
// connection may carry another request.
func (c *Client) receive(h *hop, br *bufio.Reader, head, reqCloses bool, start time.Time, resp *Response) (end time.Time, keep bool, err error) {
	if keep, ok, err := c.quickReceive(br, head, reqCloses, resp); ok {
		if err != nil {
			return time.Now(), false, err
		}
		return later(start), keep, nil
	}
	return c.parseReceive(h, br, head, reqCloses, start, resp)
}

// parseReceive is receive through fasthttp's parser, for every response quickReceive
// does not take.
func (c *Client) parseReceive(h *hop, br *bufio.Reader, head, reqCloses bool, start time.Time, resp *Response) (end time.Time, keep bool, err error) {
	c.resp = fasthttp.AcquireResponse()
	defer c.releaseResp()
	r := c.resp
	r.Reset()
	defer r.ResetBody() // releases the body stream and buffer to fasthttp's pools
	// Otherwise fasthttp reports "Content-Type: text/plain; charset=utf-8" for a response
	// that has none.
	r.Header.SetNoDefaultContentType(true)
	r.StreamBody = true
	r.SkipBody = head

	rd := br
	err = r.ReadLimitBody(rd, 0)
	if isSmallBuffer(err) {
		// Nothing was consumed; the larger reader starts with br's bytes.
		rd = bufio.NewReaderSize(br, maxHeaderBytes)
		err = r.ReadLimitBody(rd, 0)
	}
	if err != nil {
		return time.Now(), false, err
	}
	c.storeCookies(h.url)

	if err = c.readBody(r.BodyStream(), resp); err != nil {
		return time.Now(), false, err
	}
	if enc := r.Header.ContentEncoding(); len(enc) > 0 {
		if err = c.decodeInPlace(resp, string(enc), ""); err != nil {
			return time.Now(), false, err
		}
	}
	end = later(start)
	resp.Status = r.StatusCode()
	if r.Header.IsHTTP11() {
		resp.Proto = "HTTP/1.1"
	} else {
		resp.Proto = "HTTP/1.0"
	}
	keep = !r.Header.ConnectionClose() && !reqCloses &&
		resp.Status != fasthttp.StatusSwitchingProtocols &&
		br.Buffered() == 0 && rd.Buffered() == 0 // leftover bytes mean the framing is off
	return end, keep, nil
}

// isSmallBuffer reports whether err says the response headers did not fit
// the read buffer. Checked only on failure, so the success path stays free of
// the allocation errors.As makes for its target.
func isSmallBuffer(err error) bool {
	if err == nil {
		return false
	}
	var small *fasthttp.ErrSmallBuffer
	return errors.As(err, &small)
}
