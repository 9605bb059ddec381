package client

import (
	"bytes"
	"net"
	"runtime"
	"testing"
	"unsafe"
)

func TestZZMem(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	reply := []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
	go func() {
		for {
			c, err := l.Accept()
			if err != nil { return }
			go func() {
				var buf [512]byte
				n := 0
				for {
					m, err := c.Read(buf[n:])
					if err != nil { return }
					n += m
					if bytes.Contains(buf[:n], []byte("\r\n\r\n")) { c.Write(reply); n = 0 }
				}
			}()
		}
	}()
	url := "http://" + l.Addr().String() + "/x"
	var ms runtime.MemStats
	cs := make([]*Client, 2000)
	runtime.GC(); runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	for i := range cs {
		cs[i] = New(Options{})
		var resp Response
		cs[i].Do(&Request{URL: url, Header: [][2]string{{"Accept","application/json"}}}, &resp)
		if resp.Err != nil { t.Fatal(resp.Err) }
	}
	runtime.GC(); runtime.ReadMemStats(&ms)
	t.Logf("heap per client incl server-side net.Conn: %d B; sizeof Client %d", (int64(ms.HeapAlloc)-int64(before))/int64(len(cs)), unsafe.Sizeof(Client{}))
	for _, c := range cs { c.Close() }
}
