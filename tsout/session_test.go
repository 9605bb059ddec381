package tsout

import (
	"fmt"
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
	"github.com/gustload/gust/session"
)

// runTest runs a real script headless for runTime against a counting server, with outs as
// the session's outputs; it returns what the server served and the warnings given.
func runTest(t *testing.T, runTime time.Duration, during func(), outs ...session.Output) (int64, []string) {
	t.Helper()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		time.Sleep(time.Millisecond)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "s.js")
	src := `import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0.005);
  static tasks = { a: 3, b: 1 };
  a() { this.client.get("/a"); }
  b() { this.client.get("/b"); }
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := js.Load(path, js.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := js.NewTest(script, js.TestConfig{Host: srv.URL, Stats: stats, Client: client.Options{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var warnings []string
	sess := session.New(test, stats, session.Config{Users: 3, SpawnRate: 100, RunTime: runTime, StopTimeout: time.Second,
		Outputs: outs, Out: io.Discard, Log: io.Discard, Warn: func(m string) { mu.Lock(); warnings = append(warnings, m); mu.Unlock() }})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := sess.Run(nil); err != nil {
			t.Error(err)
		}
	}()
	if during != nil {
		during()
	}
	<-done
	return served.Load(), warnings
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// The session outputs end to end: a run pushes into a real Prometheus by remote write and
// serves /metrics; the database's last gust_requests_total is what the server served, since
// the final flush carries the final totals, and /metrics serves them once the run stopped.
func TestSessionOutputsIntoPrometheus(t *testing.T) {
	base := startPrometheus(t)
	labels := Labels{Test: "sess-" + fmt.Sprint(time.Now().UnixNano()), Segment: "1/2"}
	push, ok, err := Push("prometheus-rw="+base+"/api/v1/write", labels, 300*time.Millisecond, os.Getenv)
	if err != nil || !ok {
		t.Fatalf("Push: %v %v", ok, err)
	}
	scrape := NewScrape(labels)
	if err := scrape.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer scrape.Close()
	metricsURL := "http://" + scrape.Addr() + "/metrics"
	var live string
	served, warnings := runTest(t, 2*time.Second, func() {
		time.Sleep(time.Second)
		live = get(t, metricsURL)
	}, push, scrape)
	if len(warnings) > 0 {
		t.Errorf("warnings: %v", warnings)
	}
	for _, want := range []string{`gust_requests_total{method="GET",name="/a",segment="1/2",testid="` + labels.Test + `"}`, `gust_users{segment="1/2",testid="` + labels.Test + `"} 3`, "gust_response_time_seconds_bucket{"} {
		if !strings.Contains(live, want) {
			t.Errorf("/metrics during the run has no %s:\n%s", want, live)
		}
	}
	var total float64
	for _, line := range strings.Split(get(t, metricsURL), "\n") {
		if strings.HasPrefix(line, "gust_requests_total{") {
			var v float64
			fmt.Sscan(line[strings.LastIndex(line, " ")+1:], &v)
			total += v
		}
	}
	if int64(total) != served {
		t.Errorf("/metrics after the stop: %v requests, the server served %d", total, served)
	}
	q := fmt.Sprintf(`sum(max_over_time(gust_requests_total{testid=%q}[5m]))`, labels.Test)
	var got float64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if v, ok := query(t, base, q); ok && int64(v) == served {
			return
		} else {
			got = v
		}
	}
	t.Errorf("Prometheus's last total %v, the server served %d", got, served)
}

// A database that cannot be reached does not fail the run: a warning names the error.
func TestPushToNowhereWarns(t *testing.T) {
	ln := httptest.NewServer(http.NotFoundHandler())
	url := ln.URL + "/api/v1/write"
	ln.Close() // a loopback port nothing listens on
	push, _, err := Push("prometheus-rw="+url, Labels{Test: "x", Segment: "0/1"}, 100*time.Millisecond, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	served, warnings := runTest(t, 500*time.Millisecond, nil, push)
	if served == 0 || len(warnings) != 1 || !strings.Contains(warnings[0], "--out prometheus-rw") {
		t.Errorf("served %d, warnings %q; want requests and one warning naming the output", served, warnings)
	}
}
