package client

import (
	"strings"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"
)

// Response is the outcome of Do. It owns its memory (nothing aliases the
// client's buffers), because scripts may keep it after the next request.
type Response struct {
	Status  int           // 0 on a network error
	URL     string        // final URL after redirects
	Body    []byte        // kept part of the body (at most Options.MaxBodyBytes)
	Size    int64         // total body bytes received
	Elapsed time.Duration // whole exchange incl. redirects, from before dial/write to the last body byte
	TTFB    time.Duration // to the first response byte, from the start of the last hop
	Err     error         // network/protocol error; nil when an HTTP response arrived (any status)

	// arena holds every header key and value back to back. It is allocated
	// afresh per response, together with Body, so the strings that Header
	// hands out can point into it and stay valid forever.
	arena []byte
	spans []span // offsets only, so their backing array is reused across Do calls
	hmap  map[string]string
}

// span locates one header line in the arena: key arena[k:v], value arena[v:e].
type span struct{ k, v, e uint32 }

// Header returns the value of the response header name (case-insensitive);
// several values are joined with ", ".
func (r *Response) Header(name string) string {
	var first string
	found := false
	var b strings.Builder
	for _, s := range r.spans {
		if !strings.EqualFold(r.str(s.k, s.v), name) {
			continue
		}
		v := r.str(s.v, s.e)
		switch {
		case !found:
			first, found = v, true
		case b.Len() == 0:
			b.WriteString(first)
			fallthrough
		default:
			b.WriteString(", ")
			b.WriteString(v)
		}
	}
	if b.Len() > 0 {
		return b.String()
	}
	return first
}

// Headers returns all response headers with lower-cased keys, several values
// joined with ", ". The map is built on the first call and shared by later ones.
func (r *Response) Headers() map[string]string {
	if r.hmap != nil {
		return r.hmap
	}
	m := make(map[string]string, len(r.spans))
	for _, s := range r.spans {
		k := strings.ToLower(r.str(s.k, s.v))
		if prev, ok := m[k]; ok {
			m[k] = prev + ", " + r.str(s.v, s.e)
		} else {
			m[k] = r.str(s.v, s.e)
		}
	}
	r.hmap = m
	return m
}

// str views arena[i:j] as a string without copying; the arena is never
// written again once the response is filled.
func (r *Response) str(i, j uint32) string {
	if i == j {
		return ""
	}
	return unsafe.String(&r.arena[i], int(j-i))
}

// reset clears r for a new exchange. The old arena and map are dropped, not
// cleared, because the caller may still hold strings and maps from them.
func (r *Response) reset() {
	*r = Response{spans: r.spans[:0]}
}

// headerSize is the arena space the headers of h need.
func headerSize(h *fasthttp.ResponseHeader) int {
	n := 0
	for k, v := range h.All() {
		n += len(k) + len(v)
	}
	return n
}

// keepHeaders copies the headers of h into dst (headerSize(h) bytes long),
// which becomes r's arena.
func (r *Response) keepHeaders(h *fasthttp.ResponseHeader, dst []byte) {
	r.arena = dst
	r.spans = r.spans[:0]
	off := 0
	for k, v := range h.All() {
		ko := off
		off += copy(dst[off:], k)
		vo := off
		off += copy(dst[off:], v)
		r.spans = append(r.spans, span{uint32(ko), uint32(vo), uint32(off)})
	}
}
