package client

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// HTTP/2 without a proxy runs here, on the user's own goroutine: one connection per user
// and host, its streams one after another (a user waits for each response), frames written
// and read in place. net/http's Transport would add a read-loop goroutine per connection, a
// goroutine per request and channel handoffs between them, which cost more CPU than the
// protocol itself (HTTP/2 at 0.45× HTTP/1.1-over-TLS requests per CPU-second through it).
// Nothing runs while the user is idle: a PING or SETTINGS the server sends meanwhile is
// answered when the next request reads the connection.

const (
	h2Prefix = "h2+" // of the keys of HTTP/2 connections, which may share a host with HTTP/1.1 ones
	// h2StreamWindow is the receive window announced per stream and h2ConnWindow the
	// connection's: large, so that window updates are rare.
	h2StreamWindow = 4 << 20
	h2ConnWindow   = 1 << 30
	h2DefaultFrame = 16 << 10 // SETTINGS_MAX_FRAME_SIZE until the server says otherwise
	h2DefaultWin   = 65535    // the initial windows until the server says otherwise
)

// h2conn is the HTTP/2 state of a connection.
type h2conn struct {
	src     io.ReadWriter // the connection (its wire, or TLS over it)
	bw      *bufio.Writer // from the pool for a request; nil between requests
	br      *bufio.Reader // the same; under fr, which reads all but the response's own frames
	fr      *http2.Framer
	enc     *hpack.Encoder
	hbuf    bytes.Buffer
	dec     *hpackReader
	next    uint32 // the next stream id
	sendWin int64  // the connection's send window
	peerWin int64  // the server's initial stream window
	maxSend int    // the largest frame the server takes
	unacked int64  // bytes received on the connection not yet given back by WINDOW_UPDATE
	goAway  bool   // the server is closing the connection: no new streams on it

	// Request header blocks made of table references only, sent again while the encoder's
	// table stays as it was (h2headers.go).
	blocks    [4]h2Block
	nextBlock int
	epoch     uint64 // bumped whenever the encoder's table changes

	// The response being read: its decoded header fields and kept body, reused.
	fields []hpack.HeaderField
	body   []byte
	block  []byte // the header block being read
}

// h2stream is the request in flight.
type h2stream struct {
	id      uint32
	sendWin int64
	unacked int64 // stream bytes received not yet given back
	status  int
	headers bool // the final response headers arrived
	done    bool // END_STREAM arrived
	any     bool // some frame of the response arrived (a retry could repeat the request)
	ttfb    time.Duration
	size    int64
}

// errRefused says the server did not process the stream (GOAWAY below its id or
// REFUSED_STREAM): it may be sent again on a new connection.
var errRefused error = h2Err("the server refused the stream (GOAWAY or REFUSED_STREAM) before processing it")

// h2Error is a protocol failure on HTTP/2 (a reset stream, a malformed header block): its
// message is stable, so it names the failure as it is.
type h2Error string

func (e h2Error) Error() string { return string(e) }

// h2Err formats an h2Error; wrapped errors are kept in the text only.
func h2Err(format string, args ...any) h2Error {
	return h2Error("http2: " + fmt.Sprintf(format, args...))
}

// newH2 starts HTTP/2 on cn: the preface, SETTINGS and the connection window, sent with the
// first request.
func newH2(cn *conn) *h2conn {
	x := &h2conn{next: 1, sendWin: h2DefaultWin, peerWin: h2DefaultWin, maxSend: h2DefaultFrame, src: cn.rw()}
	x.take()
	x.fr = http2.NewFramer(x, x)
	x.fr.SetReuseFrames()
	x.fr.SetMaxReadFrameSize(h2DefaultFrame)
	x.enc = hpack.NewEncoder(&x.hbuf)
	x.dec = newHpackReader()
	_, _ = x.bw.WriteString(http2.ClientPreface)
	_ = x.fr.WriteSettings(
		http2.Setting{ID: http2.SettingEnablePush, Val: 0},
		http2.Setting{ID: http2.SettingInitialWindowSize, Val: h2StreamWindow},
		http2.Setting{ID: http2.SettingMaxHeaderListSize, Val: maxHeaderBytes},
	)
	_ = x.fr.WriteWindowUpdate(0, h2ConnWindow-h2DefaultWin)
	return x
}

