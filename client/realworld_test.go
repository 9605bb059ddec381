package client

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// testCA is a certificate authority generated for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCA(t *testing.T) *testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gust test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert, key, pool}
}

// issue returns a certificate for cn signed by the CA: a server's (for 127.0.0.1) or a client's.
func (ca *testCA) issue(t *testing.T, cn string, client bool) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		tmpl.DNSNames = []string{"gust.example"}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// tlsServer starts an HTTPS server with a certificate from ca; h2 offers HTTP/2.
func tlsServer(t *testing.T, ca *testCA, h http.Handler, h2 bool, clientCAs *x509.CertPool) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(h)
	ts.EnableHTTP2 = h2
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{ca.issue(t, "127.0.0.1", false)}}
	if clientCAs != nil {
		ts.TLS.ClientCAs, ts.TLS.ClientAuth = clientCAs, tls.RequireAndVerifyClientCert
	}
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Config.ErrorLog = nil
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, &conns
}

func protoAndPeer(w http.ResponseWriter, r *http.Request) {
	cn := "none"
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		cn = r.TLS.PeerCertificates[0].Subject.CommonName
	}
	io.WriteString(w, r.Proto+" "+cn)
}

func TestTLSVerificationCAAndInsecure(t *testing.T) {
	ca := newCA(t)
	ts, _ := tlsServer(t, ca, http.HandlerFunc(protoAndPeer), false, nil)
	for _, tt := range []struct {
		name string
		cfg  *tls.Config
		err  string
	}{
		{"verified by default", nil, "certificate signed by unknown authority"},
		{"the CA added", &tls.Config{RootCAs: ca.pool}, ""},
		{"insecure", &tls.Config{InsecureSkipVerify: true}, ""},
	} {
		c := New(Options{TLSConfig: tt.cfg})
		for i := range 2 {
			resp := do(c, &Request{URL: ts.URL + "/"})
			switch {
			case tt.err != "":
				if resp.Err == nil || !strings.Contains(resp.Err.Error(), tt.err) || !strings.HasPrefix(resp.Err.Error(), "tls handshake") {
					t.Errorf("%s: err %v, want a handshake failure naming %q", tt.name, resp.Err, tt.err)
				}
			case resp.Err != nil || string(resp.Body) != "HTTP/1.1 none" || resp.Proto != "HTTP/1.1":
				t.Errorf("%s: %v %q %s", tt.name, resp.Err, resp.Body, resp.Proto)
			case i == 0 && resp.TLSHandshake <= 0, i == 1 && resp.TLSHandshake != 0:
				t.Errorf("%s: request %d: handshake time %v (want > 0 on a new connection only)", tt.name, i, resp.TLSHandshake)
			}
		}
		c.Close()
	}
}

func TestClientCertificate(t *testing.T) {
	ca := newCA(t)
	ts, _ := tlsServer(t, ca, http.HandlerFunc(protoAndPeer), false, ca.pool)
	without := New(Options{TLSConfig: &tls.Config{RootCAs: ca.pool}})
	defer without.Close()
	if resp := do(without, &Request{URL: ts.URL}); resp.Err == nil {
		t.Errorf("no client certificate: %d %q, want a failure", resp.Status, resp.Body)
	}
	with := New(Options{TLSConfig: &tls.Config{RootCAs: ca.pool, Certificates: []tls.Certificate{ca.issue(t, "gust-client", true)}}})
	defer with.Close()
	if resp := do(with, &Request{URL: ts.URL}); resp.Err != nil || string(resp.Body) != "HTTP/1.1 gust-client" {
		t.Errorf("with a client certificate: %v %q", resp.Err, resp.Body)
	}
}

func TestHTTP2(t *testing.T) {
	ca := newCA(t)
	ts, conns := tlsServer(t, ca, http.HandlerFunc(protoAndPeer), true, nil)
	c := New(Options{TLSConfig: &tls.Config{RootCAs: ca.pool}})
	defer c.Close()
	if resp := do(c, &Request{URL: ts.URL}); resp.Err != nil || resp.Proto != "HTTP/1.1" {
		t.Fatalf("HTTP/1.1 stays the default: %v %s %q", resp.Err, resp.Proto, resp.Body)
	}
	for i := range 5 {
		resp := do(c, &Request{URL: ts.URL, HTTP2: true})
		if resp.Err != nil || resp.Proto != "HTTP/2.0" || string(resp.Body) != "HTTP/2.0 none" {
			t.Fatalf("over ALPN: %v %s %q", resp.Err, resp.Proto, resp.Body)
		}
		if (i == 0) != (resp.TLSHandshake > 0) {
			t.Errorf("request %d: handshake time %v (want > 0 on the new connection only)", i, resp.TLSHandshake)
		}
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (one HTTP/1.1, one HTTP/2 for five requests)", n)
	}

	// h2c with prior knowledge on http://.
	srv := httptest.NewUnstartedServer(http.HandlerFunc(protoAndPeer))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()
	h2c := New(Options{HTTP2: true})
	defer h2c.Close()
	if resp := do(h2c, &Request{URL: srv.URL}); resp.Err != nil || resp.Proto != "HTTP/2.0" || string(resp.Body) != "HTTP/2.0 none" {
		t.Errorf("h2c: %v %s %q", resp.Err, resp.Proto, resp.Body)
	}
}

