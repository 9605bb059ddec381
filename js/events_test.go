package js

import (
	"context"
	"strings"
	"testing"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// record() puts a custom client's samples in the request stats and failures; events.request
// listeners see HTTP requests and recorded samples in the user that made them; testStart and
// testStop listeners run once, around the users.
func TestRecordAndEvents(t *testing.T) {
	path := write(t, "ev.js", `import { HttpUser, record, events, StopUser } from "gust";
const seen = [];
events.request.on((s) => seen.push(s.type + " " + s.name + " " + (s.error || "ok") + (s.status ? " " + s.status : "")));
events.testStart.on(() => { record({ type: "hook", name: "start", ms: 1 }); });
events.testStop.on(() => { record({ type: "hook", name: "stop", ms: 1 }); });
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() {
    this.client.get("/items/1");
    record({ type: "grpc", name: "Hello", ms: 12.5, bytes: 10 });
    events.request.fire({ type: "grpc", name: "Hello", ms: 20, error: new Error("deadline exceeded") });
    try { record({ type: "grpc", ms: 1 }); } catch (e) { seen.push(e.name); }
    if (seen.join("|") !== "GET /items/1 ok 200|grpc Hello ok|grpc Hello deadline exceeded|TypeError") throw new Error(seen.join("|"));
    throw new StopUser();
  }
}
`)
	_, base := sampleAPI(t)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := NewTest(s, TestConfig{Host: base, Stats: stats})
	if err != nil {
		t.Fatal(err)
	}
	if err := test.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	engine.NewRunner(test, engine.Config{Users: 2, Iterations: 2}).Run(context.Background())
	if err := test.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap := stats.Snapshot()
	if len(snap.Exceptions) != 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	if e := row(snap, "grpc", "Hello"); e.Requests != 4 || e.Failures != 2 || e.TotalSize != 20 {
		t.Errorf("grpc Hello: %d requests %d failures %d bytes; want 4, 2, 20", e.Requests, e.Failures, e.TotalSize)
	}
	for _, n := range []string{"start", "stop"} {
		if e := row(snap, "hook", n); e.Requests != 1 {
			t.Errorf("test event %s ran %d times, want once", n, e.Requests)
		}
	}
	found := false
	for _, g := range snap.Errors {
		found = found || g.Method == "grpc" && strings.Contains(g.Error, "deadline exceeded")
	}
	if !found {
		t.Errorf("the recorded error is not among the failures: %+v", snap.Errors)
	}
}
