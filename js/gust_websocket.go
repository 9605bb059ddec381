package js

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/dop251/goja"
)

// The browser's WebSocket on the user's event loop (github.com/coder/websocket underneath).
// The handshake runs on a goroutine and is recorded as a request row of type WS, named by the
// URL's path (or the name option); a goroutine per open socket reads messages and posts them
// to the loop, where onmessage runs. The user's task is not over while a socket it opened is
// open. Messages and bytes sent and received are counted (ws_msgs_sent, ws_msgs_received,
// ws_bytes_sent, ws_bytes_received).

// The readyState values.
const (
	wsConnecting = 0
	wsOpen       = 1
	wsClosing    = 2
	wsClosed     = 3
)

// wsReadLimit bounds one received message: far above what a test exchanges, low enough that
// a runaway server does not take the memory of 1,000 users.
const wsReadLimit = 16 << 20

// socket is one WebSocket of a user; all fields but conn's I/O are used on the user's goroutine.
type socket struct {
	v        *vu
	obj      *goja.Object
	url      string
	name     string
	protocol string
	state    int
	conn     *websocket.Conn
	// sent is the close code and reason close() sent: the end of our own closing handshake.
	sentCode   int
	sentReason string
	cancel     context.CancelFunc // ends the socket's context: the handshake, reads and writes
	props      map[string]goja.Value
	events     map[string][]goja.Value // addEventListener
}

var socketKeys = []string{"url", "protocol", "readyState", "binaryType", "bufferedAmount", "extensions",
	"onopen", "onmessage", "onerror", "onclose", "send", "close", "addEventListener", "removeEventListener"}

// webSocketClass builds the WebSocket constructor.
func (v *vu) webSocketClass() goja.Value {
	rt := v.rt
	ctor := rt.ToValue(func(call goja.ConstructorCall) *goja.Object {
		return v.newSocket(call.Argument(0), call.Argument(1))
	}).ToObject(rt)
	for i, n := range []string{"CONNECTING", "OPEN", "CLOSING", "CLOSED"} {
		must(ctor.DefineDataProperty(n, rt.ToValue(i), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE))
	}
	return ctor
}

// wsURL resolves a WebSocket URL: ws:// and wss:// as given, http(s):// turned into ws(s)://,
// and a path joined to the user's host.
func (v *vu) wsURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		if v.host == "" {
			return "", fmt.Errorf("new WebSocket(%q): a relative URL needs a host", raw)
		}
		raw = joinURL(v.host, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("new WebSocket(%q): %v", raw, err)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("new WebSocket(%q): the scheme must be ws or wss", raw)
	}
	return u.String(), nil
}

func (v *vu) newSocket(urlArg, optArg goja.Value) *goja.Object {
	rt := v.rt
	if v.client == nil {
		panic(rt.NewTypeError("a WebSocket can only be opened from tasks, onStart/onStop and setup/teardown, not while the script loads"))
	}
	target, err := v.wsURL(urlArg.String())
	if err != nil {
		v.throwNamed("SyntaxError", err.Error())
	}
	s := &socket{v: v, url: target, props: map[string]goja.Value{}}
	u, _ := url.Parse(target)
	s.name = u.Path
	if s.name == "" {
		s.name = "/"
	}
	copts := v.t.cfg.Client
	if v.cc != nil {
		copts = v.cc.opts // the class's static tls and proxy
	}
	opts := &websocket.DialOptions{HTTPClient: v.t.wsHTTP(copts.TLSConfig, copts.Proxy), CompressionMode: websocket.CompressionDisabled}
	switch o := optArg.(type) {
	case nil:
	case *goja.Object:
		if isArray(o) {
			opts.Subprotocols = toStrings(o)
			break
		}
		if p := o.Get("protocols"); p != nil && !goja.IsUndefined(p) {
			opts.Subprotocols = toStrings(p)
		}
		if h, ok := o.Get("headers").(*goja.Object); ok {
			opts.HTTPHeader = http.Header{}
			for _, k := range h.Keys() {
				opts.HTTPHeader.Set(k, h.Get(k).String())
			}
		}
		if n := o.Get("name"); n != nil && !goja.IsUndefined(n) {
			s.name = n.String()
		}
	default:
		if !goja.IsUndefined(optArg) {
			opts.Subprotocols = []string{optArg.String()}
		}
	}
	s.obj = rt.NewDynamicObject(s)
	l := v.loopOf()
	l.pending++
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	l.onAbort(s, cancel)
	timeout := v.t.cfg.Client.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	go func() {
		start := time.Now()
		limit := time.AfterFunc(timeout, cancel) // the handshake only
		c, resp, err := websocket.Dial(ctx, target, opts)
		limit.Stop()
		took := time.Since(start)
		if err == nil {
			c.SetReadLimit(wsReadLimit)
		}
		l.post(func() { s.opened(c, resp, err, took) })
	}()
	return s.obj
}

