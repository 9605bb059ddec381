package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gustload/gust/client"
	"github.com/gustload/gust/js"
	"github.com/gustload/gust/metrics"
)

const webScript = `
import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0.02);
  static tasks = { root: 3, missing: 1 };
  root() { this.client.get("/"); }
  missing() { this.client.get("/missing"); }
}
`

// countingTarget answers / with 200 and anything else with 404, and counts what it served.
func countingTarget(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(ts.Close)
	return ts, &n
}

// syncBuffer is an io.Writer the runner's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type statsReply struct {
	State     string  `json:"state"`
	UserCount int     `json:"user_count"`
	FailRatio float64 `json:"fail_ratio"`
	Stats     []struct {
		Method      *string `json:"method"`
		Name        string  `json:"name"`
		NumRequests int64   `json:"num_requests"`
		NumFailures int64   `json:"num_failures"`
	} `json:"stats"`
}

func TestWebUIDrivesARun(t *testing.T) {
	target, served := countingTarget(t)
	script := filepath.Join(t.TempDir(), "ui.js")
	if err := os.WriteFile(script, []byte(webScript), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonOut := filepath.Join(t.TempDir(), "result.json")
	var f runFlags
	if err := newRunFlagSet(&f).Parse([]string{"-H", target.URL, "-s", "2s", "--json", jsonOut, script}); err != nil {
		t.Fatal(err)
	}
	loaded, err := js.Load(script, js.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := js.NewTest(loaded, js.TestConfig{Host: f.host, Stats: stats, Client: client.Options{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := runConfig(&f, loaded.Options(), script)
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	outs, closeOuts, err := outputs(&f, &cfg, out)
	if err != nil {
		t.Fatal(err)
	}
	defer closeOuts()
	cfg.Outputs = outs
	sess := newWebSession(test, stats, cfg, out)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ui, err := webHandler(&f, sess, ln.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exit := make(chan int, 1)
	go func() {
		res, err := sess.Serve(ctx, ln, ui)
		exit <- exitCode(&f, res, err)
	}()
	base := "http://" + ln.Addr().String()

	swarm := func(form url.Values) (int, map[string]any) {
		t.Helper()
		resp, err := http.PostForm(base+"/swarm", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, m
	}
	poll := func(what string, ok func(statsReply) bool) statsReply {
		t.Helper()
		var last statsReply
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			resp, err := http.Get(base + "/stats/requests")
			if err != nil {
				t.Fatal(err)
			}
			last = statsReply{}
			err = json.NewDecoder(resp.Body).Decode(&last)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if ok(last) {
				return last
			}
		}
		t.Fatalf("timed out waiting for %s; last: %+v\n%s", what, last, out)
		return last
	}
	total := func(r statsReply) int64 { return r.Stats[len(r.Stats)-1].NumRequests }

	if s := poll("ready", func(r statsReply) bool { return true }); s.State != "ready" {
		t.Errorf("state %q before a start, want ready", s.State)
	}
	if code, m := swarm(url.Values{"user_count": {"oops"}, "spawn_rate": {"1"}}); code != 400 || !strings.Contains(m["message"].(string), `"oops"`) {
		t.Errorf("bad user_count: %d %v", code, m)
	}
	if code, m := swarm(url.Values{"user_count": {"4"}, "spawn_rate": {"100"}, "host": {target.URL}}); code != 200 || m["success"] != true {
		t.Fatalf("start: %d %v", code, m)
	}
	s := poll("4 users sending", func(r statsReply) bool { return r.State == "running" && r.UserCount == 4 && total(r) > 20 })
	if s.Stats[len(s.Stats)-1].Name != "Aggregated" || s.Stats[len(s.Stats)-1].Method != nil || len(s.Stats) != 3 {
		t.Errorf("rows %+v", s.Stats)
	}
	if s.FailRatio <= 0 || s.FailRatio >= 0.6 {
		t.Errorf("fail_ratio %v, want about a quarter", s.FailRatio)
	}

	// The web UI serves the live series at /metrics too, sampled as it is scraped, labelled
	// with a generated test id.
	if cfg.TestID == "" {
		t.Error("the web UI's series have no test id")
	}
	if resp, err := http.Get(base + "/metrics"); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), `gust_users{segment="0/1",testid="`+cfg.TestID+`"} 4`) || !strings.Contains(string(b), "gust_requests_total{") {
			t.Errorf("/metrics of the web UI while 4 users run:\n%s", b)
		}
	}

	// A second start while running is an edit, as in Locust: ramp down.
	if code, m := swarm(url.Values{"user_count": {"2"}, "spawn_rate": {"100"}}); code != 200 {
		t.Fatalf("edit: %d %v", code, m)
	}
	poll("2 users", func(r statsReply) bool { return r.UserCount == 2 })

	resp, err := http.Get(base + "/stop")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	poll("stopped", func(r statsReply) bool { return r.State == "stopped" })
	// The reports the flags ask for are written as the test stops, not only when gust quits.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(jsonOut); err == nil && strings.Contains(string(b), "stopped from the web UI") {
			break
		}
	}
	if b, err := os.ReadFile(jsonOut); err != nil || !strings.Contains(string(b), `"stop_reason":"stopped from the web UI"`) {
		t.Errorf("--json not written when the test stopped: %v", err)
	}
	a := served.Load()
	time.Sleep(300 * time.Millisecond)
	if b := served.Load(); b != a {
		t.Errorf("the target served %d more requests after the stop", b-a)
	}

	resp, err = http.Get(base + "/stats/requests/csv")
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(csv), "Type,Name,Request Count") || !strings.Contains(string(csv), "GET,/missing,") {
		t.Errorf("CSV: %.200s", csv)
	}

	for path, want := range map[string]string{
		"/stats/report":  "/missing",
		"/stats/json":    `"stop_reason":"stopped from the web UI"`,
		"/stats/history": `"name":"Aggregated"`,
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d, want %s in %.300s", path, resp.StatusCode, want, b)
		}
	}

	// New test: the statistics start again from nothing.
	before := stats.Snapshot().Total.Requests
	if code, m := swarm(url.Values{"user_count": {"1"}, "spawn_rate": {"10"}, "run_time": {"1s"}}); code != 200 || m["run_time"] != 1.0 {
		t.Fatalf("new test: %d %v", code, m)
	}
	s = poll("the new test to run out", func(r statsReply) bool { return r.State == "stopped" && total(r) > 0 })
	if total(s) >= before {
		t.Errorf("the new test counts %d requests, the last had %d: the statistics were not reset", total(s), before)
	}
	if !strings.Contains(out.String(), "run time reached") {
		t.Errorf("no stop reason in the output:\n%s", out)
	}

	cancel()
	select {
	case code := <-exit:
		if code != f.exitOnError {
			t.Errorf("exit code %d, want %d (requests failed)", code, f.exitOnError)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after the context ended")
	}
	body, err := os.ReadFile(jsonOut)
	if err != nil {
		t.Fatalf("no JSON result: %v", err)
	}
	var res struct {
		Total struct{ Requests int64 } `json:"total"`
		Run   struct {
			StopReason string `json:"stop_reason"`
			Users      int    `json:"users"`
		} `json:"run"`
		TimeSeries []any `json:"time_series"`
	}
	if err := json.Unmarshal(body, &res); err != nil || res.Total.Requests == 0 || res.Run.StopReason != "run time reached" ||
		res.Run.Users != 1 || len(res.TimeSeries) == 0 {
		t.Errorf("JSON result %+v (%v)", res, err)
	}
}

