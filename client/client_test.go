package client

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server starts an httptest server for h that counts accepted connections.
func server(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, &conns
}

// do runs one request on c and returns the response.
func do(c *Client, req *Request) *Response {
	var resp Response
	c.Do(req, &resp)
	return &resp
}

// echo answers with the request line, a few headers and the body, as JSON-ish text.
func echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fmt.Fprintf(w, "%s %s host=%s len=%d ua=%q ae=%q cookie=%q ct=%q auth=%q body=%s",
		r.Method, r.URL.RequestURI(), r.Host, r.ContentLength, r.UserAgent(),
		r.Header.Get("Accept-Encoding"), r.Header.Get("Cookie"), r.Header.Get("Content-Type"),
		r.Header.Get("Authorization"), body)
}

func TestKeepAliveOneConnectionPerHost(t *testing.T) {
	a, aConns := server(t, http.HandlerFunc(echo))
	b, bConns := server(t, http.HandlerFunc(echo))
	c := New(Options{})
	defer c.Close()
	for i := range 6 {
		target := a.URL
		if i%2 == 1 {
			target = b.URL
		}
		resp := do(c, &Request{Method: "GET", URL: target + "/x"})
		if resp.Err != nil || resp.Status != 200 {
			t.Fatalf("request %d: status %d err %v", i, resp.Status, resp.Err)
		}
	}
	if aConns.Load() != 1 || bConns.Load() != 1 {
		t.Fatalf("connections: a=%d b=%d, want 1 each", aConns.Load(), bConns.Load())
	}
	// A second client has connections of its own.
	c2 := New(Options{})
	defer c2.Close()
	do(c2, &Request{URL: a.URL})
	if aConns.Load() != 2 {
		t.Fatalf("second client: %d connections, want 2", aConns.Load())
	}
}

func TestStaleConnectionIsRetriedOnce(t *testing.T) {
	var hits atomic.Int64
	ts, conns := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	}))
	c := New(Options{})
	defer c.Close()
	if resp := do(c, &Request{Method: "POST", URL: ts.URL, Body: []byte("a")}); resp.Err != nil {
		t.Fatal(resp.Err)
	}
	ts.CloseClientConnections() // the server drops the idle keep-alive connection
	time.Sleep(20 * time.Millisecond)
	resp := do(c, &Request{Method: "POST", URL: ts.URL, Body: []byte("b")})
	if resp.Err != nil || resp.Status != 200 || string(resp.Body) != "ok" {
		t.Fatalf("after server closed idle conn: status %d err %v body %q", resp.Status, resp.Err, resp.Body)
	}
	if hits.Load() != 2 || conns.Load() != 2 {
		t.Fatalf("hits %d conns %d, want 2 and 2", hits.Load(), conns.Load())
	}
}

func TestNoRetryAfterResponseBytes(t *testing.T) {
	var partial atomic.Int64
	ts, _ := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/partial" {
			return
		}
		partial.Add(1)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
		buf.Flush()
		conn.Close()
	}))
	c := New(Options{})
	defer c.Close()
	do(c, &Request{URL: ts.URL + "/ok"}) // so that /partial goes over a reused connection
	resp := do(c, &Request{URL: ts.URL + "/partial"})
	if resp.Err == nil || resp.Status != 0 {
		t.Fatalf("truncated body: status %d err %v, want an error", resp.Status, resp.Err)
	}
	if !strings.Contains(resp.Err.Error(), "mid-response") {
		t.Errorf("error %q does not say the body was cut", resp.Err)
	}
	if partial.Load() != 1 {
		t.Fatalf("/partial hit %d times, want 1 (no retry after response bytes)", partial.Load())
	}
	if resp := do(c, &Request{URL: ts.URL + "/ok"}); resp.Err != nil || resp.Status != 200 {
		t.Fatalf("next request: status %d err %v", resp.Status, resp.Err)
	}
}

