package client

import (
	"net/url"
	"strings"
	"time"
)

// Request is one HTTP request; URL is absolute (http or https).
type Request struct {
	Method    string        // "" means GET
	URL       string        // absolute http:// or https:// URL
	Header    [][2]string   // in order, sent as given (names are not canonicalized)
	Body      []byte        // sent as is with Content-Length (which every method but an empty GET or HEAD carries)
	Timeout   time.Duration // 0 → Options.Timeout; covers the whole exchange including redirects
	Redirects int           // -1 → Options.MaxRedirects; 0 → do not follow; n → at most n
	// DiscardBody keeps none of the response body: it is read, counted in Size and dropped.
	DiscardBody bool
	// HTTP2 sends this request over HTTP/2 (Options.HTTP2 for one request).
	HTTP2 bool
}

// hop is one leg of a request: the original or a redirect.
type hop struct {
	method string
	url    string
	body   []byte
	// Set when a redirect turned the request into a bodiless GET: the
	// headers that described the body no longer apply.
	noBodyHeaders bool
	// Set once a redirect left the original host: credentials the script
	// gave for that host are not passed on.
	noCredentials bool
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// drops reports whether header k is left out of this hop: a redirect turned into a GET loses
// its body's headers, one to another host its credentials.
func (h *hop) drops(k string) bool {
	return h.noBodyHeaders && (strings.EqualFold(k, "Content-Type") || strings.EqualFold(k, "Content-Length") ||
		strings.EqualFold(k, "Transfer-Encoding")) ||
		h.noCredentials && (strings.EqualFold(k, "Authorization") || strings.EqualFold(k, "Cookie"))
}

// absoluteURL parses an absolute http:// or https:// URL with parse, for the paths that need
// a *url.URL (HTTP/2 and net/http), with the same errors as build's.
func absoluteURL(raw string, parse func(string) (*url.URL, error)) (u *url.URL, isTLS bool, err error) {
	isTLS = hasPrefixFold(raw, "https://")
	if !isTLS && !hasPrefixFold(raw, "http://") {
		return nil, false, &Error{Op: "url", Msg: "unsupported URL (want absolute http:// or https://)"}
	}
	if u, err = parse(raw); err != nil {
		return nil, false, &Error{Op: "url", Msg: "invalid URL", Err: err}
	}
	if u.Host == "" {
		return nil, false, &Error{Op: "url", Msg: "missing host in URL"}
	}
	return u, isTLS, nil
}

// build fills c.req for h and reports whether h goes to an https URL.
func (c *Client) build(h *hop, headers [][2]string) (tls bool, err error) {
	switch {
	case hasPrefixFold(h.url, "https://"):
		tls = true
	case hasPrefixFold(h.url, "http://"):
	default:
		return false, &Error{Op: "url", Msg: "unsupported URL (want absolute http:// or https://)"}
	}

	r := c.req
	r.Reset()
	r.Header.DisableNormalizing()
	r.Header.SetNoDefaultContentType(true)
	r.Header.SetMethod(h.method)

	// Parsing into r's own URI (not via SetRequestURI) surfaces the parse
	// error and keeps the path exactly as written.
	c.scratch = append(c.scratch[:0], h.url...)
	u := r.URI()
	if err := u.Parse(nil, c.scratch); err != nil {
		return tls, &Error{Op: "url", Msg: "invalid URL", Err: err}
	}
	u.DisablePathNormalizing = true
	if len(u.Host()) == 0 {
		return tls, &Error{Op: "url", Msg: "missing host in URL"}
	}

	var hasUA, hasHost, hasCookie, hasAE bool
	for _, kv := range headers {
		k := kv[0]
		switch {
		case h.drops(k):
			continue
		case strings.EqualFold(k, "User-Agent"):
			hasUA = true
		case strings.EqualFold(k, "Host"):
			hasHost = true
		case strings.EqualFold(k, "Cookie"):
			hasCookie = true
		case strings.EqualFold(k, "Accept-Encoding"):
			hasAE = true
		}
		r.Header.Add(k, kv[1])
	}
	r.UseHostHeader = hasHost
	if !hasUA {
		r.Header.SetUserAgent(c.userAgent)
	}
	if !hasAE {
		r.Header.Set("Accept-Encoding", acceptEncoding)
	}
	if h.body != nil {
		r.SetBodyRaw(h.body)
	}
	// Like python-requests, a Cookie header set by the script replaces the jar.
	if c.root().jar != nil && !hasCookie {
		if pu, err := c.parsedURL(h.url); err == nil {
			for _, ck := range c.root().jar.Cookies(pu) {
				r.Header.SetCookie(ck.Name, ck.Value)
			}
		}
	}
	return tls, nil
}

// parsedURL parses s with net/url, remembering the last result because the
// cookie jar asks for the same URL before and after each exchange.
func (c *Client) parsedURL(s string) (*url.URL, error) {
	if c.lastURL != nil && c.lastURLStr == s {
		return c.lastURL, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	c.lastURL, c.lastURLStr = u, s
	return u, nil
}

// isRedirect reports whether status is one that redirect follows.
func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// redirect returns the hop that follows a response with status and location
// to h, or false when status is not a redirect this client follows.
func redirect(h hop, status int, location string) (hop, bool) {
	if location == "" {
		return h, false
	}
	switch status {
	case 301, 302, 303:
		if h.method != "HEAD" {
			h.method = "GET"
		}
		h.body = nil
		h.noBodyHeaders = true
	case 307, 308:
	default:
		return h, false
	}
	base, err := url.Parse(h.url)
	if err != nil {
		return h, false
	}
	ref, err := url.Parse(location)
	if err != nil {
		return h, false
	}
	next := base.ResolveReference(ref)
	if next.Scheme != "http" && next.Scheme != "https" {
		return h, false
	}
	if next.Host != base.Host {
		h.noCredentials = true
	}
	next.Fragment = ""
	h.url = next.String()
	return h, true
}
