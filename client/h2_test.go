package client

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The HTTP/2 path moves bodies larger than either side's flow-control window (a 1 MiB
// upload against the server's 64 KiB initial window, a 9 MiB download past the 4 MiB
// stream window announced), keeps the body cap, sends request headers, carries cookies both
// ways and decodes a gzip body, all over one connection.
func TestHTTP2BodiesHeadersCookies(t *testing.T) {
	ca := newCA(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 9<<16) // 9 MiB
	ts, conns := tlsServer(t, ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/upload":
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %d %x %s %s", r.Proto, len(b), sha256.Sum256(b), r.Header.Get("X-Test"), r.Header.Get("Content-Type"))
		case "/big":
			w.Write(big)
		case "/set":
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "h2cookie", Path: "/"})
			w.Header().Add("X-Multi", "a")
			w.Header().Add("X-Multi", "b")
		case "/get":
			ck, _ := r.Cookie("sid")
			if ck != nil {
				io.WriteString(w, ck.Value)
			}
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipped(t, "decoded over h2"))
		}
	}), true, nil)
	c := New(Options{TLSConfig: &tls.Config{RootCAs: ca.pool}, HTTP2: true})
	defer c.Close()

	up := bytes.Repeat([]byte("u"), 1<<20)
	resp := do(c, &Request{Method: "POST", URL: ts.URL + "/upload", Body: up, Header: [][2]string{{"X-Test", "yes"}, {"Content-Type", "text/plain"}}})
	want := fmt.Sprintf("HTTP/2.0 %d %x yes text/plain", len(up), sha256.Sum256(up))
	if resp.Err != nil || resp.Status != 200 || string(resp.Body) != want {
		t.Fatalf("upload: %v %d %q, want %q", resp.Err, resp.Status, resp.Body, want)
	}

	resp = do(c, &Request{URL: ts.URL + "/big"})
	if resp.Err != nil || resp.Size != int64(len(big)) || !bytes.Equal(resp.Body, big[:defaultMaxBody]) || !resp.Truncated() {
		t.Fatalf("big: %v size %d kept %d (want %d, %d)", resp.Err, resp.Size, len(resp.Body), len(big), defaultMaxBody)
	}

	resp = do(c, &Request{URL: ts.URL + "/set"})
	if resp.Err != nil || resp.Header("x-multi") != "a, b" || resp.Proto != "HTTP/2.0" {
		t.Fatalf("set: %v %q %s", resp.Err, resp.Header("x-multi"), resp.Proto)
	}
	if resp = do(c, &Request{URL: ts.URL + "/get"}); string(resp.Body) != "h2cookie" {
		t.Fatalf("the jar's cookie over h2: %v %q", resp.Err, resp.Body)
	}
	if resp = do(c, &Request{URL: ts.URL + "/gzip"}); resp.Err != nil || string(resp.Body) != "decoded over h2" {
		t.Fatalf("gzip over h2: %v %q", resp.Err, resp.Body)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// A server that does not offer h2 by ALPN gets HTTP/1.1 on the connection made, and later
// requests go straight to HTTP/1.1 on it.
func TestHTTP2FallsBackToHTTP11(t *testing.T) {
	ca := newCA(t)
	ts, conns := tlsServer(t, ca, http.HandlerFunc(protoAndPeer), false, nil)
	c := New(Options{TLSConfig: &tls.Config{RootCAs: ca.pool}, HTTP2: true})
	defer c.Close()
	for range 3 {
		if resp := do(c, &Request{URL: ts.URL}); resp.Err != nil || resp.Proto != "HTTP/1.1" || string(resp.Body) != "HTTP/1.1 none" {
			t.Fatalf("%v %s %q", resp.Err, resp.Proto, resp.Body)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// A kept HTTP/2 connection the server closed while idle is replaced without failing the
// request; a stream the server resets fails with the reason.
func TestHTTP2ServerClosesAndResets(t *testing.T) {
	ca := newCA(t)
	ts, conns := tlsServer(t, ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/reset" {
			panic(http.ErrAbortHandler) // net/http resets the stream
		}
		io.WriteString(w, r.Proto)
	}), true, nil)
	c := New(Options{TLSConfig: &tls.Config{RootCAs: ca.pool}, HTTP2: true})
	defer c.Close()
	if resp := do(c, &Request{URL: ts.URL}); resp.Err != nil || string(resp.Body) != "HTTP/2.0" {
		t.Fatalf("first: %v %q", resp.Err, resp.Body)
	}
	ts.CloseClientConnections()
	if resp := do(c, &Request{URL: ts.URL}); resp.Err != nil || string(resp.Body) != "HTTP/2.0" {
		t.Fatalf("after the server closed the idle connection: %v %q", resp.Err, resp.Body)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
	resp := do(c, &Request{URL: ts.URL + "/reset"})
	if resp.Err == nil || !strings.Contains(resp.Err.Error(), "reset") {
		t.Fatalf("a reset stream: err %v, status %d", resp.Err, resp.Status)
	}
	if resp := do(c, &Request{URL: ts.URL}); resp.Err != nil || string(resp.Body) != "HTTP/2.0" {
		t.Fatalf("after a reset: %v %q", resp.Err, resp.Body)
	}
}

func gzipped(t *testing.T, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := io.WriteString(zw, s); err != nil || zw.Close() != nil {
		t.Fatal("gzip")
	}
	return b.Bytes()
}

// A request repeated over HTTP/2 is sent from its remembered header block while the
// encoder's table stays as it was, and encoded anew once another request changed the table;
// with the default table, a table too small for any field (literals only) and one where each
// request's :path evicts the last one's (nothing can be remembered). The server sees every
// request as it was made.
func TestHTTP2RemembersHeaderBlocks(t *testing.T) {
	ca := newCA(t)
	for _, table := range []int{4096, 1, 40} {
		t.Run(strconv.Itoa(table), func(t *testing.T) {
			ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, "%s %s a=%s ua=%s", r.Method, r.URL.Path, r.Header.Get("X-A"), r.UserAgent())
			}))
			ts.EnableHTTP2 = true
			ts.Config.HTTP2 = &http.HTTP2Config{MaxDecoderHeaderTableSize: table}
			ts.TLS = &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "127.0.0.1", false)}}
			var conns atomic.Int64
			ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			ts.StartTLS()
			defer ts.Close()
			c := New(Options{TLSConfig: &tls.Config{RootCAs: ca.pool}, HTTP2: true, UserAgent: "gust-test"})
			defer c.Close()
			a := &Request{URL: ts.URL + "/a", Header: [][2]string{{"X-A", "1"}}}
			b := &Request{Method: "DELETE", URL: ts.URL + "/b", Header: [][2]string{{"X-A", "2"}}}
			for i, req := range []*Request{a, a, a, b, a, b, b, a} {
				resp := do(c, req)
				want := "GET /a a=1 ua=gust-test"
				if req == b {
					want = "DELETE /b a=2 ua=gust-test"
				}
				if resp.Err != nil || string(resp.Body) != want {
					t.Fatalf("request %d: %v %q, want %q", i, resp.Err, resp.Body, want)
				}
				if i == 2 && table != 40 {
					x := c.conns[0].h2
					var kept *h2Block
					for j := range x.blocks {
						if x.blocks[j].url == a.URL {
							kept = &x.blocks[j]
						}
					}
					if kept == nil || kept.epoch != x.epoch || !onlyReferences(kept.block) {
						t.Fatalf("after three of the same request, its block is not remembered for this epoch: %+v (epoch %d)", kept, x.epoch)
					}
				}
			}
			// A block that referred to the table as it no longer is would make the server
			// close the connection (a compression error) and the request be sent again.
			if n := conns.Load(); n != 1 {
				t.Errorf("%d connections, want 1", n)
			}
		})
	}
}

