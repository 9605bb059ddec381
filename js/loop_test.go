package js

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// An async task's requests awaited together run at once; timers fire on the user's loop in
// order; the user waits for everything the task started; its rejection is an exception.
func TestAsyncTasksAndTimers(t *testing.T) {
	path := write(t, "async.js", `import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { a: 1 };
  async a() {
    const t0 = Date.now();
    const [x, y, z] = await Promise.all([
      this.client.getAsync("/slow?ms=300"),
      this.client.getAsync("/slow?ms=300", { name: "slow-b" }),
      this.client.requestAsync("POST", "/predict", { json: { x: [1, 3] } }),
    ]);
    const took = Date.now() - t0;
    if (took > 550) throw new Error("three requests awaited together took " + took + " ms");
    if (x.status !== 200 || x.json().slept_ms !== 300 || z.json().y !== 2) throw new Error("responses " + x.status + " " + z.text);
    const order = [];
    setTimeout(() => order.push("b"), 40);
    setTimeout((tag) => order.push(tag), 10, "a");
    const never = setTimeout(() => order.push("never"), 20);
    clearTimeout(never);
    let ticks = 0;
    await new Promise((resolve) => {
      const iv = setInterval(() => { if (++ticks === 3) { clearInterval(iv); resolve(); } }, 5);
    });
    await new Promise((r) => setTimeout(r, 60));
    if (order.join("") !== "ab") throw new Error("timers ran " + order.join(""));
    // Started and not awaited: the user still waits for it before the next task.
    setTimeout(() => this.client.get("/items/1", { name: "late" }), 30);
    this.client.getAsync("/items/2", { name: "unawaited" });
    throw new Error("async planned " + ticks);
  }
}
`)
	snap, srv := runUsers(t, path, engine.Config{Users: 1, Iterations: 2}, TestConfig{})
	if len(snap.Exceptions) != 1 || snap.Exceptions[0].Count != 2 || !strings.Contains(snap.Exceptions[0].Message, "async planned 3") {
		t.Fatalf("want the planned rejection twice, got %+v", snap.Exceptions)
	}
	if tb := snap.Exceptions[0].Traceback; !strings.Contains(tb, "async.js:") {
		t.Errorf("the rejection's traceback %q does not point into the script", tb)
	}
	for _, name := range []string{"/slow?ms=300", "slow-b", "/predict", "late", "unawaited"} {
		method := "GET"
		if name == "/predict" {
			method = "POST"
		}
		if e := row(snap, method, name); e.Requests != 2 || e.Failures != 0 {
			t.Errorf("%s %s: %d requests, %d failures; want 2, 0", method, name, e.Requests, e.Failures)
		}
	}
	if srv.Served() != snap.Total.Requests {
		t.Errorf("served %d, counted %d", srv.Served(), snap.Total.Requests)
	}
}

// StopUser, StopTest and RescheduleTask work after an await, from a timer too.
func TestFlowControlAfterAwait(t *testing.T) {
	path := write(t, "flow.js", `import { HttpUser, constant, StopTest, RescheduleTask } from "gust";
let n = 0;
export class U extends HttpUser {
  static waitTime = constant(0.01);
  static tasks = { a: 1 };
  async a() {
    await this.client.getAsync("/");
    n++;
    if (n === 1) throw new RescheduleTask();
    if (n >= 4) await new Promise(() => setTimeout(() => { throw new StopTest(); }, 5));
  }
}
`)
	start := time.Now()
	snap, _ := runUsers(t, path, engine.Config{Users: 1, RunTime: 20 * time.Second}, TestConfig{})
	if time.Since(start) > 8*time.Second {
		t.Fatalf("StopTest from a timer did not end the run (took %v)", time.Since(start))
	}
	if len(snap.Exceptions) != 0 {
		t.Fatalf("flow control counted as exceptions: %+v", snap.Exceptions)
	}
	if got := row(snap, "GET", "/").Requests; got != 4 {
		t.Errorf("%d requests, want 4", got)
	}
}

