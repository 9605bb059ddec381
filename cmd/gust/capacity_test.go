package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// limitedServer serves one request at a time in 20 ms: at most 50 a second; past that its
// queue and its latency climb.
func limitedServer(t *testing.T) string {
	t.Helper()
	worker := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case worker <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		time.Sleep(20 * time.Millisecond)
		<-worker
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// --find-capacity end to end: the rate found lands in the service's band, the JSON result
// records it with its steps, the HTML report charts them, and the exit code is 0.
func TestFindCapacity(t *testing.T) {
	base := limitedServer(t)
	dir := writeFiles(t, "cap.js", `import { HttpUser } from "gust";
export class U extends HttpUser { static tasks = { t: 1 }; t() { this.client.get("/cap"); } }
`)
	r := gustIn(t, dir, nil, "run", "--headless", "-H", base, "--find-capacity", "--rate", "10", "--capacity-step", "1s",
		"--threshold", "p95<150ms", "--threshold", "fail_ratio<1%", "-u", "100", "--json", "cap.json", "--html", "cap.html", "--only-summary", "cap.js")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	res := readResult(t, filepath.Join(dir, "cap.json"))
	c, _ := res["capacity"].(map[string]any)
	rate, _ := c["rate"].(float64)
	steps, _ := c["steps"].([]any)
	if rate < 25 || rate > 60 || len(steps) < 4 || c["limit"] == "" {
		t.Fatalf("capacity %v/s in %d steps, limit %v (want 25..60/s)\n%s", rate, len(steps), c["limit"], r.stdout)
	}
	first := steps[0].(map[string]any)
	for _, k := range []string{"rate", "p95_ms", "fail_ratio", "held", "broken"} {
		if _, ok := first[k]; !ok {
			t.Errorf("a step lacks %q: %v", k, first)
		}
	}
	if !strings.Contains(r.stdout, "Capacity: ") {
		t.Errorf("the summary does not print the capacity:\n%s", r.stdout)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "cap.html"))
	if !strings.Contains(string(html), `id="chart-capacity"`) || strings.Count(string(html), "held</td>") < 2 {
		t.Errorf("the HTML report lacks the capacity chart or its steps")
	}
}

func TestFindCapacityMistakesExitTwo(t *testing.T) {
	dir := writeFiles(t, "cap.js", "import { HttpUser } from \"gust\";\nexport class U extends HttpUser { static tasks = { t: 1 }; t() {} }\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--headless", "--find-capacity"}, "needs at least one --threshold"},
		{[]string{"--find-capacity", "--threshold", "p95<1s"}, "add --headless"},
		{[]string{"--headless", "--find-capacity", "--threshold", "p95<1s", "--capacity-factor", "0.5"}, "--capacity-factor 0.5"},
		{[]string{"--headless", "--find-capacity", "--threshold", "p95<1s", "-i", "10"}, "bad --iterations 10"},
	}
	for _, tc := range tests {
		r := gustIn(t, dir, nil, append(append([]string{"run", "-H", "http://127.0.0.1:1"}, tc.args...), "cap.js")...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
