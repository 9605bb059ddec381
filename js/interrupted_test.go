package js

import (
	"testing"
	"time"

	"github.com/gustload/gust/engine"
)

// TestRequestsCutByTheStopAreInterrupted: a request still waiting when the stop timeout
// runs out is counted as interrupted — not a failure, not an exception — and the script
// cannot catch it and go on.
func TestRequestsCutByTheStopAreInterrupted(t *testing.T) {
	path := write(t, "hang.js", `import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { a: 1 };
  a() {
    try { this.client.get("/slow?ms=5000", { name: "slow" }); } catch (e) { throw new Error("caught " + e); }
    this.client.get("/after-the-stop");
  }
}
`)
	start := time.Now()
	snap, _ := runUsers(t, path, engine.Config{Users: 3, RunTime: 300 * time.Millisecond, StopTimeout: 200 * time.Millisecond}, TestConfig{})
	if len(snap.Exceptions) > 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	if snap.Total.Requests != 0 || snap.Total.Failures != 0 || len(snap.Errors) > 0 {
		t.Errorf("%d requests, %d failures %+v; want none", snap.Total.Requests, snap.Total.Failures, snap.Errors)
	}
	if snap.Interrupted != 3 {
		t.Errorf("%d interrupted, want 3", snap.Interrupted)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the stop took %v", d)
	}
}