// onlyReferences tells a block that changed the encoder's table (its first encoding, a
// table size update) from one that did not (the same list again, literals never indexed or
// too large to index), and never takes a block cut short.
func TestOnlyReferences(t *testing.T) {
	var buf bytes.Buffer
	enc := hpack.NewEncoder(&buf)
	encode := func(fields ...hpack.HeaderField) []byte {
		buf.Reset()
		for _, f := range fields {
			enc.WriteField(f)
		}
		return bytes.Clone(buf.Bytes())
	}
	list := []hpack.HeaderField{{Name: ":method", Value: "GET"}, {Name: ":path", Value: "/items/" + strings.Repeat("x", 200)},
		{Name: "user-agent", Value: "gust"}, {Name: "authorization", Value: "secret", Sensitive: true},
		{Name: "x-huge", Value: strings.Repeat("h", 5000)}}
	if first := encode(list...); onlyReferences(first) {
		t.Errorf("the first encoding inserted fields: % x", first[:16])
	}
	second := encode(list...)
	if !onlyReferences(second) {
		t.Errorf("the second encoding of the same list should be references and unindexed literals only: % x", second[:16])
	}
	for _, cut := range []int{1, 100, 3000} { // inside the last field's long value
		if onlyReferences(second[:len(second)-cut]) {
			t.Errorf("a block cut %d bytes short was taken", cut)
		}
	}
	enc.SetMaxDynamicTableSize(1024)
	if b := encode(list[0]); onlyReferences(b) {
		t.Errorf("a block with a table size update: % x", b)
	}
	if onlyReferences([]byte{0x0f}) || onlyReferences([]byte{0x00, 0x85, 'a'}) || onlyReferences([]byte{0xff, 0xff}) {
		t.Error("malformed blocks taken")
	}
}

