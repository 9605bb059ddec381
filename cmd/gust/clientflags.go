package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gustload/gust/client"
	"github.com/spf13/pflag"
)

// clientFlags are the flags that configure every user's HTTP client.
type clientFlags struct {
	maxBody     string
	insecure    bool
	cacert      string
	http2       bool
	proxy       string
	resolve     []string
	noKeepAlive bool
}

// addClientFlags registers the client's flags on fs.
func addClientFlags(fs *pflag.FlagSet, f *clientFlags) {
	fs.StringVar(&f.maxBody, "max-body", "8MiB", "response body bytes kept per request (the rest is counted, then dropped)")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify TLS certificates")
	fs.BoolVar(&f.insecure, "insecure-skip-tls-verify", false, "alias of --insecure")
	fs.StringVar(&f.cacert, "cacert", "", "PEM file of CA certificates trusted besides the system's")
	fs.BoolVar(&f.http2, "http2", false, "speak HTTP/2 (ALPN on https, prior knowledge on http)")
	fs.StringVar(&f.proxy, "proxy", "", "proxy URL for every request (default: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)")
	fs.StringArrayVar(&f.resolve, "resolve", nil, "host:port:addr, connect to addr for host:port (curl's syntax)")
	fs.BoolVar(&f.noKeepAlive, "no-keepalive", false, "a new connection for every request")
}

// options turns the flags into the client's options, with timeout as the default
// per-request timeout.
func (f *clientFlags) options(timeout time.Duration) (client.Options, error) {
	o := client.Options{Timeout: timeout, HTTP2: f.http2, NoKeepAlive: f.noKeepAlive}
	n, err := byteSize(f.maxBody)
	if err != nil {
		return o, fmt.Errorf("--max-body %q: %v", f.maxBody, err)
	}
	o.MaxBodyBytes = n
	if n == 0 {
		o.MaxBodyBytes = -1 // keep nothing
	}
	if f.insecure || f.cacert != "" {
		cfg := &tls.Config{InsecureSkipVerify: f.insecure}
		if f.cacert != "" {
			pem, err := os.ReadFile(f.cacert)
			if err != nil {
				return o, fmt.Errorf("--cacert: %v", err)
			}
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return o, fmt.Errorf("--cacert %s: no PEM certificate in it", f.cacert)
			}
			cfg.RootCAs = pool
		}
		o.TLSConfig = cfg
	}
	if f.proxy != "" {
		if err := client.CheckProxy(f.proxy); err != nil {
			return o, fmt.Errorf("--proxy %q: %v", f.proxy, err)
		}
		o.Proxy = f.proxy
	}
	for _, r := range f.resolve {
		host, addr, err := parseResolve(r)
		if err != nil {
			return o, fmt.Errorf("--resolve %q: %v", r, err)
		}
		if o.Resolve == nil {
			o.Resolve = map[string]string{}
		}
		o.Resolve[host] = addr
	}
	return o, nil
}

// parseResolve reads curl's host:port:addr into "host:port" and "addr:port".
func parseResolve(s string) (hostPort, addr string, err error) {
	host, rest, ok := strings.Cut(s, ":")
	port, ip, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || host == "" || ip == "" {
		return "", "", fmt.Errorf("want host:port:addr")
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return "", "", fmt.Errorf("bad port %q", port)
	}
	ip = strings.TrimSuffix(strings.TrimPrefix(ip, "["), "]")
	return net.JoinHostPort(host, port), net.JoinHostPort(ip, port), nil
}

// byteSize parses a size: bytes, or a number with KB, MB, GB (powers of 1000) or KiB, MiB,
// GiB (powers of 1024).
func byteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}} {
		if len(t) > len(u.suffix) && strings.EqualFold(t[len(t)-len(u.suffix):], u.suffix) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || v*float64(mult) > 1<<50 {
		return 0, fmt.Errorf("want a size such as 8MiB, 500KB or 1048576")
	}
	return int64(v * float64(mult)), nil
}
