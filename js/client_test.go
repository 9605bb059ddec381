package js

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// echo answers every request with what it received, and redirects /go-N to /landed.
func echo(t *testing.T) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/go") {
			http.Redirect(w, r, "/landed", http.StatusFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Echo-Method", r.Method)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery, "type": r.Header.Get("Content-Type"),
			"token": r.Header.Get("X-Token"), "body": string(body),
		})
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestRequestOptionsAndResponseFields(t *testing.T) {
	srv, seen := echo(t)
	path := write(t, "opts.js", `import { HttpUser, StopUser } from "gust";
function check(cond, what) { if (!cond) throw new Error("check failed: " + what); }
export class U extends HttpUser {
  static tasks = { all: 1 };
  all() {
    let r = this.client.get("/q", { params: { a: "1 2", b: ["x", "y"] }, headers: { "X-Token": "t0k" } });
    let e = r.json();
    check(e.query === "a=1+2&b=x&b=y" && e.token === "t0k", "params/headers " + r.text);
    check(r.status === 200 && r.ok && r.headers["x-echo-method"] === "GET", "status/headers");
    check(r.elapsed > 0 && r.timings.ttfb <= r.timings.duration && r.bytes.byteLength === r.text.length, "timings/bytes");
    e = this.client.post("/j", { json: { x: [1, 2] } }).json();
    check(e.type === "application/json" && e.body === '{"x":[1,2]}', "json " + JSON.stringify(e));
    e = this.client.put("/f", { form: { user: "ann", pw: "s&cret" } }).json();
    check(e.method === "PUT" && e.type === "application/x-www-form-urlencoded" && e.body === "pw=s%26cret&user=ann", "form " + JSON.stringify(e));
    e = this.client.patch("/b", { body: new Uint8Array([104, 105]).buffer }).json();
    check(e.method === "PATCH" && e.body === "hi", "bytes body " + JSON.stringify(e));
    e = this.client.request("delete", "/d", { body: "gone" }).json();
    check(e.method === "DELETE" && e.body === "gone", "request()");
    check(this.client.options("/o").headers["x-echo-method"] === "OPTIONS", "options");
    r = this.client.head("/h");
    check(r.status === 200 && r.text === "", "head");
    r = this.client.get("/go-1");
    check(r.status === 200 && r.url.endsWith("/landed"), "redirect followed to " + r.url);
    r = this.client.get("/go-2", { redirects: false });
    check(r.status === 302 && r.headers.location === "/landed", "redirects: false gave " + r.status);
    r = this.client.get("/go-3", { name: "/go-[n]" });
    let threw = false;
    try { this.client.get("/x", { nonsense: 1 }); } catch (err) { threw = String(err).includes("nonsense"); }
    check(threw, "an unknown option is an error naming it");
    throw new StopUser();
  }
}
`)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := NewTest(s, TestConfig{Host: srv.URL, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	engine.NewRunner(test, engine.Config{Users: 1, RunTime: 10 * time.Second, StopTimeout: time.Second}).Run(context.Background())
	snap := stats.Snapshot()
	if len(snap.Exceptions) > 0 {
		t.Fatalf("%s\n%s", snap.Exceptions[0].Message, snap.Exceptions[0].Traceback)
	}
	if row(snap, "GET", "/go-[n]").Requests != 1 || row(snap, "HEAD", "/h").Requests != 1 {
		t.Errorf("rows: %+v", snap.Entries)
	}
	// 10 requests, 2 of them followed a redirect: the server saw 12. Close waits for the
	// handlers, so that reading seen is ordered after their writes.
	srv.Close()
	if len(*seen) != 12 || snap.Total.Requests != 10 {
		t.Errorf("server saw %d requests %v; stats counted %d", len(*seen), *seen, snap.Total.Requests)
	}
}

func TestFlowControlAndFixedCount(t *testing.T) {
	path := write(t, "flow.js", `import { HttpUser, RescheduleTask, StopTest, constant } from "gust";
export class Fixed extends HttpUser {
  static fixedCount = 1;
  static waitTime = constant(0.01);
  static tasks = { a: 1 };
  a() {
    this.client.get("/fixed");
    if (this.client.get("/").status === 200 && ++this.n > 30) throw new StopTest("enough");
  }
  onStart() { this.n = 0; }
}
export class Many extends HttpUser {
  static weight = 3;
  static waitTime = constant(0.01);
  static tasks = { b: 1 };
  b() {
    this.client.get("/many");
    throw new RescheduleTask();
  }
}
`)
	snap, _ := runUsers(t, path, engine.Config{Users: 4, RunTime: 20 * time.Second}, TestConfig{})
	if len(snap.Exceptions) > 0 {
		t.Fatalf("flow control counted as exceptions: %+v", snap.Exceptions)
	}
	fixed, many := row(snap, "GET", "/fixed").Requests, row(snap, "GET", "/many").Requests
	if fixed != 31 {
		t.Errorf("StopTest after 31 tasks of the fixed user: it ran %d", fixed)
	}
	// Three Many users at the same pace as the one Fixed user.
	if many < 2*fixed || many > 4*fixed {
		t.Errorf("3 Many users made %d requests while 1 Fixed user made %d", many, fixed)
	}
}
