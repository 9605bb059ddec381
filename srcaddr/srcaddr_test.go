package srcaddr

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func addrs(p *Pool, n int) string {
	var out []string
	for i := range n {
		out = append(out, p.At(uint64(i)).String())
	}
	return strings.Join(out, " ")
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		spec  string
		len   uint64
		first string // the first addresses in order, wrapping around
	}{
		{"127.0.0.2", 1, "127.0.0.2 127.0.0.2"},
		{"127.0.0.2-127.0.0.4", 3, "127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.2"},
		{"127.0.0.2-127.0.0.3, 127.0.0.9", 3, "127.0.0.2 127.0.0.3 127.0.0.9 127.0.0.2"},
		{"10.0.0.0/30", 2, "10.0.0.1 10.0.0.2 10.0.0.1"},
		{"10.0.0.7/29", 6, "10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.1"},
		{"10.0.0.5/32", 1, "10.0.0.5"},
		{"127.0.0.0/8", 1<<24 - 2, "127.0.0.1 127.0.0.2"},
		{"10.0.1.254-10.0.2.1", 4, "10.0.1.254 10.0.1.255 10.0.2.0 10.0.2.1 10.0.1.254"},
		{"::1", 1, "::1"},
		{"fd00::fe-fd00::101", 4, "fd00::fe fd00::ff fd00::100 fd00::101"},
		{"fd00::/126", 3, "fd00::1 fd00::2 fd00::3 fd00::1"},
	} {
		p, err := Parse(tc.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.spec, err)
			continue
		}
		n := len(strings.Fields(tc.first))
		if p.Len() != tc.len || addrs(p, n) != tc.first {
			t.Errorf("Parse(%q): %d addresses %q; want %d %q", tc.spec, p.Len(), addrs(p, n), tc.len, tc.first)
		}
	}
	if p, _ := Parse("fd00::/48"); p.Len() != 1<<64-1 {
		t.Errorf("a /48 holds %d addresses, want the count to saturate", p.Len())
	}
}

func TestParseErrors(t *testing.T) {
	for spec, want := range map[string]string{
		"":                    "no address given",
		"127.0.0.300":         "127.0.0.300 is not an IP address",
		"127.0.0.9-127.0.0.2": "ends before it starts",
		"127.0.0.1-::1":       "mixes IPv4 and IPv6",
		"127.0.0.1,::1":       "mixes IPv4 and IPv6",
		"127.0.0.0/33":        "not a CIDR prefix",
		"127.0.0.2-127.0.0.x": "not a range",
		"localhost":           "not an IP address",
	} {
		_, err := Parse(spec)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", spec)) {
			t.Errorf("Parse(%q) error %v; want one naming the value and saying %q", spec, err, want)
		}
	}
}

// Connections from a pool leave from its addresses in turn: a real server sees each source.
func TestDialSpreadsSources(t *testing.T) {
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
	p, err := Parse("127.0.0.2-127.0.0.5")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(); err != nil {
		t.Fatal(err)
	}
	for range 8 {
		// A fresh transport per request: every request is a new connection.
		tr := &http.Transport{DialContext: p.DialContext}
		resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
	}
	want := map[string]int{"127.0.0.2": 2, "127.0.0.3": 2, "127.0.0.4": 2, "127.0.0.5": 2}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("sources seen by the server %v, want %v", seen, want)
	}
}

// Check accepts loopback addresses. (Its refusal needs an address this machine lacks, and tests
// use loopback addresses only, so it is exercised by hand: --local-ips 192.0.2.10.)
func TestCheckAcceptsLoopback(t *testing.T) {
	for _, spec := range []string{"127.0.0.1", "127.0.0.2-127.0.0.9", "127.0.0.0/29"} {
		p, err := Parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "linux" && spec != "127.0.0.1" {
			continue
		}
		if err := p.Check(); err != nil {
			t.Errorf("Check(%s): %v", spec, err)
		}
	}
}
