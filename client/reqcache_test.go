package client

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestRepeatedRequestsStayExact runs more distinct bodiless requests than the client
// remembers, several rounds, with headers the caller changes in place between calls; then a
// response sets a cookie, which the following requests must carry. The echo server shows
// each request exactly as it arrived.
func TestRepeatedRequestsStayExact(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "42"})
		echo(w, r)
	})
	mux.HandleFunc("/", echo)
	ts, conns := server(t, mux)
	c := New(Options{})
	defer c.Close()

	hdr := [][2]string{{"X-Round", "0"}}
	type call struct {
		req  Request
		want string
	}
	calls := func(round int) []call {
		hdr[0][1] = fmt.Sprint(round) // the same slice, changed in place
		return []call{
			{Request{URL: ts.URL + "/a"}, "GET /a "},
			{Request{URL: ts.URL + "/b"}, "GET /b "},
			{Request{Method: "HEAD", URL: ts.URL + "/a"}, ""},
			{Request{Method: "DELETE", URL: ts.URL + "/a"}, "DELETE /a "},
			{Request{URL: ts.URL + "/a", Header: hdr}, "GET /a "},
			{Request{URL: ts.URL + "/c?q=1"}, "GET /c?q=1 "},
		}
	}
	for round := range 3 {
		for _, cl := range calls(round) {
			resp := do(c, &cl.req)
			if resp.Err != nil || resp.Status != 200 {
				t.Fatalf("round %d %s %s: status %d err %v", round, cl.req.Method, cl.req.URL, resp.Status, resp.Err)
			}
			if !strings.HasPrefix(string(resp.Body), cl.want) || strings.Contains(string(resp.Body), "cookie=\"sid") {
				t.Fatalf("round %d %s %s: echoed %q", round, cl.req.Method, cl.req.URL, resp.Body)
			}
		}
	}
	// The rounds above were served from remembered bytes (all but the first sighting).
	remembered := 0
	for _, sr := range c.sentReqs {
		if sr != nil && sr.wire != nil {
			remembered++
		}
	}
	if remembered != cachedRequests {
		t.Errorf("%d requests remembered, want %d", remembered, cachedRequests)
	}

	// A header changed in place must arrive changed: the client keeps a copy, not the slice.
	mux.HandleFunc("/round", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Header.Get("X-Round")) })
	for round := range 3 {
		hdr[0][1] = fmt.Sprint(round)
		resp := do(c, &Request{URL: ts.URL + "/round", Header: hdr})
		if string(resp.Body) != fmt.Sprint(round) {
			t.Fatalf("X-Round %d arrived as %q", round, resp.Body)
		}
	}

	if resp := do(c, &Request{URL: ts.URL + "/login"}); resp.Err != nil {
		t.Fatal(resp.Err)
	}
	for range 2 {
		resp := do(c, &Request{URL: ts.URL + "/a"})
		if !strings.Contains(string(resp.Body), `cookie="sid=42"`) {
			t.Fatalf("after login, /a echoed %q", resp.Body)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestNeverRepeatedURLsAreNotRemembered: a script whose URLs are all different keeps
// nothing in the request cache.
func TestNeverRepeatedURLsAreNotRemembered(t *testing.T) {
	ts, _ := server(t, http.HandlerFunc(echo))
	c := New(Options{})
	defer c.Close()
	for i := range 20 {
		resp := do(c, &Request{URL: fmt.Sprintf("%s/items/%d", ts.URL, i)})
		if want := fmt.Sprintf("GET /items/%d ", i); resp.Err != nil || !strings.HasPrefix(string(resp.Body), want) {
			t.Fatalf("request %d: %v %q", i, resp.Err, resp.Body)
		}
	}
	for _, sr := range c.sentReqs {
		if sr != nil {
			t.Fatalf("remembered %s", sr.url)
		}
	}
}
