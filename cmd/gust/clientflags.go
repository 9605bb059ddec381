package main

import (
	"github.com/gustload/gust/client"
	"github.com/spf13/pflag"
)

// addClientFlags registers the client's flags on fs; client.Settings.Options checks them.
func addClientFlags(fs *pflag.FlagSet, f *client.Settings) {
	fs.StringVar(&f.MaxBody, "max-body", "8MiB", "response body bytes kept per request (the rest is counted, then dropped)")
	fs.BoolVar(&f.Insecure, "insecure", false, "do not verify TLS certificates")
	fs.BoolVar(&f.Insecure, "insecure-skip-tls-verify", false, "alias of --insecure")
	fs.StringVar(&f.CACert, "cacert", "", "PEM file of CA certificates trusted besides the system's")
	fs.BoolVar(&f.HTTP2, "http2", false, "speak HTTP/2 (ALPN on https, prior knowledge on http)")
	fs.StringVar(&f.Proxy, "proxy", "", "proxy URL for every request (default: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)")
	fs.StringArrayVar(&f.Resolve, "resolve", nil, "host:port:addr, connect to addr for host:port (curl's syntax)")
	fs.BoolVar(&f.NoKeepAlive, "no-keepalive", false, "a new connection for every request")
}
