package client

import "net/http/cookiejar"

// Sibling returns a new Client with c's settings and c's cookie jar: more connections for the
// same virtual user, so that its concurrent requests (async requests, a batch) run at once
// and share its session. The jar is safe for concurrent use; everything else stays per Client.
// Call it from c's owner goroutine.
func (c *Client) Sibling() *Client {
	s := &Client{
		timeout:      c.timeout,
		maxRedirects: c.maxRedirects,
		maxBody:      c.maxBody,
		tlsBase:      c.tlsBase,
		userAgent:    c.userAgent,
	}
	if c.jar == nil {
		c.jar, _ = cookiejar.New(nil) // never fails without options
	}
	s.jar = c.jar
	return s
}