// opened runs on the loop when the handshake is over: the WS row is recorded, then onopen, or
// onerror and onclose.
func (s *socket) opened(c *websocket.Conn, resp *http.Response, err error, took time.Duration) {
	v := s.v
	if err != nil {
		msg := err.Error()
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			msg = fmt.Sprintf("handshake answered HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		v.rec.Record("WS", s.name, time.Now(), took, 0, msg)
		v.fireRequest("WS", s.name, took, 0, msg, s.url, 0)
		s.closed(1006, "", false, msg)
		return
	}
	v.rec.Record("WS", s.name, time.Now(), took, 0, "")
	v.fireRequest("WS", s.name, took, 0, "", s.url, 101)
	s.conn = c
	s.protocol = c.Subprotocol()
	if s.state == wsClosing {
		// close() was called while connecting: the socket closes without ever opening.
		go func() { _ = c.Close(websocket.StatusNormalClosure, "") }()
	} else {
		s.state = wsOpen
		s.dispatch("open", nil)
	}
	ctx := context.Background()
	go func() {
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				code, reason, clean := 1006, "", false
				var ce websocket.CloseError
				if errors.As(err, &ce) {
					code, reason, clean = int(ce.Code), ce.Reason, true
				}
				msg := ""
				if !clean {
					msg = err.Error()
				}
				s.v.evl().post(func() {
					if !clean && s.state == wsClosing {
						// Our close() closed the connection under this read before the peer's
						// close frame was read here: the handshake we started is what ended it.
						code, reason, clean, msg = s.sentCode, s.sentReason, true, ""
					}
					s.closed(code, reason, clean, msg)
				})
				return
			}
			s.v.evl().post(func() { s.message(typ, data) })
		}
	}()
}

// message delivers one received message to onmessage.
func (s *socket) message(typ websocket.MessageType, data []byte) {
	v := s.v
	v.wsCount(false, len(data))
	if s.state != wsOpen && s.state != wsClosing {
		return // browsers deliver messages until the socket is closed
	}
	var val goja.Value
	if typ == websocket.MessageText {
		val = v.rt.ToValue(string(data))
	} else {
		val = v.rt.ToValue(v.rt.NewArrayBuffer(data))
	}
	s.dispatch("message", map[string]goja.Value{"data": val, "origin": v.rt.ToValue(s.url)})
}

// closed ends the socket on the loop: onerror first when it ended badly, then onclose.
func (s *socket) closed(code int, reason string, clean bool, errMsg string) {
	if s.state == wsClosed {
		return
	}
	s.state = wsClosed
	l := s.v.evl()
	l.pending--
	l.offAbort(s)
	s.cancel()
	if s.conn != nil {
		_ = s.conn.CloseNow()
	}
	if errMsg != "" {
		s.dispatch("error", map[string]goja.Value{"message": s.v.rt.ToValue(errMsg)})
	}
	s.dispatch("close", map[string]goja.Value{"code": s.v.rt.ToValue(code), "reason": s.v.rt.ToValue(reason), "wasClean": s.v.rt.ToValue(clean)})
}

// dispatch calls on<type> and the listeners added for type with an event object.
func (s *socket) dispatch(typ string, fields map[string]goja.Value) {
	rt := s.v.rt
	handler := s.props["on"+typ]
	listeners := s.events[typ]
	if handler == nil && len(listeners) == 0 {
		return
	}
	ev := rt.NewObject()
	must(ev.Set("type", typ))
	must(ev.Set("target", s.obj))
	for k, val := range fields {
		must(ev.Set(k, val))
	}
	for _, h := range append([]goja.Value{handler}, listeners...) {
		if fn, ok := goja.AssertFunction(h); ok {
			s.v.callback(fn, s.obj, ev)
		}
	}
}

