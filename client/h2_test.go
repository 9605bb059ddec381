package client

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
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
