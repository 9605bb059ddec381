package client

import (
	"encoding/binary"
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
	End     time.Time     // when the exchange ended (the last body byte, or the failure)
	TTFB    time.Duration // to the first response byte, from the start of the last hop
	Proto   string        // "HTTP/1.1", "HTTP/2.0" (or "HTTP/1.0")
	// TLSHandshake is how long the TLS handshake of the last hop's connection took; 0 when
	// the connection was kept from an earlier request or is not TLS.
	TLSHandshake time.Duration
	Err          error // network/protocol error; nil when an HTTP response arrived (any status)

	// arena is one allocation per response: a table of nh header spans, then
	// every header key and value back to back, then Body. It is allocated
	// afresh per response so that the strings Header hands out can point into
	// it and stay valid forever; the table lives in it (as plain bytes) so that
	// a response costs one allocation however many headers it has.
	arena []byte
	nh    int
	hmap  map[string]string
}

// Truncated reports whether part of the body was not kept (the body cap, or DiscardBody).
func (r *Response) Truncated() bool { return r.Size > int64(len(r.Body)) }

// spanSize is the bytes one span takes in the arena: three little-endian uint32.
const spanSize = 12

// span locates one header line in the arena: key arena[k:v], value arena[v:e].
type span struct{ k, v, e uint32 }

// span returns the i-th header span.
func (r *Response) span(i int) span {
	b := r.arena[i*spanSize : i*spanSize+spanSize]
	return span{binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])}
}

// Header returns the value of the response header name (case-insensitive);
// several values are joined with ", ".
func (r *Response) Header(name string) string {
	var first string
	found := false
	var b strings.Builder
	for i := range r.nh {
		s := r.span(i)
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
	m := make(map[string]string, r.nh)
	for i := range r.nh {
		s := r.span(i)
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

// setEnd records that the exchange begun at start ended at end.
func (r *Response) setEnd(start, end time.Time) {
	r.End = end
	r.Elapsed = end.Sub(start)
}

// reset clears r for a new exchange. The old arena and map are dropped, not
// cleared, because the caller may still hold strings and maps from them.
func (r *Response) reset() {
	*r = Response{}
}

// headerSize is the arena space the headers of h need, span table included.
func headerSize(h *fasthttp.ResponseHeader) int {
	n := 0
	for k, v := range h.All() {
		n += spanSize + len(k) + len(v)
	}
	return n
}

// keepHeaders copies the headers of h into dst (headerSize(h) bytes long),
// which becomes r's arena.
func (r *Response) keepHeaders(h *fasthttp.ResponseHeader, dst []byte) {
	n := 0
	for k, v := range h.All() {
		n += len(k) + len(v)
	}
	r.nh = (len(dst) - n) / spanSize
	r.arena = dst
	i, off := 0, r.nh*spanSize
	for k, v := range h.All() {
		off = putHeader(dst, i, off, k, v)
		i++
	}
}

// putHeader copies header i's key and value into dst at off, records their span in the
// table at the head of dst, and returns the offset after them.
func putHeader[T string | []byte](dst []byte, i, off int, k, v T) int {
	ko := off
	off += copy(dst[off:], k)
	vo := off
	off += copy(dst[off:], v)
	t := dst[i*spanSize:]
	binary.LittleEndian.PutUint32(t, uint32(ko))
	binary.LittleEndian.PutUint32(t[4:], uint32(vo))
	binary.LittleEndian.PutUint32(t[8:], uint32(off))
	return off
}
