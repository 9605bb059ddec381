package client

import (
	"bufio"
	"bytes"
	"maps"
	"strings"
	"testing"
	"time"
)

// TestQuickPathAgreesWithFasthttp parses each response both ways, from the same bytes, and
// wants the same status, size, body, headers and keep-alive verdict; the shapes the quick
// path leaves to fasthttp must be left untouched.
func TestQuickPathAgreesWithFasthttp(t *testing.T) {
	big := strings.Repeat("z", 100)
	tests := []struct {
		name  string
		raw   string
		head  bool
		quick bool
	}{
		{"plain", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", false, true},
		{"no reason, lower-case names, odd spacing", "HTTP/1.1 404\r\ncontent-length:5\r\nx-a: \t v w \t\r\n\r\nnope!", false, true},
		{"repeated header", "HTTP/1.1 200 OK\r\nX-M: a\r\nX-M: b\r\nContent-Length: 0\r\n\r\n", false, true},
		{"body over the cap", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + big, false, true},
		{"HEAD announces a length", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true, true},
		{"204 without length", "HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n", false, true},
		{"304 with length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", false, true},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx", false, true},
		{"leftover bytes", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy", false, true},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", false, false},
		{"cookie", "HTTP/1.1 200 OK\r\nSet-Cookie: a=b\r\nContent-Length: 0\r\n\r\n", false, false},
		{"close-delimited", "HTTP/1.1 200 OK\r\n\r\nuntil close", false, false},
		{"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"100 continue first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, false},
		{"folded line", "HTTP/1.1 200 OK\r\nX-F: a\r\n b\r\nContent-Length: 0\r\n\r\n", false, false},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", false, false},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nx", false, false},
		{"headers not all here", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n", false, false},
	}
	reader := func(raw string) *bufio.Reader {
		br := bufio.NewReaderSize(bytes.NewReader([]byte(raw)), bufSize)
		br.Peek(1) // buffer what there is, as the client's first read does
		return br
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{MaxBodyBytes: 40})
			var quick, slow Response
			br := reader(tt.raw)
			before := br.Buffered()
			qkeep, ok, qerr := c.quickReceive(br, tt.head, false, &quick)
			if ok != tt.quick {
				t.Fatalf("quick path taken: %v, want %v", ok, tt.quick)
			}
			if !ok {
				if br.Buffered() != before {
					t.Fatalf("declined after consuming %d bytes", before-br.Buffered())
				}
				return
			}
			_, skeep, serr := c.parseReceive(&hop{url: "http://h/"}, reader(tt.raw), tt.head, false, time.Time{}, &slow)
			if (qerr == nil) != (serr == nil) || qkeep != skeep {
				t.Fatalf("quick: keep %v err %v; fasthttp: keep %v err %v", qkeep, qerr, skeep, serr)
			}
			if quick.Status != slow.Status || quick.Size != slow.Size || !bytes.Equal(quick.Body, slow.Body) {
				t.Fatalf("quick: %d %d %q; fasthttp: %d %d %q", quick.Status, quick.Size, quick.Body, slow.Status, slow.Size, slow.Body)
			}
			if q, s := quick.Headers(), slow.Headers(); !maps.Equal(q, s) {
				t.Fatalf("headers: quick %v, fasthttp %v", q, s)
			}
		})
	}
}

// TestNoInventedContentType: a response without Content-Type has none, on either path
// (fasthttp's parser reports text/plain unless told not to).
func TestNoInventedContentType(t *testing.T) {
	for _, raw := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	} {
		br := bufio.NewReaderSize(bytes.NewReader([]byte(raw)), bufSize)
		br.Peek(1)
		var resp Response
		if _, _, err := New(Options{}).receive(&hop{url: "http://h/"}, br, false, false, time.Now(), &resp); err != nil {
			t.Fatal(err)
		}
		if ct, ok := resp.Headers()["content-type"]; ok {
			t.Errorf("%q: Content-Type %q invented", raw, ct)
		}
	}
}
