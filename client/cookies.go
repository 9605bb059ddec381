package client

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"
)

// Cookie returns the value of the cookie name that a request to rawURL would send.
func (c *Client) Cookie(rawURL, name string) (string, bool) {
	for _, ck := range c.cookiesFor(rawURL) {
		if ck.Name == name {
			return ck.Value, true
		}
	}
	return "", false
}

// Cookies returns the cookies a request to rawURL would send, by name.
func (c *Client) Cookies(rawURL string) map[string]string {
	out := map[string]string{}
	for _, ck := range c.cookiesFor(rawURL) {
		out[ck.Name] = ck.Value
	}
	return out
}

func (c *Client) cookiesFor(rawURL string) []*http.Cookie {
	if c.root().jar == nil {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	return c.root().jar.Cookies(u)
}

// SetCookie puts a cookie into the jar as if rawURL's server had set it; domain and path
// may be empty (the URL's host only, and "/").
func (c *Client) SetCookie(rawURL, name, value, domain, path string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	if path == "" {
		path = "/"
	}
	c.jarFor().SetCookies(u, []*http.Cookie{{Name: name, Value: value, Domain: domain, Path: path}})
	return nil
}

// DeleteCookie removes the cookie name that rawURL's requests would send.
func (c *Client) DeleteCookie(rawURL, name, path string) {
	if c.root().jar == nil {
		return
	}
	if u, err := url.Parse(rawURL); err == nil {
		if path == "" {
			path = "/"
		}
		c.root().jar.SetCookies(u, []*http.Cookie{{Name: name, Path: path, Expires: time.Unix(1, 0), MaxAge: -1}})
	}
}

// ClearCookies empties the jar. Without a jar, repeated requests are sent from remembered
// bytes again (reqcache.go).
func (c *Client) ClearCookies() { c.root().jar = nil }

// root is the Client whose cookie jar c uses: c itself, or the Client it was derived from.
func (c *Client) root() *Client {
	if c.parent != nil {
		return c.parent
	}
	return c
}

// Derive returns a Client with its own options and connections (a request's own TLS
// settings or proxy, say) that shares c's cookie jar and is aborted and closed with c.
func (c *Client) Derive(opts Options) *Client {
	d := New(opts)
	d.parent = c.root()
	c.mu.Lock()
	c.derived = append(c.derived, d)
	c.mu.Unlock()
	if c.aborted.Load() {
		d.Abort()
	}
	return d
}

// jarFor returns the cookie jar, created on first use.
func (c *Client) jarFor() *cookiejar.Jar {
	if c.root().jar == nil {
		c.root().jar, _ = cookiejar.New(nil) // never fails without options
	}
	return c.root().jar
}

// storeCookies puts the response's Set-Cookie headers into the jar.
func (c *Client) storeCookies(target string) {
	var cookies []*http.Cookie
	for _, v := range c.resp.Header.Cookies() {
		if ck, err := http.ParseSetCookie(string(v)); err == nil {
			cookies = append(cookies, ck)
		}
	}
	if len(cookies) == 0 {
		return
	}
	u, err := c.parsedURL(target)
	if err != nil {
		return
	}
	c.jarFor().SetCookies(u, cookies)
}
