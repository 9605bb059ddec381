package session

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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

// target is a real HTTP server counting what it served.
func target(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(ts.Close)
	return ts, &n
}

// loadTest loads src as a script and builds its test against host ("": the script's own).
func loadTest(t *testing.T, src, host string) (*js.Test, *metrics.Stats) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.js")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := js.Load(path, js.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := js.NewTest(script, js.TestConfig{Host: host, Stats: stats, Client: client.Options{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return test, stats
}

// recorder is an Output that records what the session told it.
type recorder struct {
	mu        sync.Mutex
	starts    int
	snapshots int
	results   []*Result
}

func (r *recorder) Start(*Run) (time.Duration, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts++
	return 20 * time.Millisecond, nil
}

func (r *recorder) Snapshot(run *Run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.snapshots++
}

func (r *recorder) Stop(res *Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, res)
	return nil
}

func (r *recorder) stops() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.results)
}

const looping = `import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0.01);
  static tasks = { t: 1 };
  t() { this.client.get("/"); }
}
`

// Every test the web UI stops hands its result to the outputs as it stops, not only when the
// process quits: the JSON file is there while the UI still serves.
func TestOutputsGetEveryStop(t *testing.T) {
	ts, served := target(t)
	test, stats := loadTest(t, looping, ts.URL)
	rec := &recorder{}
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	s := New(test, stats, Config{StopTimeout: time.Second, Outputs: []Output{JSON(jsonPath), rec}, Out: io.Discard, Log: io.Discard})
	for i, runTime := range []time.Duration{300 * time.Millisecond, 200 * time.Millisecond} {
		os.Remove(jsonPath)
		if err := s.Start(2, 100, "", runTime); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); rec.stops() <= i && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		if rec.stops() != i+1 {
			t.Fatalf("test %d: the outputs got %d results, want %d", i+1, rec.stops(), i+1)
		}
		res := rec.results[i]
		if !res.Started || res.Run.StopReason != "run time reached" || res.Snapshot.Total.Requests == 0 || res.Run.Host != ts.URL {
			t.Errorf("test %d: result %+v, %d requests", i+1, res.Run, res.Snapshot.Total.Requests)
		}
		b, err := os.ReadFile(jsonPath)
		if err != nil || !strings.Contains(string(b), `"stop_reason":"run time reached"`) {
			t.Errorf("test %d: the JSON result was not written at the stop: %v", i+1, err)
		}
	}
	if rec.starts != 2 || rec.snapshots == 0 {
		t.Errorf("starts %d, snapshots %d; want 2 and some", rec.starts, rec.snapshots)
	}
	if served.Load() == 0 {
		t.Error("the target served nothing")
	}
}

// StopTest("msg") is the stop reason; a host from `static host` is in the results.
func TestStopReasonAndStaticHost(t *testing.T) {
	ts, _ := target(t)
	src := strings.ReplaceAll(`import { HttpUser, StopTest } from "gust";
export class U extends HttpUser {
  static host = "HOST";
  static tasks = { t: 1 };
  t() { this.client.get("/"); throw new StopTest("enough data"); }
}
`, "HOST", ts.URL)
	test, stats := loadTest(t, src, "")
	dir := t.TempDir()
	jsonPath, htmlPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	s := New(test, stats, Config{Users: 1, SpawnRate: 1, RunTime: 20 * time.Second, StopTimeout: time.Second,
		Outputs: []Output{JSON(jsonPath), HTML(htmlPath)}, Out: io.Discard, Log: io.Discard})
	res, err := s.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Run.StopReason != "enough data" {
		t.Errorf("stop reason %q, want the StopTest message", res.Run.StopReason)
	}
	var got struct {
		Run struct {
			Host       string `json:"host"`
			StopReason string `json:"stop_reason"`
		} `json:"run"`
	}
	b, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(b, &got); err != nil || got.Run.Host != ts.URL || got.Run.StopReason != "enough data" {
		t.Errorf("JSON run %+v (%v), want host %s and stop_reason \"enough data\"", got.Run, err, ts.URL)
	}
	if h, _ := os.ReadFile(htmlPath); !strings.Contains(string(h), ts.URL) {
		t.Errorf("the HTML report does not name the host %s", ts.URL)
	}
}

// A web UI that quits before any test still writes the reports the flags ask for.
func TestServeWithoutTestWritesReports(t *testing.T) {
	ts, _ := target(t)
	test, stats := loadTest(t, looping, ts.URL)
	prefix := filepath.Join(t.TempDir(), "ui")
	c, err := NewCSV(prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := New(test, stats, Config{StopTimeout: time.Second, Outputs: []Output{Summary(io.Discard), c}, Out: io.Discard, Log: io.Discard})
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := s.Serve(ctx, ln, http.NotFoundHandler())
	if err != nil || res == nil || res.Started {
		t.Fatalf("result %+v, err %v", res, err)
	}
	for _, f := range []string{"_stats.csv", "_stats_history.csv", "_failures.csv", "_exceptions.csv"} {
		if b, err := os.ReadFile(prefix + f); err != nil || len(b) == 0 {
			t.Errorf("%s: %v (%d bytes)", f, err, len(b))
		}
	}
}

// A new host from the web UI's start form retargets the test (docs/webui.md): the second test
// sends to the second server only.
func TestStartRetargets(t *testing.T) {
	first, firstServed := target(t)
	second, secondServed := target(t)
	test, stats := loadTest(t, looping, first.URL)
	s := New(test, stats, Config{StopTimeout: time.Second, Out: io.Discard, Log: io.Discard,
		Retarget: func(host string) (Test, error) { return test.WithHost(host) }})
	if err := s.Start(1, 100, second.URL, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); s.State() != "stopped" && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if firstServed.Load() != 0 || secondServed.Load() == 0 || s.Host() != second.URL {
		t.Errorf("served first %d, second %d, host %s; want 0, some, %s", firstServed.Load(), secondServed.Load(), s.Host(), second.URL)
	}
	if err := s.Start(1, 100, "ftp://x", time.Second); err == nil || !strings.Contains(err.Error(), "ftp://x") {
		t.Errorf("a host that is no base URL: %v", err)
	}
}