// send writes one message: a string as text, bytes as binary.
func (s *socket) send(call goja.FunctionCall) goja.Value {
	v := s.v
	switch s.state {
	case wsConnecting:
		v.throwNamed("InvalidStateError", "WebSocket.send: the socket is still connecting; send from onopen")
	case wsClosing, wsClosed:
		return goja.Undefined() // browsers drop it silently
	}
	typ, data := websocket.MessageText, []byte(nil)
	if b, ok := viewBytes(v.rt, call.Argument(0)); ok {
		typ, data = websocket.MessageBinary, b
	} else {
		data = []byte(call.Argument(0).String())
	}
	ctx, cancel := context.WithTimeout(v.ctx, 10*time.Second)
	err := s.conn.Write(ctx, typ, data)
	cancel()
	if err != nil {
		// The reader sees the broken connection too and closes the socket.
		return goja.Undefined()
	}
	v.wsCount(true, len(data))
	return goja.Undefined()
}

// close starts the closing handshake; onclose runs when it is over.
func (s *socket) close(call goja.FunctionCall) goja.Value {
	if s.state == wsClosing || s.state == wsClosed {
		return goja.Undefined()
	}
	code := websocket.StatusNormalClosure
	if c := call.Argument(0); !goja.IsUndefined(c) {
		n := c.ToInteger()
		if n != 1000 && (n < 3000 || n > 4999) {
			s.v.throwNamed("InvalidAccessError", fmt.Sprintf("WebSocket.close: code %d is not 1000 or 3000-4999", n))
		}
		code = websocket.StatusCode(n)
	}
	reason := ""
	if r := call.Argument(1); !goja.IsUndefined(r) {
		reason = r.String()
	}
	wasConnecting := s.state == wsConnecting
	s.state, s.sentCode, s.sentReason = wsClosing, int(code), reason
	if !wasConnecting {
		c := s.conn
		go func() { _ = c.Close(code, reason) }()
	}
	return goja.Undefined()
}

// Get implements goja.DynamicObject.
func (s *socket) Get(key string) goja.Value {
	rt := s.v.rt
	switch key {
	case "url":
		return rt.ToValue(s.url)
	case "protocol":
		return rt.ToValue(s.protocol)
	case "readyState":
		return rt.ToValue(s.state)
	case "binaryType":
		return rt.ToValue("arraybuffer")
	case "bufferedAmount":
		return rt.ToValue(0)
	case "extensions":
		return rt.ToValue("")
	case "CONNECTING", "OPEN", "CLOSING", "CLOSED":
		return rt.ToValue(map[string]int{"CONNECTING": 0, "OPEN": 1, "CLOSING": 2, "CLOSED": 3}[key])
	case "send":
		return rt.ToValue(s.send)
	case "close":
		return rt.ToValue(s.close)
	case "addEventListener", "removeEventListener":
		add := key == "addEventListener"
		return rt.ToValue(func(call goja.FunctionCall) goja.Value {
			typ, fn := call.Argument(0).String(), call.Argument(1)
			if s.events == nil {
				s.events = map[string][]goja.Value{}
			}
			list := s.events[typ]
			for i, h := range list {
				if h.SameAs(fn) {
					list = append(list[:i], list[i+1:]...)
					break
				}
			}
			if add {
				list = append(list, fn)
			}
			s.events[typ] = list
			return goja.Undefined()
		})
	}
	return s.props[key]
}

// Set implements goja.DynamicObject: the on* handlers and any other property a script adds.
func (s *socket) Set(key string, val goja.Value) bool {
	switch key {
	case "url", "protocol", "readyState", "bufferedAmount", "extensions", "send", "close":
		return false
	case "binaryType":
		if val.String() != "arraybuffer" {
			panic(s.v.rt.NewTypeError("WebSocket.binaryType: gust delivers binary messages as ArrayBuffer only"))
		}
		return true
	}
	s.props[key] = val
	return true
}

// Has implements goja.DynamicObject.
func (s *socket) Has(key string) bool { return s.Get(key) != nil }

// Delete implements goja.DynamicObject.
func (s *socket) Delete(key string) bool { delete(s.props, key); return true }

// Keys implements goja.DynamicObject.
func (s *socket) Keys() []string { return socketKeys[:4] }