func TestWebAutostartQuits(t *testing.T) {
	target, served := countingTarget(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "ui.js")
	if err := os.WriteFile(script, []byte(webScript), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonOut := filepath.Join(dir, "result.json")
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runCmd([]string{"--web-port", "0", "--autostart", "-u", "3", "-r", "50", "-t", "1s", "-H", target.URL,
			"--json", jsonOut, "--exit-code-on-error", "0", script}, &runOverrides{stdout: out})
	}()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d\n%s", code, out)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("--autostart -t 1s did not quit\n%s", out)
	}
	if served.Load() == 0 {
		t.Error("the target saw no request")
	}
	if !strings.Contains(out.String(), "web UI on http://127.0.0.1:") {
		t.Errorf("no URL printed:\n%s", out)
	}
	if _, err := os.Stat(jsonOut); err != nil {
		t.Errorf("no JSON result: %v", err)
	}
}

func TestWebAuthFlag(t *testing.T) {
	target, _ := countingTarget(t)
	script := filepath.Join(t.TempDir(), "ui.js")
	if err := os.WriteFile(script, []byte(webScript), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := runCmd([]string{"--web-port", "0", "--web-auth", "nocolon", "-H", target.URL, script}, &runOverrides{stdout: io.Discard}); code != exitUsage {
		t.Errorf("--web-auth without a colon: exit %d, want %d", code, exitUsage)
	}
}

// A script's stages drive a test started from the web UI as they do headless: here they end
// it well before the 20 s run time.
func TestWebFollowsStages(t *testing.T) {
	target, _ := countingTarget(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "stages.js")
	os.WriteFile(script, []byte(`import { HttpUser, constant } from "gust";
export const options = { stages: [
  { duration: 0.5, users: 2, spawnRate: 100 },
  { duration: 0.5, users: 4, spawnRate: 100 },
] };
export class U extends HttpUser {
  static waitTime = constant(0.05);
  static tasks = { root: 1 };
  root() { this.client.get("/"); }
}
`), 0o644)
	jsonOut := filepath.Join(dir, "result.json")
	out := &syncBuffer{}
	done := make(chan int, 1)
	start := time.Now()
	go func() {
		done <- runCmd([]string{"--web-port", "0", "--autostart", "-t", "20s", "-H", target.URL, "--json", jsonOut, script},
			&runOverrides{stdout: out})
	}()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatalf("the stages did not end the web-started test\n%s", out)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("a 1 s stage plan ran %v", el)
	}
	b, _ := os.ReadFile(jsonOut)
	if !strings.Contains(string(b), "load shape ended") {
		t.Errorf("the JSON result does not say the shape ended the test:\n%.400s", b)
	}
}

// --web-host beyond loopback without --web-auth gets a warning; these addresses do not.
func TestLoopbackWebHost(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": true, "localhost": true, "::1": true, "127.0.0.2": true,
		"0.0.0.0": false, "::": false, "10.0.0.1": false, "gust.lan": false} {
		if got := loopback(host); got != want {
			t.Errorf("loopback(%q) = %v, want %v", host, got, want)
		}
	}
}
