//go:build linux && !gust_portable

package client

import (
	"net/http"
	"os"
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