func TestCookiesPerClient(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "scoped", Value: "1", Path: "/only"})
	})
	mux.HandleFunc("/", echo)
	ts, _ := server(t, mux)

	a, b := New(Options{}), New(Options{})
	defer a.Close()
	defer b.Close()
	if resp := do(a, &Request{URL: ts.URL + "/echo"}); !strings.Contains(string(resp.Body), `cookie=""`) {
		t.Fatalf("cookie before login: %s", resp.Body)
	}
	do(a, &Request{URL: ts.URL + "/login"})

	tests := []struct {
		name   string
		client *Client
		path   string
		header [][2]string
		want   string
	}{
		{"same client", a, "/echo", nil, `cookie="sid=abc"`},
		{"path scoped", a, "/only/x", nil, `sid=abc`},
		{"path scoped 2", a, "/only/x", nil, `scoped=1`},
		{"explicit header wins", a, "/echo", [][2]string{{"Cookie", "mine=1"}}, `cookie="mine=1"`},
		{"other client", b, "/echo", nil, `cookie=""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(tt.client, &Request{URL: ts.URL + tt.path, Header: tt.header})
			if !strings.Contains(string(resp.Body), tt.want) {
				t.Fatalf("got %s, want %s", resp.Body, tt.want)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	for _, code := range []int{301, 302, 303, 307, 308} {
		mux.HandleFunc("/r"+strconv.Itoa(code), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "/echo?from="+strconv.Itoa(code))
			w.WriteHeader(code)
		})
	}
	mux.HandleFunc("/dir/rel", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "../echo?rel=1")
		w.WriteHeader(302)
	})
	mux.HandleFunc("/loop/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/loop/"))
		w.Header().Set("Location", "/loop/"+strconv.Itoa(n+1))
		w.WriteHeader(302)
	})
	mux.HandleFunc("/echo", echo)
	ts, _ := server(t, mux)
	c := New(Options{})
	defer c.Close()
	post := func(path string, redirects int) *Request {
		return &Request{Method: "POST", URL: ts.URL + path, Body: []byte("payload"),
			Header: [][2]string{{"Content-Type", "text/plain"}}, Redirects: redirects}
	}

	tests := []struct {
		name    string
		req     *Request
		status  int
		urlPath string // suffix of the final URL
		body    string // substring of the final body
	}{
		{"301 becomes GET", post("/r301", -1), 200, "/echo?from=301", `GET /echo?from=301 host=` + ts.Listener.Addr().String() + ` len=0`},
		{"302 becomes GET", post("/r302", -1), 200, "/echo?from=302", `ct="" auth="" body=`},
		{"303 becomes GET", post("/r303", -1), 200, "/echo?from=303", "GET /echo?from=303"},
		{"307 keeps method and body", post("/r307", -1), 200, "/echo?from=307", `POST /echo?from=307 host=` + ts.Listener.Addr().String() + ` len=7`},
		{"308 keeps method and body", post("/r308", -1), 200, "/echo?from=308", `ct="text/plain" auth="" body=payload`},
		{"relative location", &Request{URL: ts.URL + "/dir/rel", Redirects: -1}, 200, "/echo?rel=1", "GET /echo?rel=1"},
		{"zero does not follow", &Request{URL: ts.URL + "/r302"}, 302, "/r302", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(c, tt.req)
			if resp.Err != nil || resp.Status != tt.status {
				t.Fatalf("status %d err %v, want %d", resp.Status, resp.Err, tt.status)
			}
			if !strings.HasSuffix(resp.URL, tt.urlPath) {
				t.Errorf("URL %s, want suffix %s", resp.URL, tt.urlPath)
			}
			if !strings.Contains(string(resp.Body), tt.body) {
				t.Errorf("body %q, want it to contain %q", resp.Body, tt.body)
			}
		})
	}
}

// TestTooManyRedirects: a loop past the limit is a failure naming the limit, with the last
// 3xx kept; redirects off returns the 3xx with no error.
func TestTooManyRedirects(t *testing.T) {
	var hits atomic.Int64
	ts, _ := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
	}))
	c := New(Options{})
	defer c.Close()
	for _, tt := range []struct {
		limit, hits int
		err         string
	}{{-1, 11, "redirect: too many redirects (10)"}, {3, 4, "redirect: too many redirects (3)"}, {0, 1, ""}} {
		hits.Store(0)
		resp := do(c, &Request{URL: ts.URL + "/loop", Redirects: tt.limit})
		got := ""
		if resp.Err != nil {
			got = resp.Err.Error()
		}
		if got != tt.err || resp.Status != 301 || hits.Load() != int64(tt.hits) {
			t.Errorf("limit %d: status %d err %q after %d requests, want 301 %q after %d", tt.limit, resp.Status, got, hits.Load(), tt.err, tt.hits)
		}
	}
}

// TestTimeoutWhileBodyStreams: a chunked body still streaming at the deadline fails as a
// timeout, not as a malformed response.
func TestTimeoutWhileBodyStreams(t *testing.T) {
	ts, _ := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	for _, max := range []int64{0, 1 << 20} {
		c := New(Options{MaxBodyBytes: max})
		for range 3 {
			resp := do(c, &Request{URL: ts.URL, Timeout: 300 * time.Millisecond})
			if resp.Err == nil || resp.Err.Error() != "read "+ts.Listener.Addr().String()+": timeout after 300ms" {
				t.Fatalf("body cap %d: err %v, want a timeout after 300ms", max, resp.Err)
			}
		}
		c.Close()
	}
}

func TestTimeoutThenRecovers(t *testing.T) {
	ts, conns := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}
		io.WriteString(w, "ok")
	}))
	c := New(Options{Timeout: 5 * time.Second})
	defer c.Close()
	do(c, &Request{URL: ts.URL + "/fast"})
	begin := time.Now()
	resp := do(c, &Request{URL: ts.URL + "/slow", Timeout: 100 * time.Millisecond})
	if resp.Status != 0 || resp.Err == nil || !strings.Contains(resp.Err.Error(), "timeout") {
		t.Fatalf("status %d err %v, want status 0 and a timeout", resp.Status, resp.Err)
	}
	var e *Error
	if !errors.As(resp.Err, &e) || !e.Timeout() {
		t.Errorf("err %#v is not a timeout *Error", resp.Err)
	}
	if took := time.Since(begin); took > time.Second {
		t.Errorf("timeout of 100ms took %v", took)
	}
	resp = do(c, &Request{URL: ts.URL + "/fast"})
	if resp.Err != nil || string(resp.Body) != "ok" {
		t.Fatalf("after timeout: status %d err %v", resp.Status, resp.Err)
	}
	if conns.Load() != 2 {
		t.Errorf("%d connections, want 2 (timed-out one replaced)", conns.Load())
	}
}

func TestConnectionRefusedMessageIsStable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := New(Options{})
	first := do(c, &Request{URL: "http://" + addr + "/a"})
	second := do(c, &Request{URL: "http://" + addr + "/b?x=1"})
	want := "dial " + addr + ": connection refused"
	for _, resp := range []*Response{first, second} {
		if resp.Status != 0 || resp.Err == nil || resp.Err.Error() != want {
			t.Fatalf("status %d err %v, want %q", resp.Status, resp.Err, want)
		}
	}
}

func TestBadURL(t *testing.T) {
	c := New(Options{})
	for _, u := range []string{"ftp://example.com/", "example.com/x", "", "http:///nohost"} {
		resp := do(c, &Request{URL: u})
		if resp.Err == nil || resp.Status != 0 {
			t.Errorf("%q: status %d err %v, want an error", u, resp.Status, resp.Err)
		}
	}
}

func TestRequestFraming(t *testing.T) {
	ts, _ := server(t, http.HandlerFunc(echo))
	host := ts.Listener.Addr().String()
	c := New(Options{})
	defer c.Close()
	tests := []struct {
		name string
		req  Request
		want []string
	}{
		{"GET defaults", Request{URL: ts.URL + "/p?q=1"},
			[]string{"GET /p?q=1 host=" + host + " len=0", `ua="gust/0.1"`, `ae="gzip, deflate, br, zstd"`, `ct=""`}},
		{"POST body has Content-Length", Request{Method: "POST", URL: ts.URL, Body: []byte(`{"a":1}`)},
			[]string{"POST / host=" + host + " len=7", `body={"a":1}`, `ct=""`}},
		{"empty POST sends zero length", Request{Method: "POST", URL: ts.URL}, []string{"len=0"}},
		{"headers as given", Request{URL: ts.URL, Header: [][2]string{
			{"User-Agent", "mine"}, {"Accept-Encoding", "gzip"}, {"Host", "example.test"}}},
			[]string{`ua="mine"`, `ae="gzip"`, "host=example.test"}},
		{"userinfo becomes basic auth", Request{URL: "http://u:p@" + host + "/"}, []string{`auth="Basic dTpw"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(c, &tt.req)
			if resp.Err != nil {
				t.Fatal(resp.Err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(resp.Body), w) {
					t.Errorf("body %q lacks %q", resp.Body, w)
				}
			}
		})
	}
}

