package js

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// TestRealWorldOptions: files with form fields, auth per request and per class, the cookie
// API, a gzip request body, discardBody and res.truncated, res.proto, against a real server.
func TestRealWorldOptions(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		f := r.MultipartForm.File["doc"][0]
		fmt.Fprintf(w, "%s %s %d %s", r.FormValue("x"), f.Filename, f.Size, f.Header.Get("Content-Type"))
	})
	mux.HandleFunc("/auth", func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		fmt.Fprintf(w, "%s:%s", u, p)
	})
	mux.HandleFunc("/cookie/set", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc", Path: "/"})
	})
	mux.HandleFunc("/cookie/get", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			io.WriteString(w, "none")
			return
		}
		io.WriteString(w, c.Value)
	})
	mux.HandleFunc("/gz", func(w http.ResponseWriter, r *http.Request) {
		z, err := gzip.NewReader(r.Body)
		if err != nil || r.Header.Get("Content-Encoding") != "gzip" {
			http.Error(w, "not gzip", 400)
			return
		}
		b, _ := io.ReadAll(z)
		w.Write(b)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 100_000))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	path := write(t, "rw.js", `import { HttpUser, constant } from "gust";
function want(what, got, exp) { if (got !== exp) throw new Error(what + ": " + JSON.stringify(got) + " want " + JSON.stringify(exp)); }
export class U extends HttpUser {
  static waitTime = constant(0);
  static auth = ["cls", "pw"];
  static tasks = { a: 1 };
  a() {
    want("upload", this.client.post("/upload", { form: { x: "1" }, files: { doc: { name: "a.txt", content: "hello", type: "text/plain" } } }).text, "1 a.txt 5 text/plain");
    want("static auth", this.client.get("/auth").text, "cls:pw");
    want("request auth", this.client.get("/auth", { auth: ["ann", "secret"] }).text, "ann:secret");
    this.client.get("/cookie/set");
    want("jar", this.client.cookies.get("sid"), "abc");
    want("all", JSON.stringify(this.client.cookies.all()), '{"sid":"abc"}');
    this.client.cookies.clear();
    want("cleared", this.client.get("/cookie/get").text, "none");
    this.client.cookies.set("sid", "xyz");
    want("set", this.client.get("/cookie/get").text, "xyz");
    want("gzip body", this.client.post("/gz", { body: "squeezed", compress: "gzip" }).text, "squeezed");
    const d = this.client.get("/big", { discardBody: true });
    want("discarded", d.text.length, 0); want("truncated", d.truncated, true);
    const k = this.client.get("/big");
    want("kept", k.text.length, 100000); want("whole", k.truncated, false); want("proto", k.proto, "HTTP/1.1");
    want("timings.tls", typeof k.timings.tls, "number");
  }
}
`)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := NewTest(s, TestConfig{Host: ts.URL, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	engine.NewRunner(test, engine.Config{Users: 1, Iterations: 2, StopTimeout: 5 * time.Second}).Run(context.Background())
	snap := stats.Snapshot()
	if len(snap.Exceptions) > 0 {
		b, _ := json.Marshal(snap.Exceptions)
		t.Fatalf("exceptions: %s", b)
	}
	if snap.Total.Requests != 2*9 || snap.Total.Failures != 0 {
		t.Errorf("%d requests, %d failures; want 18 and 0", snap.Total.Requests, snap.Total.Failures)
	}
}

// TestPerRequestTLSAndProxy: a request's own tls and proxy options use a client of their own
// that shares the user's cookies.
func TestPerRequestTLSAndProxy(t *testing.T) {
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("sid")
		if err != nil {
			io.WriteString(w, "secure none")
			return
		}
		io.WriteString(w, "secure "+c.Value)
	}))
	defer secure.Close()
	var proxied atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		io.WriteString(w, "via proxy "+r.URL.String())
	}))
	defer proxy.Close()

	path := write(t, "pr.js", `import { HttpUser, constant } from "gust";
function want(what, got, exp) { if (got !== exp) throw new Error(what + ": " + JSON.stringify(got) + " want " + JSON.stringify(exp)); }
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { a: 1 };
  a() {
    const bad = this.client.get("`+secure.URL+`/", { catchResponse: true });
    if (!/certificate/.test(bad.error)) throw new Error("verified by default: " + bad.error);
    bad.success();
    this.client.cookies.set("sid", "s1", { url: "`+secure.URL+`/" });
    want("insecure", this.client.get("`+secure.URL+`/", { tls: { insecure: true } }).text, "secure s1");
    want("proxy", this.client.get("http://127.0.0.1:1/x", { proxy: "`+proxy.URL+`" }).text, "via proxy http://127.0.0.1:1/x");
  }
}
`)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := NewTest(s, TestConfig{Host: proxy.URL, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	engine.NewRunner(test, engine.Config{Users: 1, Iterations: 3, StopTimeout: 5 * time.Second}).Run(context.Background())
	snap := stats.Snapshot()
	if len(snap.Exceptions) > 0 {
		b, _ := json.Marshal(snap.Exceptions)
		t.Fatalf("exceptions: %s", b)
	}
	if snap.Total.Failures != 0 || proxied.Load() != 3 {
		t.Errorf("%d failures, %d proxied; want 0 and 3", snap.Total.Failures, proxied.Load())
	}
}