// h2cFrames serves HTTP/2 with prior knowledge on loopback from a framer: every request on
// a connection is answered by respond, which writes the frames for the request's stream;
// they go out in one write. It counts the PING acknowledgements it gets.
func h2cFrames(t *testing.T, respond func(fr *http2.Framer, enc *hpack.Encoder, hbuf *bytes.Buffer, id uint32)) (string, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var pingAcks atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				preface := make([]byte, len(http2.ClientPreface))
				if _, err := io.ReadFull(c, preface); err != nil {
					return
				}
				bw := bufio.NewWriter(c)
				fr := http2.NewFramer(bw, c)
				var hbuf bytes.Buffer
				enc := hpack.NewEncoder(&hbuf)
				fr.WriteSettings()
				for {
					if bw.Flush() != nil {
						return
					}
					f, err := fr.ReadFrame()
					if err != nil {
						return
					}
					switch f := f.(type) {
					case *http2.SettingsFrame:
						if !f.IsAck() {
							fr.WriteSettingsAck()
						}
					case *http2.PingFrame:
						if f.IsAck() {
							pingAcks.Add(1)
						}
					case *http2.HeadersFrame:
						respond(fr, enc, &hbuf, f.StreamID)
					}
				}
			}()
		}
	}()
	return "http://" + l.Addr().String(), &pingAcks
}

