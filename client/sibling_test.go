package client

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// A sibling shares the user's cookies both ways but has connections of its own.
func TestSiblingSharesCookies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: r.URL.Query().Get("v"), Path: "/"})
			return
		}
		ck, err := r.Cookie("session")
		if err != nil {
			w.WriteHeader(401)
			return
		}
		_, _ = w.Write([]byte(ck.Value))
	}))
	defer srv.Close()
	c := New(Options{})
	defer c.Close()
	s := c.Sibling(Options{})
	defer s.Close()
	var res Response
	c.Do(&Request{Method: "GET", URL: srv.URL + "/login?v=one"}, &res)
	s.Do(&Request{Method: "GET", URL: srv.URL + "/me"}, &res)
	if res.Status != 200 || string(res.Body) != "one" {
		t.Fatalf("the sibling saw %d %q, want the parent's cookie", res.Status, res.Body)
	}
	s.Do(&Request{Method: "GET", URL: srv.URL + "/login?v=two"}, &res)
	c.Do(&Request{Method: "GET", URL: srv.URL + "/me"}, &res)
	if string(res.Body) != "two" {
		t.Fatalf("the parent saw %q, want the sibling's cookie", res.Body)
	}
	if len(c.conns) != 1 || len(s.conns) != 1 || c.conns[0] == s.conns[0] {
		t.Fatalf("want one connection each: %d and %d", len(c.conns), len(s.conns))
	}
}
