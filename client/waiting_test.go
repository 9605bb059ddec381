package client

import (
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestWaitingHoldsNoBuffers: 400 users waiting on a server that has not answered yet hold
// no read or write buffers (4 KiB each): the heap grows by little more than the clients and
// connections themselves, at both ends.
func TestWaitingHoldsNoBuffers(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const n = 400
	arrived := make(chan struct{}, n)
	release := make(chan struct{})
	var served sync.WaitGroup
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			served.Add(1)
			go func() {
				defer served.Done()
				defer conn.Close()
				var buf [256]byte
				if _, err := conn.Read(buf[:]); err != nil {
					return
				}
				arrived <- struct{}{}
				<-release
				io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}()
		}
	}()

	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	clients := make([]*Client, n)
	var done sync.WaitGroup
	for i := range clients {
		clients[i] = New(Options{Timeout: 10 * time.Second})
		done.Add(1)
		go func(c *Client) {
			defer done.Done()
			if resp := do(c, &Request{URL: "http://" + l.Addr().String() + "/wait"}); resp.Err != nil || resp.Status != 200 {
				t.Errorf("status %d err %v", resp.Status, resp.Err)
			}
		}(clients[i])
	}
	for range n {
		<-arrived
	}
	time.Sleep(50 * time.Millisecond) // every client is parked in its wait by now
	runtime.GC()
	runtime.ReadMemStats(&m1)
	close(release)
	done.Wait()
	for _, c := range clients {
		c.Close()
	}
	served.Wait()
	per := (int64(m1.HeapAlloc) - int64(m0.HeapAlloc)) / n
	t.Logf("%d bytes of heap per waiting user, both ends", per)
	if per > 5<<10 {
		t.Errorf("%d bytes of heap per waiting user: buffers held while waiting?", per)
	}
}