// rawServer serves each connection with reply, after capturing the request head.
func rawServer(t *testing.T, reply string) (addr string, heads chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	heads = make(chan string, 16)
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				var head strings.Builder
				for {
					line, err := br.ReadString('\n')
					head.WriteString(line)
					if err != nil || line == "\r\n" {
						break
					}
				}
				heads <- head.String()
				io.WriteString(conn, reply)
			}()
		}
	}()
	return l.Addr().String(), heads
}

func TestRawWire(t *testing.T) {
	tests := []struct {
		name    string
		reply   string
		status  int
		body    string
		errWant string
	}{
		{"close-delimited body", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello", 200, "hello", ""},
		{"http/1.0", "HTTP/1.0 201 Created\r\n\r\nold", 201, "old", ""},
		{"garbage", "SSH-2.0-OpenSSH\r\n\r\n", 0, "", "read %s: malformed response"},
		{"closed without response", "", 0, "", "read %s: server closed connection without response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, heads := rawServer(t, tt.reply)
			c := New(Options{})
			defer c.Close()
			resp := do(c, &Request{URL: "http://" + addr + "/path", Header: [][2]string{
				{"x-lower", "1"}, {"X-B", "2"}, {"X-A", "3"}, {"X-B", "4"}}})
			head := <-heads
			if !strings.Contains(head, "x-lower: 1\r\nX-B: 2\r\nX-A: 3\r\nX-B: 4\r\n") {
				t.Errorf("headers not sent in order as given:\n%s", head)
			}
			if tt.errWant != "" {
				if resp.Err == nil || resp.Err.Error() != fmt.Sprintf(tt.errWant, addr) {
					t.Fatalf("err %v, want %q", resp.Err, fmt.Sprintf(tt.errWant, addr))
				}
				return
			}
			if resp.Err != nil || resp.Status != tt.status || string(resp.Body) != tt.body {
				t.Fatalf("status %d body %q err %v", resp.Status, resp.Body, resp.Err)
			}
		})
	}
}