// take gives x its read and write buffers for a request, from the pools HTTP/1.1 uses: an
// idle user holds none, as on HTTP/1.1.
func (x *h2conn) take() {
	if x.br == nil {
		x.br = readers.Get().(*bufio.Reader)
		x.br.Reset(x.src)
	}
	if x.bw == nil {
		x.bw = writers.Get().(*bufio.Writer)
		x.bw.Reset(x.src)
	}
}

// release gives the buffers back after a request, unless they hold bytes: frames the server
// sent after the response, read already, stay for the next request to act on.
func (x *h2conn) release() {
	if x.br != nil && x.br.Buffered() == 0 {
		x.br.Reset(nil)
		readers.Put(x.br)
		x.br = nil
	}
	if x.bw != nil && x.bw.Buffered() == 0 {
		x.bw.Reset(nil)
		writers.Put(x.bw)
		x.bw = nil
	}
}

// Read and Write are the framer's view of the connection: the buffers of the request in
// progress.
func (x *h2conn) Read(p []byte) (int, error)  { return x.br.Read(p) }
func (x *h2conn) Write(p []byte) (int, error) { return x.bw.Write(p) }

// h2Exchange performs one hop over HTTP/2 (ALPN on https, prior knowledge on http) and
// fills resp as exchange does. A server that does not choose h2 by ALPN gets the request,
// and every later one, over HTTP/1.1 on the connection just made.
func (c *Client) h2Exchange(h *hop, headers [][2]string, start, deadline time.Time, timeout time.Duration, resp *Response) (time.Time, error) {
	resp.Status, resp.Body, resp.Size, resp.TTFB, resp.TLSHandshake = 0, nil, 0, 0, 0
	resp.arena, resp.nh, resp.hmap, resp.Proto = nil, 0, nil, "HTTP/2.0"
	u, isTLS, err := absoluteURL(h.url, c.parsedURL)
	if err != nil {
		return start, err
	}
	scheme, port := "http://", ":80"
	if isTLS {
		scheme, port = "https://", ":443"
	}
	c.key = append(append(append(c.key[:0], h2Prefix...), scheme...), u.Host...)
	if !hasPort(c.key[len(h2Prefix)+len(scheme):]) {
		c.key = append(c.key, port...)
	}
	if c.h1Only[string(c.key[len(h2Prefix):])] {
		return c.exchange(h, headers, start, deadline, timeout, resp)
	}

	cn := c.find()
	reused := cn != nil
	var st h2stream
	for {
		if cn == nil {
			key := string(c.key[len(h2Prefix):])
			if cn, err = c.dial(key, isTLS, true, deadline, timeout); err != nil {
				return start, err
			}
			if tc, ok := cn.nc.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol != "h2" {
				if c.h1Only == nil {
					c.h1Only = make(map[string]bool)
				}
				c.h1Only[key] = true
				return c.exchange(h, headers, start, deadline, timeout, resp)
			}
			cn.key = h2Prefix + key
			cn.h2 = newH2(cn)
		}
		var op string
		st = h2stream{}
		if op, err = c.h2Round(cn, h, headers, u, start, deadline, timeout, &st); err == nil {
			break
		}
		c.drop(cn)
		if c.aborted.Load() {
			return time.Now(), ErrAborted
		}
		// As on HTTP/1.1, a kept connection that fails before any of the response arrived
		// (closed while idle, or going away below this stream) gets the request again on a
		// new one; a timeout is the server being slow, not the connection stale.
		if !reused || st.any || isTimeout(err) {
			end := time.Now()
			if !end.Before(deadline) {
				err = os.ErrDeadlineExceeded // a frame cut short by the deadline is the timeout
			}
			return end, failure(op, cn.addr, err, timeout)
		}
		reused, cn = false, nil
	}
	end := later(start)
	x := cn.h2
	resp.TTFB = st.ttfb
	if !reused {
		resp.TLSHandshake = cn.tlsTime
	}
	if x.goAway || c.noKeepAlive {
		c.drop(cn)
	}
	if err := c.decodeInPlace(resp, c.h2Response(x, &st, h.url, resp), cn.addr); err != nil {
		return end, err
	}
	return end, nil
}

