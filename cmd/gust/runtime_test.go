package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The runtime samples (async, custom metrics and checks, WebSocket) against the sample API:
// each exits 0, every request the API served is counted, and what each shows is in the JSON
// result.
func TestRuntimeSamples(t *testing.T) {
	samples := []struct {
		file string
		args []string
		env  []string
		then func(t *testing.T, dir string, res result, j map[string]any)
	}{
		{"async.js", []string{"-u", "2", "-r", "100", "-i", "12"}, nil, func(t *testing.T, dir string, res result, j map[string]any) {
			for _, c := range checksOf(j) {
				if c["fails"].(float64) != 0 {
					t.Errorf("check failed: %v", c)
				}
			}
			if len(checksOf(j)) < 3 {
				t.Errorf("checks: %v", j["checks"])
			}
		}},
		{"metrics.js", []string{"-u", "2", "-r", "100", "-i", "30"}, nil, func(t *testing.T, dir string, res result, j map[string]any) {
			m, _ := j["metrics"].(map[string]any)
			for name, kind := range map[string]string{"orders": "counter", "cart_value": "trend", "cart_value{size:big}": "trend", "cache_hit": "rate", "queue_depth": "gauge"} {
				got, _ := m[name].(map[string]any)
				if got == nil || got["type"] != kind {
					t.Errorf("metrics[%q] = %v, want a %s", name, got, kind)
				}
			}
			orders := m["orders"].(map[string]any)["count"].(float64)
			if orders < 1 {
				t.Errorf("no orders counted")
			}
			b, err := os.ReadFile(filepath.Join(dir, "metrics-summary.txt"))
			if err != nil {
				t.Fatalf("handleSummary's file: %v", err)
			}
			line := strings.TrimSpace(string(b))
			if !strings.HasPrefix(line, "orders=") || !strings.Contains(res.stdout, line) {
				t.Errorf("handleSummary wrote %q; stdout has it: %v", line, strings.Contains(res.stdout, line))
			}
			for _, want := range []string{"cart_value", "checkout is 200"} {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("the console summary lacks %q", want)
				}
			}
		}},
		{"websocket.js", []string{"-u", "3", "-r", "100", "-i", "3"}, []string{"ROUNDS=2"}, func(t *testing.T, dir string, res result, j map[string]any) {
			m, _ := j["metrics"].(map[string]any)
			for _, name := range []string{"ws_msgs_sent", "ws_msgs_received"} {
				got, _ := m[name].(map[string]any)
				if got == nil || got["count"].(float64) != 6 {
					t.Errorf("%s = %v, want a count of 6 (3 sessions of 2 messages)", name, got)
				}
			}
			rows := readCSV(t, filepath.Join(dir, "r_stats.csv"))
			found := false
			for _, r := range rows {
				found = found || r[0] == "WS" && r[1] == "echo" && r[2] == "3"
			}
			if !found {
				t.Errorf("no WS,echo row with 3 handshakes: %v", rows)
			}
		}},
	}
	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			t.Parallel()
			srv, base := sampleAPI(t)
			dir := t.TempDir()
			script, _ := filepath.Abs(filepath.Join("..", "..", "samples", s.file))
			args := append([]string{"run", "--headless", "-H", base, "--csv", "r", "--json", "r.json"}, s.args...)
			res := gustIn(t, dir, s.env, append(args, script)...)
			if res.code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			reqs, fails := aggregated(t, readCSV(t, filepath.Join(dir, "r_stats.csv")))
			var cached int64
			for _, r := range readCSV(t, filepath.Join(dir, "r_stats.csv")) {
				if r[0] == "cache" {
					cached += atoi(r[2])
				}
			}
			if served := srv.Served(); served != reqs-cached || fails != 0 {
				t.Errorf("the API served %d, gust counted %d (%d of them a custom client's) with %d failures", served, reqs, cached, fails)
			}
			var j map[string]any
			b, err := os.ReadFile(filepath.Join(dir, "r.json"))
			if err != nil || json.Unmarshal(b, &j) != nil {
				t.Fatalf("JSON result unreadable: %v", err)
			}
			s.then(t, dir, res, j)
		})
	}
}

func checksOf(j map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := j["checks"].([]any)
	for _, c := range list {
		if m, ok := c.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
