package client

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// A user that repeats a request over HTTP/2 would HPACK-encode the same header list every
// time: a search of the encoder's tables per field, a tenth of the client's CPU per request.
// Once every field of a list is in the connection's table, its block is nothing but index
// references, and it stays the same bytes for as long as the table does not change: the
// connection keeps the last few such blocks and sends them again. The table changes only
// when an encoding inserts a field (or resizes the table); each such encoding starts a new
// epoch, and a block is reused only within the epoch it was made in.

// h2Block is one remembered header block.
type h2Block struct {
	method, url string
	headers     [][2]string // a copy: the caller may reuse its slice
	block       []byte
	epoch       uint64
}

// cachedBlock returns the remembered block for the request, or nil.
func (x *h2conn) cachedBlock(c *Client, h *hop, headers [][2]string) []byte {
	if !c.cacheable(h) {
		return nil
	}
	for i := range x.blocks {
		b := &x.blocks[i]
		if b.block != nil && b.epoch == x.epoch && b.url == h.url && b.method == h.method && slices.Equal(b.headers, headers) {
			return b.block
		}
	}
	return nil
}

// noteBlock records an encoded block: one that changed the table starts a new epoch; one
// that did not is remembered, when the request's bytes depend on nothing else.
func (x *h2conn) noteBlock(c *Client, h *hop, headers [][2]string, block []byte) {
	if !onlyReferences(block) {
		x.epoch++
		return
	}
	if !c.cacheable(h) {
		return
	}
	b := &x.blocks[x.nextBlock]
	x.nextBlock = (x.nextBlock + 1) % len(x.blocks)
	b.method, b.url, b.epoch = h.method, h.url, x.epoch
	b.headers = append(b.headers[:0], headers...)
	b.block = append(b.block[:0], block...)
}

// onlyReferences reports whether an encoded block left the encoder's dynamic table as it
// was: it holds no literal with incremental indexing and no table size update (RFC 7541
// §6). Fields too large for the table come as literals without indexing and change nothing.
func onlyReferences(block []byte) bool {
	for len(block) > 0 {
		b := block[0]
		switch {
		case b&0x80 != 0: // indexed field
			block = skipInt(block, 7)
		case b&0xc0 == 0x40, b&0xe0 == 0x20: // incremental indexing; size update
			return false
		default: // literal without indexing or never indexed: 4-bit name index
			name := b & 0x0f
			block = skipInt(block, 4)
			if name == 0 {
				block = skipString(block)
			}
			block = skipString(block)
		}
		if block == nil {
			return false // malformed: never reuse it
		}
	}
	return true
}

// skipInt skips an HPACK integer with an n-bit prefix; nil when it is cut short.
func skipInt(b []byte, n uint) []byte {
	if len(b) == 0 {
		return nil
	}
	if b[0]&(1<<n-1) != 1<<n-1 {
		return b[1:]
	}
	for i := 1; i < len(b); i++ {
		if b[i]&0x80 == 0 {
			return b[i+1:]
		}
	}
	return nil
}

// skipString skips an HPACK string literal; nil when it is cut short.
func skipString(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	n := uint64(b[0] & 0x7f)
	rest := skipInt(b, 7)
	if rest == nil {
		return nil
	}
	if n == 0x7f {
		n = 0
		for i, c := range b[1 : len(b)-len(rest)] {
			if i >= 4 {
				return nil // longer than any block gust writes
			}
			n |= uint64(c&0x7f) << (7 * i)
		}
		n += 0x7f
	}
	if uint64(len(rest)) < n {
		return nil
	}
	return rest[n:]
}

// h2Headers writes the request's HEADERS (and CONTINUATION) frames for stream id.
func (c *Client) h2Headers(x *h2conn, h *hop, headers [][2]string, u *url.URL, id uint32) error {
	block := x.cachedBlock(c, h, headers)
	if block == nil {
		block = c.h2Encode(x, h, headers, u)
		x.noteBlock(c, h, headers, block)
	}
	end := len(h.body) == 0
	n := min(len(block), x.maxSend)
	err := x.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: block[:n], EndStream: end, EndHeaders: n == len(block)})
	for block = block[n:]; err == nil && len(block) > 0; block = block[n:] {
		n = min(len(block), x.maxSend)
		err = x.fr.WriteContinuation(id, n == len(block), block[:n])
	}
	return err
}

// h2Encode HPACK-encodes the request's header list into x.hbuf and returns it.
func (c *Client) h2Encode(x *h2conn, h *hop, headers [][2]string, u *url.URL) []byte {
	x.hbuf.Reset()
	field := func(k, v string) { _ = x.enc.WriteField(hpack.HeaderField{Name: k, Value: v}) }
	authority := u.Host
	for _, kv := range headers {
		if strings.EqualFold(kv[0], "Host") {
			authority = kv[1]
		}
	}
	field(":method", h.method)
	field(":scheme", u.Scheme)
	field(":authority", authority)
	field(":path", u.RequestURI())
	var hasUA, hasAE, hasCookie bool
	for _, kv := range headers {
		k := kv[0]
		switch {
		case h.drops(k):
			continue
		case strings.EqualFold(k, "Host") || strings.EqualFold(k, "Content-Length") || connectionSpecific(k):
			continue // HTTP/2 carries these in pseudo-headers and framing, or forbids them
		case strings.EqualFold(k, "User-Agent"):
			hasUA = true
		case strings.EqualFold(k, "Accept-Encoding"):
			hasAE = true
		case strings.EqualFold(k, "Cookie"):
			hasCookie = true
		}
		field(lowerASCII(k), kv[1])
	}
	if !hasUA {
		field("user-agent", c.userAgent)
	}
	if !hasAE {
		field("accept-encoding", acceptEncoding)
	}
	if c.root().jar != nil && !hasCookie {
		for _, ck := range c.root().jar.Cookies(u) {
			field("cookie", ck.Name+"="+ck.Value)
		}
	}
	if len(h.body) > 0 || h.body != nil && (h.method == "POST" || h.method == "PUT" || h.method == "PATCH") {
		field("content-length", strconv.Itoa(len(h.body)))
	}
	return x.hbuf.Bytes()
}

// connectionSpecific reports whether k is a header HTTP/2 forbids (RFC 9113 §8.2.2).
func connectionSpecific(k string) bool {
	for _, f := range [...]string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "TE"} {
		if strings.EqualFold(k, f) {
			return true
		}
	}
	return false
}

// lowerASCII is k in lower case, k itself when it already is (HTTP/2 field names are
// lower-case).
func lowerASCII(k string) string {
	for i := 0; i < len(k); i++ {
		if 'A' <= k[i] && k[i] <= 'Z' {
			return strings.ToLower(k)
		}
	}
	return k
}