// h2Round sends the request on a new stream of cn and reads its response into st and cn's
// scratch. It returns the operation that failed ("write" or "read") with the error.
func (c *Client) h2Round(cn *conn, h *hop, headers [][2]string, u *url.URL, start, deadline time.Time, timeout time.Duration, st *h2stream) (string, error) {
	x := cn.h2
	x.take()
	defer x.release()
	if err := cn.extendDeadline(deadline, timeout); err != nil {
		return "write", err
	}
	st.id = x.next
	x.next += 2
	st.sendWin = x.peerWin
	x.fields, x.body = x.fields[:0], x.body[:0]
	if err := c.h2Headers(x, h, headers, u, st.id); err != nil {
		return "write", err
	}
	body := h.body
	for len(body) > 0 {
		n := int(min(int64(len(body)), int64(x.maxSend), st.sendWin, x.sendWin))
		if n <= 0 {
			// Out of window: what the server sends next may open it.
			if err := x.bw.Flush(); err != nil {
				return "write", err
			}
			if err := c.h2Frame(x, st, start); err != nil {
				return "read", err
			}
			if st.done {
				return "", nil // answered before the whole body was sent
			}
			continue
		}
		if err := x.fr.WriteData(st.id, n == len(body), body[:n]); err != nil {
			return "write", err
		}
		body, st.sendWin, x.sendWin = body[n:], st.sendWin-int64(n), x.sendWin-int64(n)
	}
	// The request's last bytes are held by the wire and sent by the read that waits for
	// the response (wire_linux.go).
	cn.w.hold()
	err := x.bw.Flush()
	cn.w.unhold()
	if err != nil {
		return "write", err
	}
	for !st.done {
		if err := c.h2Frame(x, st, start); err != nil {
			return "read", err
		}
	}
	return "", nil
}

// h2Frame reads one frame from the server and acts on it: the response's own frames fill
// st, the connection's are answered (SETTINGS, PING) or applied (WINDOW_UPDATE, GOAWAY).
func (c *Client) h2Frame(x *h2conn, st *h2stream, start time.Time) error {
	hd, err := x.peekHead()
	if err != nil {
		return err
	}
	// The response's own frames are read here (h2frames.go): the framer would copy every
	// DATA payload once more and allocate a frame for every HEADERS.
	switch hd.typ {
	case http2.FrameHeaders:
		_, _ = x.br.Discard(h2HeadLen)
		err = c.h2HeadersIn(x, st, hd, start)
	case http2.FrameData:
		_, _ = x.br.Discard(h2HeadLen)
		err = c.h2DataIn(x, st, hd)
	case http2.FrameContinuation:
		return h2Err("a CONTINUATION frame without its HEADERS")
	default:
		err = c.h2Control(x, st)
	}
	if err == nil && x.bw.Buffered() > 0 {
		err = x.bw.Flush()
	}
	return err
}

