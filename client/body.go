package client

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"slices"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// readBody reads the whole body from stream (nil when the response has none),
// keeping at most c.limit bytes. Headers and kept body share one allocation.
func (c *Client) readBody(stream io.Reader, resp *Response) error {
	hdr := &c.resp.Header
	if stream == nil {
		resp.keepHeaders(hdr, make([]byte, headerSize(hdr)))
		return nil
	}

	if cl := hdr.ContentLength(); cl >= 0 {
		keep := min(int64(cl), c.limit)
		hs := headerSize(hdr)
		buf := make([]byte, hs+int(keep))
		n, err := io.ReadFull(stream, buf[hs:])
		resp.Size = int64(n)
		if err != nil {
			return err
		}
		rest, err := drain(stream)
		resp.Size += rest
		if err != nil {
			return err
		}
		resp.keepHeaders(hdr, buf[:hs:hs])
		if n > 0 {
			resp.Body = buf[hs : hs+n : hs+n]
		}
		return nil
	}

	// Unknown length (chunked or until close): collect in a pooled buffer, then copy once the
	// size is known. A body that outgrew what the pool keeps is handed over as it is instead:
	// a copy would hold it twice, and users reading big bodies at once would add that up.
	bp := bodies.Get().(*[]byte)
	b, eof, err := fill((*bp)[:0], stream, int(c.limit))
	resp.Size = int64(len(b))
	if err == nil && !eof {
		var rest int64
		rest, err = drain(stream)
		resp.Size += rest
	}
	pooled := cap(b) <= maxPooledBody
	if err == nil {
		// Trailers, if any, were parsed at the end of the stream; take them too.
		hs := headerSize(hdr)
		if pooled {
			buf := make([]byte, hs+len(b))
			resp.keepHeaders(hdr, buf[:hs:hs])
			if len(b) > 0 {
				copy(buf[hs:], b)
				resp.Body = buf[hs:]
			}
		} else {
			resp.keepHeaders(hdr, make([]byte, hs))
			resp.Body = b[:len(b):len(b)]
		}
	}
	if pooled {
		*bp = b[:0]
		bodies.Put(bp)
	}
	return err
}

// fill appends from r to b until limit bytes, EOF (reported) or an error.
func fill(b []byte, r io.Reader, limit int) ([]byte, bool, error) {
	for len(b) < limit {
		if len(b) == cap(b) {
			b = slices.Grow(b, min(limit-len(b), max(cap(b), bufSize)))
		}
		n, err := r.Read(b[len(b):min(cap(b), limit)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, true, nil
		}
		if err != nil {
			return b, false, err
		}
	}
	return b, false, nil
}

// drain reads r to EOF and returns how many bytes it threw away.
func drain(r io.Reader) (int64, error) {
	buf := drains.Get().(*[drainSize]byte)
	defer drains.Put(buf)
	var total int64
	for {
		n, err := r.Read(buf[:])
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// acceptEncoding is what requests accept unless the script says otherwise; every one of
// these is decoded before the script sees the body.
const acceptEncoding = "gzip, deflate, br, zstd"

// decodeInPlace replaces resp's body, encoded as enc (a Content-Encoding), by its decoded
// form: at most c.limit bytes kept, Size the whole decoded size (as Locust records it).
// Decoding is streamed and what is beyond the cap is counted and dropped, so a small body
// that expands without end (a "zip bomb") costs time, never memory. An encoding it does not
// know, or a body not kept, is left as it is.
func (c *Client) decodeInPlace(resp *Response, enc, addr string) error {
	if len(resp.Body) == 0 || enc == "" {
		return nil
	}
	src := bytes.NewReader(resp.Body)
	var (
		r   io.Reader
		err error
	)
	switch e := strings.ToLower(strings.TrimSpace(enc)); e {
	case "gzip", "x-gzip":
		r, err = gzip.NewReader(src)
	case "deflate":
		// RFC 9110's deflate is zlib-wrapped; many servers send raw deflate instead.
		if zr, zerr := zlib.NewReader(bytes.NewReader(resp.Body)); zerr == nil {
			r = zr
		} else {
			r = flate.NewReader(src)
		}
	case "br":
		r = brotli.NewReader(src)
	case "zstd":
		d, derr := zstd.NewReader(src, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(64<<20))
		if derr == nil {
			defer d.Close()
			r = d
		}
		err = derr
	default:
		return nil
	}
	if err == nil {
		var (
			out []byte
			eof bool
		)
		out, eof, err = fill(nil, r, int(c.limit))
		size := int64(len(out))
		if err == nil && !eof {
			var rest int64
			rest, err = drain(r)
			size += rest
		}
		if err == nil {
			resp.Body, resp.Size = out[:len(out):len(out)], size
			if len(out) == 0 {
				resp.Body = nil
			}
			return nil
		}
	}
	return &Error{Op: "read", Addr: addr, Msg: "cannot decode the " + enc + " body", Err: err}
}
