package client

import (
	"encoding/binary"
	"io"
	"slices"
	"time"

	"golang.org/x/net/http2"
)

// The frames of the response itself, HEADERS (with CONTINUATION) and DATA, are read here
// from the connection's buffer: the payload of a DATA frame goes straight into the body
// being kept, and a header block into a reused buffer. The framer reads the others.

// h2HeadLen is the length of a frame header (RFC 9113 §4.1).
const h2HeadLen = 9

// h2Head is a frame header.
type h2Head struct {
	length int
	typ    http2.FrameType
	flags  http2.Flags
	stream uint32
}

// peekHead returns the next frame's header, left in the buffer; a frame longer than the
// largest gust announced (SETTINGS_MAX_FRAME_SIZE) is a protocol error.
func (x *h2conn) peekHead() (h2Head, error) {
	b, err := x.br.Peek(h2HeadLen)
	if err != nil {
		if err == io.EOF && len(b) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return h2Head{}, err
	}
	hd := h2Head{
		length: int(b[0])<<16 | int(b[1])<<8 | int(b[2]),
		typ:    http2.FrameType(b[3]),
		flags:  http2.Flags(b[4]),
		stream: binary.BigEndian.Uint32(b[5:]) & (1<<31 - 1),
	}
	if hd.length > h2DefaultFrame {
		return hd, h2Err("a %v frame of %d bytes, over the %d-byte frames announced", hd.typ, hd.length, h2DefaultFrame)
	}
	return hd, nil
}

// h2DataIn reads the payload of a DATA frame (hd read already): the response's body up to
// the cap is kept, the rest and the padding skipped, and flow control is kept up.
func (c *Client) h2DataIn(x *h2conn, st *h2stream, hd h2Head) error {
	if hd.stream == 0 {
		return h2Err("DATA on stream 0")
	}
	var err error
	// The whole payload, padding included, counts against the windows (RFC 9113 §6.9.1).
	if x.unacked += int64(hd.length); x.unacked >= h2ConnWindow/2 {
		err = x.fr.WriteWindowUpdate(0, uint32(x.unacked))
		x.unacked = 0
	}
	data, pad := hd.length, 0
	if hd.flags.Has(http2.FlagDataPadded) {
		if data < 1 {
			return h2Err("a padded DATA frame without its pad length")
		}
		b, rerr := x.br.ReadByte()
		if rerr != nil {
			return rerr
		}
		if pad, data = int(b), data-1; pad > data {
			return h2Err("a DATA frame's padding is longer than the frame")
		}
		data -= pad
	}
	skip := pad + data
	if hd.stream == st.id {
		st.any = true
		st.size += int64(data)
		keep := min(data, max(int(c.limit)-len(x.body), 0))
		n := len(x.body)
		x.body = slices.Grow(x.body, keep)[:n+keep]
		if _, rerr := io.ReadFull(x.br, x.body[n:]); rerr != nil {
			return rerr
		}
		skip -= keep
	}
	// What is not kept (past the cap, the padding) is skipped; an earlier stream's leftovers
	// count against the connection's window only.
	if _, rerr := x.br.Discard(skip); rerr != nil {
		return rerr
	}
	if hd.stream != st.id {
		return err
	}
	if hd.flags.Has(http2.FlagDataEndStream) {
		st.done = true
	} else if st.unacked += int64(hd.length); st.unacked >= h2StreamWindow/2 && err == nil {
		err = x.fr.WriteWindowUpdate(st.id, uint32(st.unacked))
		st.unacked = 0
	}
	return err
}

// h2HeadersIn reads a HEADERS frame (its header hd read already) and the CONTINUATION frames that
// finish its header block, decodes the block, and applies it to st when it is st's.
func (c *Client) h2HeadersIn(x *h2conn, st *h2stream, hd h2Head, start time.Time) error {
	block, err := x.readHeaderBlock(hd)
	if err != nil {
		return err
	}
	mine := hd.stream == st.id
	if mine {
		st.any = true
	}
	if err = x.headerBlock(block, mine && !st.headers); err != nil {
		return err
	}
	if mine && !st.headers {
		if err = x.status(st); err != nil {
			return err
		}
		if st.headers {
			st.ttfb = time.Since(start)
		}
	}
	if mine && hd.flags.Has(http2.FlagHeadersEndStream) {
		st.done = true
	}
	if cap(x.block) > bufSize {
		x.block = nil // one huge block does not stay pinned to the connection
	}
	return nil
}

// readHeaderBlock reads the payload of the HEADERS frame hd (its header read already) and
// of the CONTINUATION frames that must follow it on the same stream into x.block, without
// the padding and priority fields (RFC 9113 §6.2), and returns the header block.
func (x *h2conn) readHeaderBlock(hd h2Head) ([]byte, error) {
	if hd.stream == 0 {
		return nil, h2Err("HEADERS on stream 0")
	}
	x.block = x.block[:0]
	for first := true; ; first = false {
		if len(x.block)+hd.length > maxHeaderBytes {
			return nil, h2Err("response headers larger than %d bytes", maxHeaderBytes)
		}
		n := len(x.block)
		x.block = slices.Grow(x.block, hd.length)[:n+hd.length]
		if _, err := io.ReadFull(x.br, x.block[n:]); err != nil {
			return nil, err
		}
		if first {
			frag := x.block[n:]
			pad := 0
			if hd.flags.Has(http2.FlagHeadersPadded) {
				if len(frag) < 1 {
					return nil, h2Err("a padded HEADERS frame without its pad length")
				}
				pad, frag = int(frag[0]), frag[1:]
			}
			if hd.flags.Has(http2.FlagHeadersPriority) {
				if len(frag) < 5 {
					return nil, h2Err("a HEADERS frame too short for its priority")
				}
				frag = frag[5:]
			}
			if pad > len(frag) {
				return nil, h2Err("a HEADERS frame's padding is longer than the frame")
			}
			x.block = x.block[:n+copy(x.block[n:], frag[:len(frag)-pad])]
		}
		if hd.flags.Has(http2.FlagHeadersEndHeaders) { // the same bit as CONTINUATION's END_HEADERS
			return x.block, nil
		}
		next, err := x.peekHead()
		if err != nil {
			return nil, err
		}
		if next.typ != http2.FrameContinuation || next.stream != hd.stream {
			return nil, h2Err("a %v frame on stream %d where the CONTINUATION of stream %d's headers was due", next.typ, next.stream, hd.stream)
		}
		_, _ = x.br.Discard(h2HeadLen)
		hd = next
	}
}

// headerBlock decodes a whole header block into x.fields when keep; every block is decoded,
// whatever its stream, because HPACK's table depends on all of them. A block that fails
// leaves the table in no known state: the error ends the connection.
func (x *h2conn) headerBlock(block []byte, keep bool) error {
	fields, err := x.dec.decode(block, keep, x.fields[:0], maxHeaderBytes)
	if err != nil {
		return h2Err("response headers: %v", err)
	}
	if keep {
		x.fields = fields
	}
	return nil
}
