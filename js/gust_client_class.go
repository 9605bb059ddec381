package js

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
)

// classClient is what a User class's statics make of the test's client options: read once
// per class (certificate files included) and shared by every user of the class.
type classClient struct {
	opts client.Options
	auth string // Authorization header from static auth; "" for none
}

// classClients caches classClient by test and class; Test is another file's type, and
// the cache is all this file adds to it.
var classClients sync.Map // classKey → *classClient

type classKey struct {
	t     *Test
	class int
}

// clientFor returns the client options and default Authorization of a user of class, whose
// constructor ctor is in v's runtime.
func (t *Test) clientFor(v *vu, class int, ctor *goja.Object) (*classClient, error) {
	key := classKey{t, class}
	if cc, ok := classClients.Load(key); ok {
		return cc.(*classClient), nil
	}
	cc, err := readClassClient(v.rt, ctor, t.cfg.Client, t.s.dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %v", t.s.Path, t.classes[class].Name, err)
	}
	got, _ := classClients.LoadOrStore(key, cc)
	return got.(*classClient), nil
}

// static returns a class's static property, or nil when it is not set.
func static(o *goja.Object, name string) goja.Value {
	v := o.Get(name)
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	return v
}

// readClassClient applies a class's statics — tls, http2, proxy, auth, hosts, keepAlive,
// discardBody — to base. File paths are relative to dir, the script's folder.
func readClassClient(rt *goja.Runtime, ctor *goja.Object, base client.Options, dir string) (*classClient, error) {
	cc := &classClient{opts: base}
	o := &cc.opts
	if v := static(ctor, "tls"); v != nil {
		cfg, err := tlsConfig(rt, v, base.TLSConfig, dir)
		if err != nil {
			return nil, fmt.Errorf("static tls: %v", err)
		}
		o.TLSConfig = cfg
	}
	if v := static(ctor, "http2"); v != nil {
		o.HTTP2 = v.ToBoolean()
	}
	if v := static(ctor, "proxy"); v != nil {
		if err := client.CheckProxy(v.String()); err != nil {
			return nil, fmt.Errorf("static proxy %q: %v", v.String(), err)
		}
		o.Proxy = v.String()
	}
	if v := static(ctor, "keepAlive"); v != nil {
		o.NoKeepAlive = !v.ToBoolean()
	}
	if v := static(ctor, "discardBody"); v != nil {
		o.DiscardBody = v.ToBoolean()
	}
	if v := static(ctor, "auth"); v != nil {
		a, err := basicAuth(rt, v)
		if err != nil {
			return nil, fmt.Errorf("static auth: %v", err)
		}
		cc.auth = a
	}
	if v := static(ctor, "hosts"); v != nil {
		hosts := v.ToObject(rt)
		m := map[string]string{}
		for k, a := range base.Resolve {
			m[k] = a
		}
		for _, k := range hosts.Keys() {
			addr := hosts.Get(k).String()
			ports := []string{"80", "443"}
			name := k
			if h, p, err := net.SplitHostPort(k); err == nil {
				name, ports = h, []string{p}
			}
			for _, p := range ports {
				to := addr
				if _, _, err := net.SplitHostPort(addr); err != nil {
					to = net.JoinHostPort(strings.Trim(addr, "[]"), p)
				}
				m[net.JoinHostPort(name, p)] = to
			}
		}
		o.Resolve = m
	}
	return cc, nil
}

// tlsConfig builds a TLS config from { insecure, ca, cert, key, serverName, minVersion }
// over base (the command line's).
func tlsConfig(rt *goja.Runtime, v goja.Value, base *tls.Config, dir string) (*tls.Config, error) {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	o := v.ToObject(rt)
	path := func(name string) string {
		p := o.Get(name).String()
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return p
	}
	var certFile, keyFile string
	for _, k := range o.Keys() {
		val := o.Get(k)
		if goja.IsUndefined(val) || goja.IsNull(val) {
			continue
		}
		switch k {
		case "insecure":
			cfg.InsecureSkipVerify = val.ToBoolean()
		case "ca":
			pem, err := os.ReadFile(path(k))
			if err != nil {
				return nil, err
			}
			pool := cfg.RootCAs
			if pool == nil {
				if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
					pool = x509.NewCertPool()
				}
			} else {
				pool = pool.Clone()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("ca %s: no PEM certificate in it", path(k))
			}
			cfg.RootCAs = pool
		case "cert":
			certFile = path(k)
		case "key":
			keyFile = path(k)
		case "serverName":
			cfg.ServerName = val.String()
		case "minVersion":
			switch val.String() {
			case "1.0":
				cfg.MinVersion = tls.VersionTLS10
			case "1.1":
				cfg.MinVersion = tls.VersionTLS11
			case "1.2":
				cfg.MinVersion = tls.VersionTLS12
			case "1.3":
				cfg.MinVersion = tls.VersionTLS13
			default:
				return nil, fmt.Errorf("minVersion %q (want \"1.2\" or \"1.3\")", val.String())
			}
		default:
			return nil, fmt.Errorf("unknown key %q (known: insecure, ca, cert, key, serverName, minVersion)", k)
		}
	}
	if (certFile == "") != (keyFile == "") {
		return nil, fmt.Errorf("cert and key go together")
	}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// basicAuth turns ["user", "pass"] into an Authorization header value.
func basicAuth(rt *goja.Runtime, v goja.Value) (string, error) {
	arr, ok := v.Export().([]any)
	if !ok || len(arr) != 2 {
		return "", fmt.Errorf("%s is not [user, password]", v.String())
	}
	cred := fmt.Sprint(arr[0]) + ":" + fmt.Sprint(arr[1])
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(cred)), nil
}

// variant returns the client for requests with their own tls and/or proxy options: derived
// from the user's (same cookie jar, aborted with it), built once per distinct setting.
func (v *vu) variant(tlsVal, proxyVal goja.Value) (*client.Client, error) {
	rt := v.rt
	key := ""
	set := func(x goja.Value) bool { return x != nil && !goja.IsUndefined(x) && !goja.IsNull(x) }
	if set(tlsVal) {
		j, err := jsonOf(rt, tlsVal)
		if err != nil {
			return nil, fmt.Errorf("tls: %v", err)
		}
		key = "tls:" + j
	}
	if set(proxyVal) {
		key += "\x00proxy:" + proxyVal.String()
	}
	if cl, ok := v.variants[key]; ok {
		return cl, nil
	}
	opts := v.t.cfg.Client
	if v.cc != nil {
		opts = v.cc.opts
	}
	if set(tlsVal) {
		cfg, err := tlsConfig(rt, tlsVal, opts.TLSConfig, v.s.dir)
		if err != nil {
			return nil, fmt.Errorf("tls: %v", err)
		}
		opts.TLSConfig = cfg
	}
	if set(proxyVal) {
		if err := client.CheckProxy(proxyVal.String()); err != nil {
			return nil, fmt.Errorf("proxy %q: %v", proxyVal.String(), err)
		}
		opts.Proxy = proxyVal.String()
	}
	return v.derive(key, opts), nil
}

// derive returns a client sharing the user's cookies with opts of its own, kept under key
// so that the requests asking for the same settings share its connections.
func (b *clientBinding) derive(key string, opts client.Options) *client.Client {
	if b.variants == nil {
		b.variants = map[string]*client.Client{}
	}
	cl := b.client.Derive(opts)
	b.variants[key] = cl
	return cl
}
