// Command target is the loopback server bench/run.sh measures generators against. It answers
// like the sample API's two hot endpoints, can be slow or fail on request, and counts what it
// serves so that every generator is judged by the server's count, not by its own report.
//
//	GET /            {"message":"Hello World"}
//	GET /items/      a short JSON list
//	GET /slow?ms=N   answers after N milliseconds
//	GET /status/N    answers with status N
//	GET /__count     requests served so far (itself not counted); POST /__count resets it
//
// With -tls it serves HTTPS instead, HTTP/2 and HTTP/1.1 by ALPN, with a self-signed
// certificate made at start (clients use --insecure).
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

var (
	hello = []byte(`{"message":"Hello World"}`)
	items = []byte(`[{"id":1,"name":"apple"},{"id":2,"name":"pear"},{"id":3,"name":"plum"}]`)
)

type counter struct{ n atomic.Int64 }

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/__count" {
		if r.Method == http.MethodPost {
			c.n.Store(0)
		}
		fmt.Fprintf(w, "%d\n", c.n.Load())
		return
	}
	c.n.Add(1)
	switch p := r.URL.Path; {
	case p == "/":
		w.Header().Set("Content-Type", "application/json")
		w.Write(hello)
	case p == "/items/" || strings.HasPrefix(p, "/items/"):
		// /items/anything too, so that a run over many distinct URLs hits a real page.
		w.Header().Set("Content-Type", "application/json")
		w.Write(items)
	case p == "/slow":
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(min(max(ms, 0), 60_000)) * time.Millisecond)
		fmt.Fprintf(w, `{"slept":%d}`, ms)
	case strings.HasPrefix(p, "/status/"):
		code, err := strconv.Atoi(p[len("/status/"):])
		if err != nil || code < 200 || code > 599 {
			code = http.StatusBadRequest
		}
		w.WriteHeader(code)
	default:
		http.NotFound(w, r)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8470", "listen address (loopback only)")
	useTLS := flag.Bool("tls", false, "serve HTTPS (h2 and http/1.1 by ALPN) with a self-signed certificate")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatal(err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		log.Fatalf("target: %s is not a loopback address", *addr)
	}
	srv := &http.Server{Addr: *addr, Handler: &counter{}, ReadHeaderTimeout: 10 * time.Second}
	if !*useTLS {
		log.Fatal(srv.ListenAndServe())
	}
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned()}}
	log.Fatal(srv.ListenAndServeTLS("", ""))
}

// selfSigned makes a certificate for 127.0.0.1 and localhost.
func selfSigned() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "target"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