func TestHeadAndChunked(t *testing.T) {
	chunks := []string{"first,", "second,", strings.Repeat("x", 10000)}
	mux := http.NewServeMux()
	mux.HandleFunc("/head", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1234")
		if r.Method != "HEAD" {
			w.Write(make([]byte, 1234))
		}
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for _, ch := range chunks {
			io.WriteString(w, ch)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	ts, conns := server(t, mux)
	full := strings.Join(chunks, "")

	tests := []struct {
		name    string
		method  string
		path    string
		maxBody int64
		status  int
		body    string
		size    int64
		header  string // Content-Length or Transfer-Encoding seen by Header
	}{
		{"HEAD has no body", "HEAD", "/head", 0, 200, "", 0, "1234"},
		{"chunked", "GET", "/chunked", 0, 200, full, int64(len(full)), "chunked"},
		{"chunked capped", "GET", "/chunked", 8, 200, full[:8], int64(len(full)), "chunked"},
		{"no content", "GET", "/nocontent", 0, 204, "", 0, ""},
		{"body after HEAD on same conn", "GET", "/head", 0, 200, string(make([]byte, 1234)), 1234, "1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{MaxBodyBytes: tt.maxBody})
			defer c.Close()
			for range 2 { // twice, to prove the connection is left clean
				resp := do(c, &Request{Method: tt.method, URL: ts.URL + tt.path})
				if resp.Err != nil || resp.Status != tt.status || string(resp.Body) != tt.body || resp.Size != tt.size {
					t.Fatalf("status %d size %d len(body) %d err %v", resp.Status, resp.Size, len(resp.Body), resp.Err)
				}
				got := resp.Header("content-length")
				if tt.header == "chunked" {
					got = resp.Header("Transfer-Encoding")
				}
				if got != tt.header {
					t.Errorf("header %q, want %q", got, tt.header)
				}
			}
		})
	}
	if conns.Load() != int64(len(tests)) {
		t.Errorf("%d connections for %d clients", conns.Load(), len(tests))
	}
}

func TestLargeBodyIsCappedAndConnectionKept(t *testing.T) {
	const size = 50 << 20
	block := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("chunked") {
			w.Header().Set("Transfer-Encoding", "chunked")
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(size))
		}
		for sent := 0; sent < size; sent += len(block) {
			w.Write(block)
		}
	})
	mux.HandleFunc("/small", echo)
	ts, conns := server(t, mux)
	c := New(Options{MaxBodyBytes: 1 << 20})
	defer c.Close()
	for _, q := range []string{"", "?chunked=1"} {
		resp := do(c, &Request{URL: ts.URL + "/big" + q})
		if resp.Err != nil || resp.Status != 200 {
			t.Fatalf("%s: status %d err %v", q, resp.Status, resp.Err)
		}
		if len(resp.Body) != 1<<20 || resp.Size != size || !bytes.Equal(resp.Body[:len(block)], block) {
			t.Fatalf("%s: kept %d bytes of %d", q, len(resp.Body), resp.Size)
		}
		if resp := do(c, &Request{URL: ts.URL + "/small"}); resp.Err != nil || resp.Status != 200 {
			t.Fatalf("%s: next request: status %d err %v", q, resp.Status, resp.Err)
		}
	}
	if conns.Load() != 1 {
		t.Errorf("%d connections, want 1", conns.Load())
	}
}