// forwardProxy is a small HTTP proxy: absolute-URL requests are forwarded, CONNECT is
// tunnelled. It counts both.
func forwardProxy(t *testing.T) (string, *atomic.Int64, *atomic.Int64) {
	var plain, tunnels atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			tunnels.Add(1)
			up, err := net.Dial("tcp", r.Host)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.WriteHeader(http.StatusOK)
			down, buffered, err := http.NewResponseController(w).Hijack()
			if err != nil {
				up.Close()
				return
			}
			// The client's first bytes (its TLS hello) may already sit in the server's reader.
			go func() { io.Copy(up, buffered); up.Close() }()
			io.Copy(down, up)
			down.Close()
			return
		}
		plain.Add(1)
		out, _ := http.NewRequest(r.Method, r.URL.String(), r.Body)
		out.Header = r.Header.Clone()
		res, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		io.Copy(w, res.Body)
	}))
	t.Cleanup(ts.Close)
	return ts.URL, &plain, &tunnels
}

func TestProxy(t *testing.T) {
	proxy, plain, tunnels := forwardProxy(t)
	ca := newCA(t)
	secure, _ := tlsServer(t, ca, http.HandlerFunc(protoAndPeer), false, nil)
	ts, _ := server(t, http.HandlerFunc(echo))
	c := New(Options{Proxy: proxy, TLSConfig: &tls.Config{RootCAs: ca.pool}})
	defer c.Close()
	for range 3 {
		if resp := do(c, &Request{URL: ts.URL + "/p"}); resp.Err != nil || !strings.HasPrefix(string(resp.Body), "GET /p") {
			t.Fatalf("http through the proxy: %v %q", resp.Err, resp.Body)
		}
		if resp := do(c, &Request{URL: secure.URL}); resp.Err != nil || string(resp.Body) != "HTTP/1.1 none" {
			t.Fatalf("https through the proxy: %v %q", resp.Err, resp.Body)
		}
	}
	if plain.Load() != 3 || tunnels.Load() != 1 {
		t.Errorf("the proxy forwarded %d requests and %d tunnels, want 3 and 1 (kept)", plain.Load(), tunnels.Load())
	}
}

func TestCompressedBodies(t *testing.T) {
	body := bytes.Repeat([]byte(`{"ok":true}`), 1000)
	enc := map[string]func(io.Writer) io.WriteCloser{
		"gzip":    func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) },
		"deflate": func(w io.Writer) io.WriteCloser { return zlib.NewWriter(w) },
		"rawdeflate": func(w io.Writer) io.WriteCloser {
			z, _ := flate.NewWriter(w, 5)
			return z
		},
		"br": func(w io.Writer) io.WriteCloser { return brotli.NewWriter(w) },
		"zstd": func(w io.Writer) io.WriteCloser {
			z, _ := zstd.NewWriter(w)
			return z
		},
	}
	var gotAE atomic.Value
	ts, _ := server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAE.Store(r.Header.Get("Accept-Encoding"))
		name := strings.TrimPrefix(r.URL.Path, "/")
		var b bytes.Buffer
		z := enc[name](&b)
		if r.URL.Query().Has("bomb") {
			zero := make([]byte, 1<<20)
			for range 64 {
				z.Write(zero)
			}
		} else {
			z.Write(body)
		}
		z.Close()
		w.Header().Set("Content-Encoding", strings.TrimPrefix(name, "raw"))
		if r.URL.Query().Has("chunked") {
			w.(http.Flusher).Flush()
		}
		w.Write(b.Bytes())
	}))
	c := New(Options{MaxBodyBytes: 1 << 20})
	defer c.Close()
	for name := range enc {
		for _, q := range []string{"", "?chunked"} {
			resp := do(c, &Request{URL: ts.URL + "/" + name + q})
			if resp.Err != nil || !bytes.Equal(resp.Body, body) || resp.Size != int64(len(body)) {
				t.Errorf("%s%s: %v, %d bytes (size %d), want the %d decoded", name, q, resp.Err, len(resp.Body), resp.Size, len(body))
			}
		}
		resp := do(c, &Request{URL: ts.URL + "/" + name + "?bomb"})
		if resp.Err != nil || len(resp.Body) != 1<<20 || resp.Size != 64<<20 || !resp.Truncated() {
			t.Errorf("%s bomb: %v, kept %d of %d, want 1 MiB of 64 MiB", name, resp.Err, len(resp.Body), resp.Size)
		}
	}
	if ae := gotAE.Load(); ae != "gzip, deflate, br, zstd" {
		t.Errorf("Accept-Encoding %q", ae)
	}
	resp := do(c, &Request{URL: ts.URL + "/gzip", Header: [][2]string{{"Accept-Encoding", "gzip"}}})
	if gotAE.Load() != "gzip" || resp.Err != nil || !bytes.Equal(resp.Body, body) {
		t.Errorf("the script's Accept-Encoding: sent %q, %v", gotAE.Load(), resp.Err)
	}
}

