package client

import (
	"bufio"
	"bytes"
	"io"
	"strings"
)

// quickReceive reads a response of the common shape (HTTP/1.1, a final status, headers on
// plain lines, a Content-Length body or none, no Set-Cookie) whose status line and headers
// br already holds, straight into resp's arena. For anything else it consumes nothing and
// reports ok false, and the caller parses with fasthttp: chunked and close-delimited
// bodies, 1xx responses, cookies, folded lines, HTTP/1.0 and headers still on the wire.
// Going through fasthttp's header parser and then copying its headers out cost a twentieth
// of the CPU of a loopback request; most API responses take this path.
//
// With ok true, err is a failure reading the body, after the headers were consumed.
func (c *Client) quickReceive(br *bufio.Reader, head, reqCloses bool, resp *Response) (keep, ok bool, err error) {
	buf, _ := br.Peek(br.Buffered()) // no I/O: what is buffered already
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		return false, false, nil
	}
	status, lines, ok := statusLine(buf[:end+2])
	if !ok {
		return false, false, nil
	}
	cl, closes, nh, kv, ok := scanHeaders(lines)
	if !ok {
		return false, false, nil
	}
	if head || status == 204 || status == 304 {
		cl = 0 // no body, whatever Content-Length announces
	} else if cl < 0 {
		return false, false, nil // close-delimited
	}

	kept := min(cl, c.limit)
	hs := nh*spanSize + kv
	arena := make([]byte, hs+int(kept))
	fillSpans(arena[:hs], lines, nh)
	resp.Status, resp.arena, resp.nh = status, arena[:hs:hs], nh
	if _, err := br.Discard(end + 4); err != nil {
		return false, true, err
	}
	n, err := io.ReadFull(br, arena[hs:])
	resp.Size = int64(n)
	if n > 0 {
		resp.Body = arena[hs : hs+n : hs+n]
	}
	if err != nil {
		return false, true, err
	}
	if rest := cl - kept; rest > 0 {
		got, err := drain(io.LimitReader(br, rest))
		resp.Size += got
		if err == nil && got < rest {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return false, true, err
		}
	}
	return !closes && !reqCloses && br.Buffered() == 0, true, nil
}

// statusLine parses "HTTP/1.1 SSS reason\r\n" at the start of block and returns the status
// and the header lines after it. Only final statuses (200-999) are taken.
func statusLine(block []byte) (status int, lines []byte, ok bool) {
	line, lines, _ := bytes.Cut(block, []byte("\r\n"))
	if len(line) < 12 || string(line[:9]) != "HTTP/1.1 " || len(line) > 12 && line[12] != ' ' {
		return 0, nil, false
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, nil, false
		}
		status = status*10 + int(d-'0')
	}
	return status, lines, status >= 200
}

// scanHeaders checks header lines (each ending in CRLF) for the common shape and returns
// Content-Length (-1 when absent), whether the server closes the connection, the number of
// headers and their key and value bytes.
func scanHeaders(lines []byte) (cl int64, closes bool, nh, kv int, ok bool) {
	cl = -1
	for len(lines) > 0 {
		var line []byte
		line, lines, _ = bytes.Cut(lines, []byte("\r\n"))
		key, val, ok := headerLine(line)
		if !ok {
			return 0, false, 0, 0, false
		}
		switch {
		case asciiEqualFold(key, "Content-Length"):
			if cl >= 0 || len(val) == 0 || len(val) > 18 {
				return 0, false, 0, 0, false
			}
			cl = 0
			for _, d := range val {
				if d < '0' || d > '9' {
					return 0, false, 0, 0, false
				}
				cl = cl*10 + int64(d-'0')
			}
		case asciiEqualFold(key, "Transfer-Encoding"), asciiEqualFold(key, "Set-Cookie"), asciiEqualFold(key, "Content-Encoding"):
			return 0, false, 0, 0, false
		case asciiEqualFold(key, "Connection"):
			closes = closes || strings.Contains(strings.ToLower(string(val)), "close")
		}
		nh++
		kv += len(key) + len(val)
	}
	return cl, closes, nh, kv, true
}

// headerLine splits "Key: value" and trims the value's surrounding spaces and tabs. A line
// that starts with white space (a folded continuation) or has no key does not qualify.
// One pass by hand: bytes.IndexAny and bytes.Trim build a character set on every call.
func headerLine(line []byte) (key, val []byte, ok bool) {
	for i, b := range line {
		switch b {
		case ':':
			if i == 0 {
				return nil, nil, false
			}
			v := line[i+1:]
			for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
				v = v[1:]
			}
			for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
				v = v[:len(v)-1]
			}
			return line[:i], v, true
		case ' ', '\t':
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// fillSpans writes the span table and the keys and values of nh header lines into dst,
// laid out as Response's arena expects.
func fillSpans(dst, lines []byte, nh int) {
	off := nh * spanSize
	for i := 0; len(lines) > 0; i++ {
		var line []byte
		line, lines, _ = bytes.Cut(lines, []byte("\r\n"))
		key, val, _ := headerLine(line)
		off = putHeader(dst, i, off, key, val)
	}
}

// asciiEqualFold reports whether b equals s, ignoring ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