// TestBodyCapDefaultsAndDiscard: by default 8 MiB of a body is kept and the whole counted;
// DiscardBody, per request or per client, keeps nothing; Truncated tells.
func TestBodyCapDefaultsAndDiscard(t *testing.T) {
	const size = 12 << 20
	ts, _ := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("chunked") {
			w.Header().Set("Transfer-Encoding", "chunked")
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(size))
		}
		block := bytes.Repeat([]byte("x"), 1<<20)
		for range size >> 20 {
			w.Write(block)
		}
	}))
	keep, discard := New(Options{}), New(Options{DiscardBody: true})
	defer keep.Close()
	defer discard.Close()
	for _, q := range []string{"", "?chunked=1"} {
		for _, tt := range []struct {
			c       *Client
			discard bool
			kept    int
		}{{keep, false, 8 << 20}, {keep, true, 0}, {discard, false, 0}} {
			resp := do(tt.c, &Request{URL: ts.URL + q, DiscardBody: tt.discard})
			if resp.Err != nil || len(resp.Body) != tt.kept || resp.Size != size || !resp.Truncated() {
				t.Errorf("%q discard %v: err %v, kept %d of %d (truncated %v), want %d of %d", q, tt.discard,
					resp.Err, len(resp.Body), resp.Size, resp.Truncated(), tt.kept, size)
			}
		}
	}
}