func TestResolveAndNoKeepAlive(t *testing.T) {
	ts, conns := server(t, http.HandlerFunc(echo))
	c := New(Options{Resolve: map[string]string{"gust.example:80": ts.Listener.Addr().String()}, NoKeepAlive: true})
	defer c.Close()
	for range 3 {
		resp := do(c, &Request{URL: "http://gust.example/r"})
		if resp.Err != nil || !strings.Contains(string(resp.Body), "host=gust.example ") {
			t.Fatalf("--resolve: %v %q", resp.Err, resp.Body)
		}
	}
	if conns.Load() != 3 {
		t.Errorf("%d connections without keep-alive, want 3", conns.Load())
	}
}

// TestProxyFromEnvironment: HTTP_PROXY sends requests to other hosts through the proxy;
// loopback stays direct, on the fast path, as net/http's ProxyFromEnvironment decides.
func TestProxyFromEnvironment(t *testing.T) {
	var proxied atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		io.WriteString(w, "proxied "+r.URL.String())
	}))
	defer proxy.Close()
	ts, _ := server(t, http.HandlerFunc(echo))
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "skip.example")
	old := envProxy
	envProxy = sync.OnceValue(readEnvProxy)
	defer func() { envProxy = old }()

	c := New(Options{})
	defer c.Close()
	if resp := do(c, &Request{URL: ts.URL + "/direct"}); resp.Err != nil || !strings.HasPrefix(string(resp.Body), "GET /direct") {
		t.Errorf("loopback: %v %q", resp.Err, resp.Body)
	}
	if resp := do(c, &Request{URL: "http://api.example/x"}); resp.Err != nil || string(resp.Body) != "proxied http://api.example/x" {
		t.Errorf("through HTTP_PROXY: %v %q", resp.Err, resp.Body)
	}
	if c.proxied(ts.URL) || !c.proxied("http://api.example/") || c.proxied("http://skip.example/") {
		t.Error("loopback and NO_PROXY hosts should keep the fast path, others go through the proxy")
	}
	if proxied.Load() != 1 {
		t.Errorf("%d requests proxied, want 1", proxied.Load())
	}
}

// TestTLSRequestsAroundTheRecords sends, over HTTPS with HTTP/1.1 and with HTTP/2, requests
// whose headers and bodies fall around a TLS record's first sizes (the first records of a
// connection carry about 1.2 KB each, so that a larger request is written as two or more),
// the wire's held bytes and the writers' buffers. Each size starts on a new connection and is
// followed by a small request on it: records sent out of order, or held and never sent,
// would fail the request or the next one.
func TestTLSRequestsAroundTheRecords(t *testing.T) {
	ca := newCA(t)
	for _, h2 := range []bool{false, true} {
		t.Run(fmt.Sprintf("h2=%v", h2), func(t *testing.T) {
			ts, conns := tlsServer(t, ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				fmt.Fprintf(w, "%s %s pad=%d body=%d %x", r.Proto, r.URL.Path, len(r.Header.Get("X-Pad")), len(b), sha256.Sum256(b))
			}), true, nil)
			proto := "HTTP/1.1"
			if h2 {
				proto = "HTTP/2.0"
			}
			sizes := []int{0, 1, 1100, 1200, 1300, 1500, 1748, 2048, 2049, 3000, // the Linux wire holds up to 2 KB
				bufSize, 3*bufSize + 7, 70 << 10}
			for _, n := range sizes {
				pad := strings.Repeat("p", min(n, 12<<10))
				body := bytes.Repeat([]byte("0123456789"), n/10+1)[:n]
				for _, req := range []*Request{
					{URL: ts.URL + "/get", Header: [][2]string{{"X-Pad", pad}}},
					{Method: "POST", URL: ts.URL + "/post", Body: body},
				} {
					c := New(Options{TLSConfig: &tls.Config{RootCAs: ca.pool}, HTTP2: h2, MaxBodyBytes: 1 << 20})
					resp := do(c, req)
					wantPad, wantBody := len(pad), 0
					if req.Body != nil {
						wantPad, wantBody = 0, n
					}
					want := fmt.Sprintf("%s %s pad=%d body=%d %x", proto, req.URL[len(ts.URL):], wantPad, wantBody, sha256.Sum256(body[:wantBody]))
					if resp.Err != nil || string(resp.Body) != want {
						t.Fatalf("%d bytes: %v %q, want %q", n, resp.Err, resp.Body, want)
					}
					if resp := do(c, &Request{URL: ts.URL + "/small"}); resp.Err != nil || !strings.HasPrefix(string(resp.Body), proto+" /small ") {
						t.Fatalf("after %d bytes: %v %q", n, resp.Err, resp.Body)
					}
					c.Close()
				}
			}
			if n, want := conns.Load(), int64(2*len(sizes)); n != want {
				t.Errorf("%d connections, want %d (one per client)", n, want)
			}
		})
	}
}