// Header blocks come padded, with a priority, split over CONTINUATION frames, bodies in
// padded DATA frames, with connection frames between them; the client reads them whole.
// Malformed frames are protocol errors that say what was wrong.
func TestHTTP2HeaderBlockFrames(t *testing.T) {
	long := strings.Repeat("v", 3000)
	url, _ := h2cFrames(t, func(fr *http2.Framer, enc *hpack.Encoder, hbuf *bytes.Buffer, id uint32) {
		hbuf.Reset()
		// Never indexed, so that every block is as long as the first.
		enc.WriteField(hpack.HeaderField{Name: ":status", Value: "201", Sensitive: true})
		enc.WriteField(hpack.HeaderField{Name: "x-long", Value: long, Sensitive: true})
		enc.WriteField(hpack.HeaderField{Name: "x-stream", Value: strconv.Itoa(int(id)), Sensitive: true})
		block := hbuf.Bytes()
		fr.WritePing(false, [8]byte{1})
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block[:10], PadLength: 7,
			Priority: http2.PriorityParam{StreamDep: 0, Weight: 9}})
		fr.WriteContinuation(id, false, block[10:1000])
		fr.WriteContinuation(id, true, block[1000:])
		fr.WriteDataPadded(id, false, []byte("cre"), make([]byte, 5))
		fr.WriteWindowUpdate(0, 1)
		fr.WriteData(id, true, []byte("ated"))
	})
	c := New(Options{HTTP2: true})
	defer c.Close()
	for i := range 3 {
		resp := do(c, &Request{URL: url + "/"})
		if resp.Err != nil || resp.Status != 201 || resp.Header("x-long") != long || resp.Header("x-stream") != strconv.Itoa(1+2*i) || string(resp.Body) != "created" {
			t.Fatalf("request %d: %v %d x-stream=%q body %q", i, resp.Err, resp.Status, resp.Header("x-stream"), resp.Body)
		}
	}

	for _, bad := range []struct {
		name, want string
		frames     func(fr *http2.Framer, id uint32)
	}{
		{"HEADERS padding longer than the frame", "padding", func(fr *http2.Framer, id uint32) {
			fr.WriteRawFrame(http2.FrameHeaders, http2.FlagHeadersPadded|http2.FlagHeadersEndHeaders|http2.FlagHeadersEndStream, id, []byte{200, 0x88, 0})
		}},
		{"DATA padding longer than the frame", "padding", func(fr *http2.Framer, id uint32) {
			fr.WriteRawFrame(http2.FrameHeaders, http2.FlagHeadersEndHeaders, id, []byte{0x88})
			fr.WriteRawFrame(http2.FrameData, http2.FlagDataPadded|http2.FlagDataEndStream, id, []byte{9, 'a', 'b'})
		}},
		{"a padded DATA frame without its pad length", "pad length", func(fr *http2.Framer, id uint32) {
			fr.WriteRawFrame(http2.FrameHeaders, http2.FlagHeadersEndHeaders, id, []byte{0x88})
			fr.WriteRawFrame(http2.FrameData, http2.FlagDataPadded, id, nil)
			fr.WriteData(id, true, []byte("xyz"))
		}},
		{"a PING inside a header block", "CONTINUATION", func(fr *http2.Framer, id uint32) {
			fr.WriteRawFrame(http2.FrameHeaders, 0, id, []byte{0x88})
			fr.WritePing(false, [8]byte{})
		}},
		{"a DATA frame larger than announced", "over the 16384-byte", func(fr *http2.Framer, id uint32) {
			fr.WriteRawFrame(http2.FrameHeaders, http2.FlagHeadersEndHeaders, id, []byte{0x88})
			fr.WriteRawFrame(http2.FrameData, http2.FlagDataEndStream, id, make([]byte, 20000))
		}},
	} {
		url, _ := h2cFrames(t, func(fr *http2.Framer, _ *hpack.Encoder, _ *bytes.Buffer, id uint32) { bad.frames(fr, id) })
		c := New(Options{HTTP2: true, Timeout: 5 * time.Second})
		if resp := do(c, &Request{URL: url + "/"}); resp.Err == nil || !strings.Contains(resp.Err.Error(), bad.want) {
			t.Errorf("%s: err %v (want it to say %q), status %d", bad.name, resp.Err, bad.want, resp.Status)
		}
		c.Close()
	}
}

// Between requests an HTTP/2 user holds no read or write buffer, as on HTTP/1.1, except when
// the server sent more after the response (a PING in the same write here): that is kept and
// answered when the next request reads the connection.
func TestHTTP2IdleUserHoldsNoBuffers(t *testing.T) {
	url, pingAcks := h2cFrames(t, func(fr *http2.Framer, enc *hpack.Encoder, hbuf *bytes.Buffer, id uint32) {
		fr.WriteRawFrame(http2.FrameHeaders, http2.FlagHeadersEndHeaders, id, []byte{0x88})
		fr.WriteData(id, true, []byte("ok"))
		if id == 3 {
			fr.WritePing(false, [8]byte{7})
		}
	})
	c := New(Options{HTTP2: true})
	defer c.Close()
	for i := range 3 {
		if resp := do(c, &Request{URL: url + "/"}); resp.Err != nil || string(resp.Body) != "ok" {
			t.Fatalf("request %d: %v %q", i, resp.Err, resp.Body)
		}
		x := c.conns[0].h2
		if holds := x.br != nil || x.bw != nil; holds != (i == 1) {
			t.Errorf("after request %d: holds buffers %v (read %v, write %v); want %v", i, holds, x.br != nil, x.bw != nil, i == 1)
		}
	}
	// The acknowledgement goes out with the third request; the server counts it once it has
	// answered that request.
	for end := time.Now().Add(2 * time.Second); pingAcks.Load() == 0 && time.Now().Before(end); {
		time.Sleep(time.Millisecond)
	}
	if n := pingAcks.Load(); n != 1 {
		t.Errorf("%d PING acknowledgements, want 1 (the PING after the second response, answered by the third request)", n)
	}
}