func TestHTTPS(t *testing.T) {
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(echo))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.StartTLS()
	defer ts.Close()
	cfg := ts.Client().Transport.(*http.Transport).TLSClientConfig

	c := New(Options{TLSConfig: cfg})
	defer c.Close()
	for range 3 {
		resp := do(c, &Request{Method: "POST", URL: ts.URL + "/s", Body: []byte("tls")})
		if resp.Err != nil || resp.Status != 200 || !strings.Contains(string(resp.Body), "POST /s") {
			t.Fatalf("status %d err %v body %q", resp.Status, resp.Err, resp.Body)
		}
		// A bodiless GET repeated: from the second time on, sent from remembered bytes.
		resp = do(c, &Request{URL: ts.URL + "/g"})
		if resp.Err != nil || resp.Status != 200 || !strings.HasPrefix(string(resp.Body), "GET /g ") {
			t.Fatalf("GET over TLS: status %d err %v body %q", resp.Status, resp.Err, resp.Body)
		}
	}
	if conns.Load() != 1 {
		t.Errorf("%d TLS connections, want 1", conns.Load())
	}

	insecure := New(Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}})
	if resp := do(insecure, &Request{URL: ts.URL}); resp.Err != nil {
		t.Errorf("InsecureSkipVerify: %v", resp.Err)
	}
	strict := New(Options{})
	resp := do(strict, &Request{URL: ts.URL})
	if resp.Err == nil || !strings.Contains(resp.Err.Error(), "certificate") || resp.Status != 0 {
		t.Errorf("default verification of a self-signed cert: status %d err %v", resp.Status, resp.Err)
	}
}

func TestAbortFromAnotherGoroutine(t *testing.T) {
	ts, _ := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	c := New(Options{})
	time.AfterFunc(50*time.Millisecond, c.Abort)
	begin := time.Now()
	resp := do(c, &Request{URL: ts.URL})
	if took := time.Since(begin); took > 150*time.Millisecond {
		t.Errorf("aborted request returned after %v", took)
	}
	if resp.Err != ErrAborted || resp.Status != 0 {
		t.Fatalf("status %d err %v, want ErrAborted", resp.Status, resp.Err)
	}
	begin = time.Now()
	if resp := do(c, &Request{URL: ts.URL}); resp.Err != ErrAborted || time.Since(begin) > 10*time.Millisecond {
		t.Fatalf("Do after Abort: err %v after %v", resp.Err, time.Since(begin))
	}
}

func TestAbortBeforeDo(t *testing.T) {
	c := New(Options{})
	c.Abort()
	resp := do(c, &Request{URL: "http://127.0.0.1:1/"})
	if resp.Err != ErrAborted {
		t.Fatalf("err %v, want ErrAborted", resp.Err)
	}
}

func TestTimings(t *testing.T) {
	const sleep = 50 * time.Millisecond
	ts, _ := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(sleep)
		io.WriteString(w, "done")
	}))
	c := New(Options{})
	defer c.Close()
	resp := do(c, &Request{URL: ts.URL})
	if resp.Err != nil {
		t.Fatal(resp.Err)
	}
	if resp.Elapsed < sleep || resp.Elapsed > sleep+time.Second {
		t.Errorf("Elapsed %v, want in [%v, %v]", resp.Elapsed, sleep, sleep+time.Second)
	}
	if resp.TTFB < sleep || resp.TTFB > resp.Elapsed {
		t.Errorf("TTFB %v, want in [%v, Elapsed %v]", resp.TTFB, sleep, resp.Elapsed)
	}
}

func TestResponseOwnsItsMemory(t *testing.T) {
	var n atomic.Int64
	ts, _ := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		w.Header().Set("X-Seq", strconv.FormatInt(i, 10))
		fmt.Fprintf(w, "response number %d", i)
	}))
	c := New(Options{})
	defer c.Close()
	var resp Response
	c.Do(&Request{URL: ts.URL}, &resp)
	body, seq, all := resp.Body, resp.Header("x-seq"), resp.Headers()
	c.Do(&Request{URL: ts.URL}, &resp)
	if string(body) != "response number 1" || seq != "1" || all["x-seq"] != "1" {
		t.Fatalf("first response changed: body %q header %q map %q", body, seq, all["x-seq"])
	}
	if string(resp.Body) != "response number 2" || resp.Header("X-Seq") != "2" {
		t.Fatalf("second response: %q %q", resp.Body, resp.Header("X-Seq"))
	}
}