// A hard stop interrupts a user waiting on its loop (a timer far away, a slow request).
func TestHardStopInterruptsTheLoop(t *testing.T) {
	path := write(t, "hang.js", `import { HttpUser } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  async a() {
    setTimeout(() => {}, 60000);
    await this.client.getAsync("/slow?ms=20000");
  }
}
`)
	srv, base := sampleAPI(t)
	_ = srv
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := NewTest(s, TestConfig{Host: base, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	r := engine.NewRunner(test, engine.Config{Users: 2, RunTime: 300 * time.Millisecond, StopTimeout: 200 * time.Millisecond})
	start := time.Now()
	r.Run(context.Background())
	if took := time.Since(start); took > 4*time.Second {
		t.Fatalf("the run took %v: the stop timeout did not interrupt the loop", took)
	}
	if e := stats.Snapshot().Total; e.Requests != 0 {
		t.Errorf("an interrupted request was recorded: %+v", e)
	}
}

// batch sends its requests at once and returns them in order; lanes share the user's cookies.
func TestBatchAndSharedCookies(t *testing.T) {
	path := write(t, "batch.js", `import { HttpUser, StopUser } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() {
    this.client.post("/login", { json: { username: "ann", password: "secret" } });
    const t0 = Date.now();
    const rs = this.client.batch(["/slow?ms=300", ["GET", "/me"], { method: "GET", url: "/slow?ms=300", options: { name: "named" } }]);
    const took = Date.now() - t0;
    if (took > 550) throw new Error("batch took " + took + " ms");
    if (rs.length !== 3 || rs[0].json().slept_ms !== 300 || rs[1].json().username !== "ann" || rs[2].status !== 200) throw new Error("batch answers " + rs.map(r => r.status));
    return this.client.getAsync("/me").then((r) => { if (r.status !== 200) throw new Error("async lost the cookie: " + r.status); throw new StopUser(); });
  }
}
`)
	snap, _ := runUsers(t, path, engine.Config{Users: 1, RunTime: 10 * time.Second}, TestConfig{})
	if len(snap.Exceptions) != 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	if e := row(snap, "POST", "/login"); e.Requests != 1 {
		t.Errorf("login: %+v", e)
	}
	if e := row(snap, "GET", "named"); e.Requests != 1 {
		t.Errorf("named batch request: %+v", e)
	}
	if e := row(snap, "GET", "/me"); e.Requests != 2 || e.Failures != 0 {
		t.Errorf("/me: %d requests %d failures", e.Requests, e.Failures)
	}
}

// A user whose tasks are synchronous never builds a loop.
func TestSyncUserHasNoLoop(t *testing.T) {
	path := write(t, "sync.js", `import { HttpUser } from "gust";
export class U extends HttpUser { static tasks = { a: 1 }; a() { this.client.get("/"); } }
`)
	_, base := sampleAPI(t)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	test, err := NewTest(s, TestConfig{Host: base, Stats: metrics.New(metrics.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	u, err := test.NewUser(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	if u.(*user).v.evl() != nil {
		t.Fatal("a synchronous task built an event loop")
	}
}

// A promise rejected with nobody to handle it is an exception too; one handled later in the
// same task is not.
func TestUnhandledRejection(t *testing.T) {
	path := write(t, "floating.js", `import { HttpUser } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  async a() {
    const later = this.client.getAsync("/").then(() => { throw new Error("handled later"); });
    Promise.reject(new Error("floating rejection"));
    await new Promise((r) => setTimeout(r, 20));
    try { await later; } catch (e) { /* handled */ }
  }
}
`)
	snap, _ := runUsers(t, path, engine.Config{Users: 1, Iterations: 2}, TestConfig{})
	if len(snap.Exceptions) != 1 || snap.Exceptions[0].Count != 2 || !strings.Contains(snap.Exceptions[0].Message, "floating rejection") {
		t.Fatalf("want the floating rejection twice and nothing else, got %+v", snap.Exceptions)
	}
}

// An HTTP/2 user's concurrent requests (Promise.all of getAsync, a batch) are streams on one
// connection: the server sees them in flight together, and one connection in all.
func TestAsyncRequestsShareOneHTTP2Connection(t *testing.T) {
	var inflight, most, conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(100 * time.Millisecond)
		inflight.Add(-1)
		io.WriteString(w, r.Proto)
	}))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	path := write(t, "h2async.js", `import { HttpUser, StopUser } from "gust";
const url = "`+srv.URL+`/";
export class U extends HttpUser {
  static http2 = true;
  static tasks = { a: 1 };
  async a() {
    const rs = await Promise.all([1, 2, 3, 4].map(() => this.client.getAsync(url)));
    const bs = this.client.batch([url, url, url, url]);
    for (const r of rs.concat(bs)) if (r.proto !== "HTTP/2.0" || r.text !== "HTTP/2.0") throw new Error("answer " + r.status + " " + r.proto + " " + r.text);
    throw new StopUser();
  }
}
`)
	snap, _ := runUsers(t, path, engine.Config{Users: 1, RunTime: 10 * time.Second}, TestConfig{})
	if len(snap.Exceptions) != 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	if snap.Total.Requests != 8 || snap.Total.Failures != 0 {
		t.Errorf("%d requests, %d failures; want 8, 0", snap.Total.Requests, snap.Total.Failures)
	}
	if m := most.Load(); m < 4 {
		t.Errorf("at most %d requests in flight together, want 4", m)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}
