package web

import (
	"net"
	"strings"
)

// allowedHost tells whether a request's Host header names this server: the address it listens
// on, localhost, 127.0.0.1 or [::1], or --web-host, each with the port it listens on. A page
// on another site that rebinds its own name to 127.0.0.1 sends that name, and is refused.
// When the UI listens on every interface (0.0.0.0, ::), any IP address with the port is this
// server: rebinding needs a name, and the machine's addresses are not known here. Without
// Options.Addr there is nothing to compare with and every Host passes.
func (s *Server) allowedHost(hostHeader string) bool {
	if s.o.Addr == "" {
		return true
	}
	listenHost, port, err := net.SplitHostPort(s.o.Addr)
	if err != nil {
		return false
	}
	name, p, err := net.SplitHostPort(hostHeader)
	if err != nil {
		name, p = hostHeader, "80" // no port: the default
	}
	if p != port {
		return false
	}
	name = strings.ToLower(strings.Trim(name, "[]"))
	switch name {
	case "localhost", "127.0.0.1", "::1", strings.ToLower(listenHost):
		return true
	}
	if s.o.WebHost != "" && name == strings.ToLower(strings.Trim(s.o.WebHost, "[]")) {
		return true
	}
	if ip := net.ParseIP(listenHost); ip != nil && ip.IsUnspecified() {
		return net.ParseIP(name) != nil
	}
	return false
}