func TestResponseHeaders(t *testing.T) {
	ts, _ := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Big", strings.Repeat("y", 10000)) // larger than the pooled read buffer
		io.WriteString(w, "{}")
	}))
	c := New(Options{})
	defer c.Close()
	resp := do(c, &Request{URL: ts.URL})
	if resp.Err != nil {
		t.Fatal(resp.Err)
	}
	tests := []struct{ name, want string }{
		{"x-multi", "a, b"},
		{"CONTENT-TYPE", "application/json"},
		{"Content-Length", "2"},
		{"missing", ""},
	}
	for _, tt := range tests {
		if got := resp.Header(tt.name); got != tt.want {
			t.Errorf("Header(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	m := resp.Headers()
	if m["x-multi"] != "a, b" || m["content-type"] != "application/json" || len(m["x-big"]) != 10000 {
		t.Errorf("Headers() = %v", m)
	}
	for k := range m {
		if k != strings.ToLower(k) {
			t.Errorf("key %q is not lower-case", k)
		}
	}
}

// BenchmarkDo measures one keep-alive GET with a small JSON body. Against
// httptest most allocations are the net/http server's, in the same process;
// the raw server allocates nothing per request, so there allocs/op are the
// client's alone.
func BenchmarkDo(b *testing.B) {
	payload := `{"id":42,"name":"gust","tags":["load","test"],"ok":true}`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, payload)
	}))
	defer ts.Close()
	raw := rawKeepAliveServer(b, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(payload))+"\r\n\r\n"+payload)

	for _, bc := range []struct{ name, url string }{
		{"httptest", ts.URL},
		{"raw", "http://" + raw},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := New(Options{})
			defer c.Close()
			req := &Request{Method: "GET", URL: bc.url + "/api/item?id=42"}
			var resp Response
			b.ReportAllocs()
			for b.Loop() {
				c.Do(req, &resp)
				if resp.Err != nil || len(resp.Body) != len(payload) {
					b.Fatalf("status %d err %v", resp.Status, resp.Err)
				}
			}
		})
	}
}

// rawKeepAliveServer answers every bodiless request on a connection with
// reply. It allocates nothing per request and keeps no heap buffer per
// connection, so benchmarks and footprint tests see the client alone.
func rawKeepAliveServer(tb testing.TB, reply string) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	out := []byte(reply)
	end := []byte("\r\n\r\n")
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				var buf [512]byte
				n := 0
				for {
					m, err := conn.Read(buf[n:])
					if err != nil {
						return
					}
					n += m
					for {
						i := bytes.Index(buf[:n], end)
						if i < 0 {
							break
						}
						if _, err := conn.Write(out); err != nil {
							return
						}
						n = copy(buf[:], buf[i+len(end):n])
					}
					if n == len(buf) {
						return // a request head this large is not ours
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

func TestIdleClientFootprint(t *testing.T) {
	const clients = 1000
	addr := rawKeepAliveServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heap0, goroutines0 := ms.HeapAlloc, runtime.NumGoroutine()

	cs := make([]*Client, clients)
	for i := range cs {
		cs[i] = New(Options{})
		var resp Response
		cs[i].Do(&Request{URL: "http://" + addr + "/x", Header: [][2]string{{"Accept", "application/json"}}}, &resp)
		if resp.Err != nil {
			t.Fatal(resp.Err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	perClient := (int64(ms.HeapAlloc) - int64(heap0)) / clients
	extra := runtime.NumGoroutine() - goroutines0 - clients // minus the server's goroutine per connection
	for _, c := range cs {
		c.Close()
	}
	t.Logf("idle client with one keep-alive connection: %d B of heap (server's socket included)", perClient)
	// Holding a 4 KiB read or write buffer per Client would break this bound.
	if perClient > 8<<10 {
		t.Errorf("%d B of heap per idle client, want under 8 KiB", perClient)
	}
	if extra > 0 {
		t.Errorf("%d goroutines beyond the server's, want none per client", extra)
	}
}
