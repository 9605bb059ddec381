package js

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// TestStaticTLSAndHTTP2: a class's static tls (ca, cert, key as files next to the script)
// reaches a server that requires a client certificate, and static http2 speaks HTTP/2.
func TestStaticTLSAndHTTP2(t *testing.T) {
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	caCert, _ := x509.ParseCertificate(caDER)
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	issue := func(cn string, usage x509.ExtKeyUsage) (tls.Certificate, []byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, _ := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		kb, _ := x509.MarshalECPrivateKey(key)
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
			pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	}
	srvCert, _, _ := issue("server", x509.ExtKeyUsageServerAuth)
	_, cliPEM, cliKey := issue("gust-client", x509.ExtKeyUsageClientAuth)
	for name, b := range map[string][]byte{"ca.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), "client.pem": cliPEM, "client-key.pem": cliKey} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto+" "+r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	ts.EnableHTTP2 = true
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	ts.StartTLS()
	defer ts.Close()

	script := filepath.Join(dir, "tls.js")
	os.WriteFile(script, []byte(`import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0);
  static tls = { ca: "ca.pem", cert: "client.pem", key: "client-key.pem" };
  static http2 = true;
  static tasks = { a: 1 };
  a() {
    const r = this.client.get("/");
    if (r.text !== "HTTP/2.0 gust-client" || r.proto !== "HTTP/2.0") throw new Error("got " + r.status + " " + r.text + " " + r.error);
  }
}
`), 0o644)
	s, err := Load(script, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := NewTest(s, TestConfig{Host: ts.URL, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	engine.NewRunner(test, engine.Config{Users: 2, Iterations: 6, StopTimeout: 5 * time.Second}).Run(context.Background())
	snap := stats.Snapshot()
	if len(snap.Exceptions) > 0 || snap.Total.Requests != 6 || snap.Total.Failures != 0 {
		t.Fatalf("%d requests, %d failures, exceptions %+v", snap.Total.Requests, snap.Total.Failures, snap.Exceptions)
	}
}