// h2Control reads a frame other than the response's own through the framer and acts on it.
func (c *Client) h2Control(x *h2conn, st *h2stream) error {
	f, err := x.fr.ReadFrame()
	if err != nil {
		return err
	}
	switch f := f.(type) {
	case *http2.SettingsFrame:
		if f.IsAck() {
			break
		}
		err = f.ForeachSetting(func(s http2.Setting) error {
			switch s.ID {
			case http2.SettingInitialWindowSize:
				st.sendWin += int64(s.Val) - x.peerWin
				x.peerWin = int64(s.Val)
			case http2.SettingMaxFrameSize:
				x.maxSend = int(s.Val)
			case http2.SettingHeaderTableSize:
				x.enc.SetMaxDynamicTableSize(s.Val)
				x.epoch++ // entries may be gone: no remembered block refers to them
			}
			return nil
		})
		if err == nil {
			err = x.fr.WriteSettingsAck()
		}
	case *http2.WindowUpdateFrame:
		switch f.StreamID {
		case 0:
			x.sendWin += int64(f.Increment)
		case st.id:
			st.sendWin += int64(f.Increment)
		}
	case *http2.PingFrame:
		if !f.IsAck() {
			err = x.fr.WritePing(true, f.Data)
		}
	case *http2.GoAwayFrame:
		x.goAway = true
		if f.LastStreamID < st.id {
			return errRefused
		}
		if f.ErrCode != http2.ErrCodeNo && !st.done {
			return h2Err("the server is going away: %v", f.ErrCode)
		}
	case *http2.RSTStreamFrame:
		if f.StreamID != st.id {
			break
		}
		if f.ErrCode == http2.ErrCodeRefusedStream && !st.headers {
			st.any = false
			return errRefused
		}
		if f.ErrCode == http2.ErrCodeNo && st.headers {
			st.done = true // the server needs no more of the body; the response is whole
			break
		}
		return h2Err("stream reset by the server: %v", f.ErrCode)
	case *http2.PushPromiseFrame:
		return h2Err("a PUSH_PROMISE though push is disabled")
	}
	return err
}

// status reads :status from the header block just kept; an informational (1xx) one is
// skipped and the final headers are awaited.
func (x *h2conn) status(st *h2stream) error {
	for _, f := range x.fields {
		if f.Name != ":status" {
			continue
		}
		code, err := strconv.Atoi(f.Value)
		if err != nil || code < 100 || code > 999 {
			return h2Err("malformed :status %q", f.Value)
		}
		if code >= 200 {
			st.status, st.headers = code, true
		}
		return nil
	}
	return h2Err("response headers without :status")
}

// h2Response moves the response of st (headers and body in x) into resp: one allocation,
// as on HTTP/1.1; the Set-Cookie headers go to the jar. It returns the Content-Encoding.
func (c *Client) h2Response(x *h2conn, st *h2stream, target string, resp *Response) (contentEncoding string) {
	resp.Status, resp.Size = st.status, st.size
	hs, nh, encodings := 0, 0, 0
	var cookies []*http.Cookie
	for _, f := range x.fields {
		if len(f.Name) > 0 && f.Name[0] == ':' {
			continue
		}
		hs += spanSize + len(f.Name) + len(f.Value)
		nh++
		switch f.Name { // lower-case on HTTP/2
		case "set-cookie":
			if ck, err := http.ParseSetCookie(f.Value); err == nil {
				cookies = append(cookies, ck)
			}
		case "content-encoding":
			contentEncoding = f.Value
			encodings++
		}
	}
	arena := make([]byte, hs+len(x.body))
	i, off := 0, nh*spanSize
	for _, f := range x.fields {
		if len(f.Name) > 0 && f.Name[0] == ':' {
			continue
		}
		off = putHeader(arena, i, off, f.Name, f.Value)
		i++
	}
	resp.arena, resp.nh = arena[:hs:hs], nh
	if len(x.body) > 0 {
		copy(arena[hs:], x.body)
		resp.Body = arena[hs:]
	}
	if cap(x.body) > maxPooledBody {
		x.body = nil // one huge body does not stay pinned to the connection
	}
	clear(x.fields) // the strings are the response's now; the connection keeps none
	x.fields = x.fields[:0]
	if len(cookies) > 0 {
		if u, err := c.parsedURL(target); err == nil {
			c.jarFor().SetCookies(u, cookies)
		}
	}
	if encodings > 1 {
		contentEncoding = resp.Header("Content-Encoding") // the values joined, in order
	}
	return contentEncoding
}
