package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Headers and body share one allocation per response, the span table included; every header,
// repeated and empty ones too, must come back intact, and End must close the Elapsed interval.
func TestResponseArenaAndEnd(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 20 {
			w.Header().Set(fmt.Sprintf("X-H%02d", i), fmt.Sprintf("value-%d", i))
		}
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Set("X-Empty", "")
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length: the unknown-length path
		}
		fmt.Fprint(w, "body")
	}))
	defer srv.Close()
	c := New(Options{})
	defer c.Close()
	for _, path := range []string{"/sized", "/chunked", "/sized"} {
		t.Run(path, func(t *testing.T) {
			var resp Response
			before := time.Now()
			c.Do(&Request{URL: srv.URL + path, Redirects: -1}, &resp)
			after := time.Now()
			if resp.Err != nil || resp.Status != 200 || string(resp.Body) != "body" {
				t.Fatalf("status %d body %q err %v", resp.Status, resp.Body, resp.Err)
			}
			for i := range 20 {
				if got, want := resp.Header(fmt.Sprintf("x-h%02d", i)), fmt.Sprintf("value-%d", i); got != want {
					t.Errorf("header %d = %q, want %q", i, got, want)
				}
			}
			if got := resp.Header("X-Multi"); got != "a, b" {
				t.Errorf("X-Multi = %q", got)
			}
			if got, ok := resp.Headers()["x-empty"]; !ok || got != "" {
				t.Errorf("x-empty = %q, %v", got, ok)
			}
			if resp.Header("Missing") != "" {
				t.Error("a missing header has a value")
			}
			if resp.End.Before(before) || resp.End.After(after) {
				t.Errorf("End %v not within the call [%v, %v]", resp.End, before, after)
			}
			if start := resp.End.Add(-resp.Elapsed); start.Before(before) {
				t.Errorf("End-Elapsed %v is before the call began %v", start, before)
			}
		})
	}
	var failed Response
	c.Do(&Request{URL: "http://127.0.0.1:1/", Redirects: -1}, &failed)
	if failed.Err == nil || failed.End.IsZero() {
		t.Errorf("a failed request: err %v, End %v", failed.Err, failed.End)
	}
}
