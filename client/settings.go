package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Settings are the command line's client flags (--max-body, --insecure, --cacert, --http2,
// --proxy, --resolve, --no-keepalive) as given, before they are checked.
type Settings struct {
	MaxBody     string
	Insecure    bool
	CACert      string
	HTTP2       bool
	Proxy       string
	Resolve     []string
	NoKeepAlive bool
}

// Options turns the settings into a client's options, with timeout as the default
// per-request timeout; an error names the flag and its value.
func (f *Settings) Options(timeout time.Duration) (Options, error) {
	o := Options{Timeout: timeout, HTTP2: f.HTTP2, NoKeepAlive: f.NoKeepAlive}
	n, err := byteSize(f.MaxBody)
	if err != nil {
		return o, fmt.Errorf("--max-body %q: %v", f.MaxBody, err)
	}
	o.MaxBodyBytes = n
	if n == 0 {
		o.MaxBodyBytes = -1 // keep nothing
	}
	if f.Insecure || f.CACert != "" {
		cfg := &tls.Config{InsecureSkipVerify: f.Insecure}
		if f.CACert != "" {
			pem, err := os.ReadFile(f.CACert)
			if err != nil {
				return o, fmt.Errorf("--cacert: %v", err)
			}
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return o, fmt.Errorf("--cacert %s: no PEM certificate in it", f.CACert)
			}
			cfg.RootCAs = pool
		}
		o.TLSConfig = cfg
	}
	if f.Proxy != "" {
		if err := CheckProxy(f.Proxy); err != nil {
			return o, fmt.Errorf("--proxy %q: %v", f.Proxy, err)
		}
		o.Proxy = f.Proxy
	}
	for _, r := range f.Resolve {
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
