// Command target is the loopback server bench/run.sh measures generators against. It answers
// like the sample API's two hot endpoints, can be slow or fail on request, and counts what it
// serves so that every generator is judged by the server's count, not by its own report.
//
//	GET /            {"message":"Hello World"}
//	GET /items/      a short JSON list
//	GET /slow?ms=N   answers after N milliseconds
//	GET /status/N    answers with status N
//	GET /__count     requests served so far (itself not counted); POST /__count resets it
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

var (
	hello = []byte(`{"message":"Hello World"}`)
	items = []byte(`[{"id":1,"name":"apple"},{"id":2,"name":"pear"},{"id":3,"name":"plum"}]`)
)

type counter struct{ n atomic.Int64 }

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/__count" {
		if r.Method == http.MethodPost {
			c.n.Store(0)
		}
		fmt.Fprintf(w, "%d\n", c.n.Load())
		return
	}
	c.n.Add(1)
	switch p := r.URL.Path; {
	case p == "/":
		w.Header().Set("Content-Type", "application/json")
		w.Write(hello)
	case p == "/items/" || strings.HasPrefix(p, "/items/"):
		// /items/anything too, so that a run over many distinct URLs hits a real page.
		w.Header().Set("Content-Type", "application/json")
		w.Write(items)
	case p == "/slow":
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(min(max(ms, 0), 60_000)) * time.Millisecond)
		fmt.Fprintf(w, `{"slept":%d}`, ms)
	case strings.HasPrefix(p, "/status/"):
		code, err := strconv.Atoi(p[len("/status/"):])
		if err != nil || code < 200 || code > 599 {
			code = http.StatusBadRequest
		}
		w.WriteHeader(code)
	default:
		http.NotFound(w, r)
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8470", "listen address (loopback only)")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatal(err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		log.Fatalf("target: %s is not a loopback address", *addr)
	}
	srv := &http.Server{Addr: *addr, Handler: &counter{}, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}
