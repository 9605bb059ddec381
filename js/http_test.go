package js

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gustload/gust/metrics"
)

// stepOnce loads src, builds one user against a server that echoes the method and path, and
// runs its first task; it returns the stats and fails on any script exception.
func stepOnce(t *testing.T, src string) *metrics.Snapshot {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Method+" "+r.URL.RequestURI())
		if strings.HasPrefix(r.URL.Path, "/status/") {
			var code int
			fmt.Sscan(r.URL.Path[len("/status/"):], &code)
			w.WriteHeader(code)
		}
		fmt.Fprintf(w, "%s %s", r.Method, r.URL.RequestURI())
	}))
	t.Cleanup(srv.Close)
	s, err := Load(write(t, "main.js", src), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := NewTest(s, TestConfig{Host: srv.URL, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	u, err := test.NewUser(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := u.Step(ctx); err != nil {
		t.Fatal(err)
	}
	u.Stop(ctx)
	snap := stats.Snapshot()
	for _, e := range snap.Exceptions {
		t.Errorf("script error: %s\n%s", e.Message, e.Traceback)
	}
	return snap
}

// The client's methods are built lazily; the object must still behave like a plain one.
func TestClientObjectShape(t *testing.T) {
	stepOnce(t, `
import { HttpUser } from "gust";
function eq(a, b, what) { if (a !== b) throw new Error(what + ": " + a + " !== " + b); }
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() {
    const c = this.client;
    eq(Object.keys(c).join(","), "get,post,put,patch,delete,head,options,request,getAsync,postAsync,putAsync,patchAsync,deleteAsync,headAsync,optionsAsync,requestAsync,batch", "keys");
    for (const m of Object.keys(c)) eq(typeof c[m], "function", m);
    eq(c.get, c.get, "same function on every read");
    eq(client.post, c.post, "global client");
    eq("get" in c, true, "in");
    eq("nope" in c, false, "not in");
    eq(c.nope, undefined, "unknown method");
    const get = c.get;
    let wrapped = 0;
    c.get = (url, opts) => { wrapped++; return get(url, opts); };
    eq(c.get("/w").text, "GET /w", "wrapped get");
    eq(wrapped, 1, "wrapper called");
    c.extra = 1;
    eq(Object.keys(c).join(","), "get,post,put,patch,delete,head,options,request,getAsync,postAsync,putAsync,patchAsync,deleteAsync,headAsync,optionsAsync,requestAsync,batch,extra", "keys + extra");
    delete c.extra;
    eq(c.extra, undefined, "deleted");
    for (const m of ["log", "info", "warn", "error", "debug"]) eq(typeof console[m], "function", "console." + m);
    eq(console.log, console.log, "console: same function");
  }
}
`)
}

// Responses are separate objects: one read after later requests still shows its own result,
// and every URL shape reaches its own path even past the user's small URL cache.
func TestResponsesStayTheirOwn(t *testing.T) {
	snap := stepOnce(t, `
import { HttpUser } from "gust";
function eq(a, b, what) { if (a !== b) throw new Error(what + ": " + a + " !== " + b); }
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() {
    const first = this.client.get("/one");
    const kept = [];
    for (let i = 0; i < 12; i++) kept.push(this.client.get("/p" + (i % 6) + "?i=" + (i % 3)));
    const del = this.client.delete("/one");
    const req = this.client.request("patch", "two");
    const bad = this.client.get("/status/404");
    eq(first.text, "GET /one", "first body");
    eq(first.status, 200, "first status");
    eq(first.headers["x-echo"], "GET /one", "first header");
    eq(first.url.endsWith("/one"), true, "first url");
    for (let i = 0; i < 12; i++) eq(kept[i].text, "GET /p" + (i % 6) + "?i=" + (i % 3), "kept " + i);
    eq(del.text, "DELETE /one", "delete");
    eq(req.text, "PATCH /two", "request()");
    eq(bad.status, 404, "404");
    eq(bad.ok, false, "404 not ok");
    eq(first.ok, true, "ok");
    eq(typeof first.elapsed, "number", "elapsed");
  }
}
`)
	var total int64
	for _, e := range snap.Entries {
		total += e.Requests
	}
	if total != 16 {
		t.Errorf("%d requests recorded, want 16", total)
	}
}

// A sample is stamped with the end of its exchange, not with when the task got round to
// recording it.
func TestRecordedAtExchangeEnd(t *testing.T) {
	start := time.Now()
	snap := stepOnce(t, `
import { HttpUser } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() { this.client.get("/x", { name: "x" }); }
}
`)
	var x metrics.Entry
	for _, e := range snap.Entries {
		if e.Name == "x" {
			x = e
		}
	}
	if x.Requests != 1 || x.Failures != 0 {
		t.Fatalf("row x: %+v", x)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("slow")
	}
}
