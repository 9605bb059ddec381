//go:build linux && !gust_portable

package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRequestBodiesAroundTheBuffers sends bodies around the sizes where the request writer
// flushes early and where the wire stops holding the last flush, alternating with small
// requests on the same connection so that bytes sent out of order would corrupt the next one.
func TestRequestBodiesAroundTheBuffers(t *testing.T) {
	ts, conns := server(t, http.HandlerFunc(echo))
	c := New(Options{MaxBodyBytes: -1 + 4<<20})
	defer c.Close()
	for _, n := range []int{0, 1, maxHeld - 200, maxHeld, maxHeld + 1, bufSize - 120, bufSize, bufSize + 54,
		3*bufSize + 7, 1 << 20} {
		body := bytes.Repeat([]byte("abcdefghij"), n/10+1)[:n]
		resp := do(c, &Request{Method: "POST", URL: ts.URL + "/big", Body: body})
		if resp.Err != nil {
			t.Fatalf("%d-byte body: %v", n, resp.Err)
		}
		want := fmt.Sprintf("POST /big host=%s len=%d", ts.Listener.Addr(), n)
		if !bytes.HasPrefix(resp.Body, []byte(want)) || !bytes.HasSuffix(resp.Body, append([]byte("body="), body...)) {
			t.Fatalf("%d-byte body echoed as %.80q...", n, resp.Body)
		}
		if resp := do(c, &Request{URL: ts.URL + "/small"}); resp.Err != nil || !bytes.HasPrefix(resp.Body, []byte("GET /small ")) {
			t.Fatalf("after a %d-byte body: %v %.60q", n, resp.Err, resp.Body)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1 kept throughout", n)
	}
}

// TestWireWaitsForRoomToSend fills the socket's send buffer before a request, so that the
// wire's direct send finds no room and has to finish through the poller while the read
// stays armed; the peer must get every byte in order and the response must be read.
func TestWireWaitsForRoomToSend(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	sc, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	tc := cc.(*net.TCPConn)
	_ = tc.SetWriteBuffer(4 << 10)
	_ = sc.(*net.TCPConn).SetReadBuffer(4 << 10)

	// Fill until a write times out: the send buffer is full.
	filler := bytes.Repeat([]byte{'.'}, 64<<10)
	sent := 0
	_ = tc.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	for {
		n, err := tc.Write(filler)
		sent += n
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			break
		}
	}
	_ = tc.SetDeadline(time.Now().Add(5 * time.Second))

	const request = "GET / HTTP/1.1\r\n\r\n"
	const response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	got := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond) // the client is blocked on a full buffer by now
		all, err := io.ReadAll(io.LimitReader(sc, int64(sent+len(request))))
		switch {
		case err != nil:
			got <- err
		case len(all) != sent+len(request) || strings.Trim(string(all[:sent]), ".") != "" || string(all[sent:]) != request:
			got <- fmt.Errorf("peer got %d bytes ending %q, want %d filler bytes then the request", len(all), all[max(0, len(all)-20):], sent)
		default:
			_, err = io.WriteString(sc, response)
			got <- err
		}
	}()

	w := newWire(tc)
	w.hold()
	if _, err := w.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	w.unhold()
	buf := make([]byte, 128)
	n, err := w.Read(buf)
	if err != nil {
		t.Fatalf("read: %v (write failed: %v)", err, w.writeFailed())
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// The response may come in pieces; read the rest normally.
	for n < len(response) {
		m, err := w.Read(buf[n:])
		if err != nil {
			t.Fatal(err)
		}
		n += m
	}
	if string(buf[:n]) != response {
		t.Fatalf("read %q", buf[:n])
	}
}

// TestWireAwaitHonoursTheDeadline: a server that never answers ends the wait at the
// deadline, as a timeout.
func TestWireAwaitHonoursTheDeadline(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		if c, err := l.Accept(); err == nil {
			defer c.Close()
			io.Copy(io.Discard, c)
		}
	}()
	c := New(Options{Timeout: 150 * time.Millisecond})
	defer c.Close()
	start := time.Now()
	resp := do(c, &Request{URL: "http://" + l.Addr().String() + "/"})
	if resp.Err == nil || !strings.HasSuffix(resp.Err.Error(), "timeout after 150ms") || !strings.HasPrefix(resp.Err.Error(), "read ") {
		t.Fatalf("err %v, want a read timeout", resp.Err)
	}
	if el := time.Since(start); el < 150*time.Millisecond || el > 2*time.Second {
		t.Errorf("timed out after %v", el)
	}
}
