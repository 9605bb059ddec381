package client

import (
	"bufio"
	"slices"
)

// A user that repeats a request (the same method, URL and headers, no body, no cookies)
// sends the same bytes every time. Building them anew parses the URL and fills a request
// header: a twentieth of the CPU of a request on loopback. The client keeps the bytes of
// its last few such requests and sends them again.

// cachedRequests is how many distinct requests a client remembers: a task list of a few
// endpoints stays cached, and an idle user holds at most this many (a few hundred bytes each).
const cachedRequests = 4

// sentRequest is one remembered request and what building it found out.
type sentRequest struct {
	method, url string
	headers     [][2]string // a copy: the caller may reuse its slice
	wire        []byte      // the request as sent
	key         string      // the connection key, "scheme://host:port"
	tls         bool
	head        bool // a HEAD request: the response has no body
	closes      bool // the request asked for Connection: close
}

// matches reports whether s was built from the same method, URL and headers.
func (s *sentRequest) matches(h *hop, headers [][2]string) bool {
	return s.url == h.url && s.method == h.method && slices.Equal(s.headers, headers)
}

// cacheable reports whether h's bytes depend on nothing but method, URL and headers.
func (c *Client) cacheable(h *hop) bool {
	return h.body == nil && c.root().jar == nil && !h.noBodyHeaders && !h.noCredentials
}

// worthRemembering reports whether h's URL came up among the last few cacheable requests
// that were not remembered, and notes it otherwise: a script whose URLs never repeat
// (/items/1, /items/2, ...) then builds each request as before, without the copy.
func (c *Client) worthRemembering(h *hop) bool {
	for _, u := range c.seenURLs {
		if u == h.url {
			return true
		}
	}
	c.seenURLs[c.nextSeen] = h.url
	c.nextSeen = (c.nextSeen + 1) % cachedRequests
	return false
}

// sent returns the remembered request for h, or nil.
func (c *Client) sent(h *hop, headers [][2]string) *sentRequest {
	if !c.cacheable(h) {
		return nil
	}
	for i := range c.sentReqs {
		if s := c.sentReqs[i]; s != nil && s.matches(h, headers) {
			return s
		}
	}
	return nil
}

// remember serializes c.req, which was built from h, and keeps it for the next time.
func (c *Client) remember(h *hop, headers [][2]string, isTLS, head, closes bool) (*sentRequest, error) {
	var sink appendWriter
	bw := writers.Get().(*bufio.Writer)
	bw.Reset(&sink)
	err := c.req.Write(bw)
	if err == nil {
		err = bw.Flush()
	}
	bw.Reset(nil)
	writers.Put(bw)
	if err != nil {
		return nil, err
	}
	s := &sentRequest{method: h.method, url: h.url, headers: slices.Clone(headers), wire: sink.b,
		key: string(c.key), tls: isTLS, head: head, closes: closes}
	c.sentReqs[c.nextSent] = s
	c.nextSent = (c.nextSent + 1) % cachedRequests
	return s, nil
}

// appendWriter collects what is written to it.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