// A Client's siblings (a user's concurrent requests) share one HTTP/2 connection per host:
// their requests are in flight at once, as streams on it. The server answers only once all
// of them have arrived; serialized requests would each wait out its timer instead.
func TestSiblingsMultiplexOneHTTP2Connection(t *testing.T) {
	ca := newCA(t)
	const n = 6
	var arrived sync.WaitGroup
	arrived.Add(n)
	together := make(chan struct{})
	go func() { arrived.Wait(); close(together) }()
	ts, conns := tlsServer(t, ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state := "alone"
		if r.URL.Path == "/wait" {
			arrived.Done()
			select {
			case <-together:
				state = "together"
			case <-time.After(3 * time.Second):
			}
		}
		io.WriteString(w, r.Proto+" "+state)
	}), true, nil)
	opts := Options{TLSConfig: &tls.Config{RootCAs: ca.pool}, HTTP2: true}
	root := New(opts)
	defer root.Close()
	if resp := do(root, &Request{URL: ts.URL + "/"}); resp.Err != nil || string(resp.Body) != "HTTP/2.0 alone" {
		t.Fatalf("the user's own request: %v %q", resp.Err, resp.Body)
	}
	lanes := make([]*Client, n)
	for i := range lanes {
		lanes[i] = root.Sibling(opts)
	}
	results := make([]*Response, n)
	var wg sync.WaitGroup
	for i, lane := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = do(lane, &Request{URL: ts.URL + "/wait"})
		}()
	}
	wg.Wait()
	for i, resp := range results {
		if resp.Err != nil || resp.Proto != "HTTP/2.0" || string(resp.Body) != "HTTP/2.0 together" {
			t.Errorf("concurrent request %d: %v %s %q", i, resp.Err, resp.Proto, resp.Body)
		}
	}
	if got := conns.Load(); got != 2 {
		t.Errorf("%d connections, want 2: the user's own and one its %d concurrent requests share", got, n)
	}
}

// Siblings asking for HTTP/2 of a server that answers in HTTP/1.1 get their answers, and once
// the server has chosen HTTP/1.1 each sibling goes back to connections of its own, so that
// its requests are not serialized on the shared one.
func TestSiblingsFallBackToHTTP11(t *testing.T) {
	ca := newCA(t)
	ts, _ := tlsServer(t, ca, http.HandlerFunc(protoAndPeer), false, nil)
	opts := Options{TLSConfig: &tls.Config{RootCAs: ca.pool}, HTTP2: true}
	root := New(opts)
	defer root.Close()
	lanes := []*Client{root.Sibling(opts), root.Sibling(opts), root.Sibling(opts)}
	for round := range 3 {
		var wg sync.WaitGroup
		for i, lane := range lanes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if resp := do(lane, &Request{URL: ts.URL + "/"}); resp.Err != nil || resp.Proto != "HTTP/1.1" || string(resp.Body) != "HTTP/1.1 none" {
					t.Errorf("round %d, sibling %d: %v %s %q", round, i, resp.Err, resp.Proto, resp.Body)
				}
			}()
		}
		wg.Wait()
	}
	if !root.lanes.h1Only[strings.TrimPrefix(ts.URL, "https://")] {
		t.Errorf("the server's choice of HTTP/1.1 was not noted: %v", root.lanes.h1Only)
	}
}
