package srcaddr_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"

	"github.com/gustload/gust/client"
	"github.com/gustload/gust/srcaddr"
)

// --local-ips reaches gust's own client: each user's connection comes from the pool's next
// address, as the server sees it.
func TestClientDialsFromLocalIPs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux routes all of 127.0.0.0/8 to loopback without aliases")
	}
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		mu.Lock()
		seen[host]++
		mu.Unlock()
	}))
	defer srv.Close()
	next, err := srcaddr.Flag("127.0.0.2,127.0.0.3-127.0.0.4")
	if err != nil {
		t.Fatal(err)
	}
	for range 6 {
		c := client.New(client.Options{LocalAddr: next}) // a user: its own connection
		var resp client.Response
		c.Do(&client.Request{Method: "GET", URL: srv.URL + "/"}, &resp)
		c.Close()
		if resp.Err != nil || resp.Status != 200 {
			t.Fatalf("status %d err %v", resp.Status, resp.Err)
		}
	}
	want := map[string]int{"127.0.0.2": 2, "127.0.0.3": 2, "127.0.0.4": 2}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("sources seen by the server %v, want %v", seen, want)
	}
	if f, err := srcaddr.Flag(""); f != nil || err != nil {
		t.Errorf(`Flag("") = %v, %v; want no hook`, f != nil, err)
	}
	if _, err := srcaddr.Flag("127.0.0.9-127.0.0.2"); err == nil {
		t.Error("a backwards range was accepted")
	}
}
