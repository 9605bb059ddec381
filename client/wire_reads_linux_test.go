//go:build linux && !gust_portable

package client

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// readCalls returns the process's read-family system calls so far (syscr in /proc/self/io).
func readCalls(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Skipf("no /proc/self/io: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "syscr: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Skip("no syscr in /proc/self/io")
	return 0
}

// TestOneReadPerResponse: over a kept plain-HTTP connection the client reads each small
// response with one read(2). The count is the whole process's: the net/http server in it
// takes two reads per request, and a client reading through net.Conn two more (the first
// finds nothing yet), four in all; with the wire, three.
func TestOneReadPerResponse(t *testing.T) {
	ts, _ := server(t, http.HandlerFunc(echo))
	c := New(Options{})
	defer c.Close()
	do(c, &Request{URL: ts.URL}) // dial outside the count
	const n = 2000
	before := readCalls(t)
	for range n {
		if resp := do(c, &Request{URL: ts.URL + "/x"}); resp.Err != nil {
			t.Fatal(resp.Err)
		}
	}
	per := float64(readCalls(t)-before) / n
	if per > 3.5 {
		t.Errorf("%.2f reads per request in the process, want about 3 (server 2, client 1)", per)
	}
}

// TestOneReadPerResponseOverTLS: TLS runs over the wire too, so a small response over a kept
// HTTPS connection, HTTP/1.1 or HTTP/2, costs the client one read(2); through net.Conn it
// cost two, the first finding nothing yet. The server runs in a child process (this test
// binary again) so that the count is the client's alone.
func TestOneReadPerResponseOverTLS(t *testing.T) {
	if os.Getenv("GUST_TEST_TLS_SERVER") != "" {
		serveTLSForParent(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOneReadPerResponseOverTLS$")
	cmd.Env = append(os.Environ(), "GUST_TEST_TLS_SERVER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }() // the child serves until its stdin closes
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the server process said nothing: %v", err)
	}
	url := "https://" + strings.TrimSpace(addr)
	for _, h2 := range []bool{false, true} {
		c := New(Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}, HTTP2: h2})
		if resp := do(c, &Request{URL: url}); resp.Err != nil { // dial outside the count
			t.Fatal(resp.Err)
		}
		const n = 1000
		before := readCalls(t)
		for range n {
			if resp := do(c, &Request{URL: url + "/x"}); resp.Err != nil || string(resp.Body) != "ok" {
				t.Fatalf("%v %q", resp.Err, resp.Body)
			}
		}
		per := float64(readCalls(t)-before) / n
		c.Close()
		t.Logf("h2=%v: %.2f reads per request", h2, per)
		if per > 1.2 {
			t.Errorf("h2=%v: %.2f reads per request, want 1", h2, per)
		}
	}
}

// serveTLSForParent is the child's side of TestOneReadPerResponseOverTLS: an HTTPS server
// (h2 and HTTP/1.1) on loopback whose address goes to stdout, up until stdin closes.
func serveTLSForParent(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	defer ts.Close()
	fmt.Println(ts.Listener.Addr())
	io.Copy(io.Discard, os.Stdin)
}
