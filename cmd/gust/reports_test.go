package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// writeScript writes a locustfile into dir and returns its path.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const slowScript = `import { HttpUser, constant } from "gust";
export const options = { thresholds: %s };
export class S extends HttpUser {
  static waitTime = constant(0);
  static tasks = { slow: 1 };
  slow() { this.client.get("/slow?ms=20", { name: "/slow" }); }
}
`

const failingScript = `import { HttpUser, constant } from "gust";
export class F extends HttpUser {
  static waitTime = constant(0);
  static tasks = { ok: 1, missing: 1 };
  ok() { this.client.get("/slow?ms=20", { name: "/slow" }); }
  missing() { this.client.get("/status/404", { name: "/status/404" }); }
}
`

func TestThresholdExitCodes(t *testing.T) {
	_, base := sampleAPI(t)
	dir := t.TempDir()
	slow := writeScript(t, dir, "slow.js", strings.Replace(slowScript, "%s", "[]", 1))
	failing := writeScript(t, dir, "failing.js", failingScript)
	tests := []struct {
		name    string
		script  string
		args    []string
		want    int
		verdict string // expected in stdout
	}{
		{"kept", slow, []string{"--threshold", "p95<500ms", "--threshold", "med>=19ms"}, 0, "all 2 thresholds passed"},
		{"crossed", slow, []string{"--threshold", "p95<5ms"}, 3, "✗ p95<5ms"},
		{"crossed per name", slow, []string{"--threshold", "'GET /slow': max<10ms"}, 3, "(GET /slow: "},
		{"kept per name, any method", slow, []string{"--threshold", "/slow:count>=10"}, 0, "✓ /slow:count>=10"},
		{"k6 built-in names", slow, []string{"--threshold", "http_req_duration: p(95)<500", "--threshold", "http_reqs: count>=20",
			"--threshold", "http_req_failed: rate<0.01", "--threshold", "iterations: count>=20"}, 0, "all 4 thresholds passed"},
		{"k6 iterations crossed", slow, []string{"--threshold", "iterations: count>20"}, 3, "✗ iterations: count>20"},
		{"failures only", failing, nil, 1, ""},
		{"failures, kept threshold", failing, []string{"--threshold", "p95<500ms"}, 1, "✓ p95<500ms"},
		{"failures and crossed: 3 wins", failing, []string{"--threshold", "fail_ratio<1%"}, 3, "✗ fail_ratio<1%"},
		{"failures ignored", failing, []string{"--exit-code-on-error", "0"}, 0, ""},
		{"failures ignored, crossed", failing, []string{"--exit-code-on-error", "0", "--threshold", "fail_ratio<1%"}, 3, ""},
		{"failures with own code", failing, []string{"--exit-code-on-error", "7"}, 7, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"run", "--headless", "--only-summary", "-H", base, "-u", "2", "-r", "100", "-i", "20"}, tc.args...)
			res := gust(t, append(args, tc.script)...)
			if res.code != tc.want {
				t.Fatalf("exit %d, want %d\n%s%s", res.code, tc.want, res.stdout, res.stderr)
			}
			if !strings.Contains(res.stdout, tc.verdict) {
				t.Errorf("stdout lacks %q:\n%s", tc.verdict, res.stdout)
			}
		})
	}
}

func TestScriptThresholds(t *testing.T) {
	srv, base := sampleAPI(t)
	dir := t.TempDir()
	tests := []struct {
		name, options string
		want          int
		out           string // in stdout, or in stderr for exit 2
	}{
		{"array", `["p95<500ms", "'GET /slow': p50>=19ms"]`, 0, "all 2 thresholds passed"},
		{"k6 object", `{ "GET /slow": ["p95<5ms"], "*": "count>=10" }`, 3, "✗ 'GET /slow': p95<5ms"},
		{"bad expression", `["p95<<5ms"]`, 2, `bad threshold "p95<<5ms"`},
		{"bad unit", `{ "/slow": ["p95<5%"] }`, 2, `bad threshold "p95<5%"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.Served()
			script := writeScript(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".js", strings.Replace(slowScript, "%s", tc.options, 1))
			res := gust(t, "run", "--headless", "--only-summary", "-H", base, "-u", "2", "-r", "100", "-i", "20", script)
			if res.code != tc.want {
				t.Fatalf("exit %d, want %d\n%s%s", res.code, tc.want, res.stdout, res.stderr)
			}
			if got := res.stdout + res.stderr; !strings.Contains(got, tc.out) {
				t.Errorf("output lacks %q:\n%s", tc.out, got)
			}
			if tc.want == 2 && srv.Served() != before {
				t.Errorf("a bad threshold still sent %d requests", srv.Served()-before)
			}
		})
	}
}

func TestBadThresholdFlagExitsTwoBeforeSending(t *testing.T) {
	srv, base := sampleAPI(t)
	script := writeScript(t, t.TempDir(), "s.js", strings.Replace(slowScript, "%s", "[]", 1))
	for _, expr := range []string{"p95<", "latency<3ms", "p95==3ms", "fail_ratio<50"} {
		res := gust(t, "run", "--headless", "-H", base, "-t", "2s", "--threshold", expr, script)
		if res.code != 2 || !strings.Contains(res.stderr, strconv.Quote(expr)) {
			t.Errorf("--threshold %q: exit %d, stderr %q; want 2 naming it", expr, res.code, res.stderr)
		}
	}
	if srv.Served() != 0 {
		t.Errorf("bad thresholds still sent %d requests", srv.Served())
	}
}

func TestReportFiles(t *testing.T) {
	_, base := sampleAPI(t)
	dir := t.TempDir()
	script := writeScript(t, dir, "f.js", failingScript)
	prefix := filepath.Join(dir, "r")
	res := gust(t, "run", "--headless", "-H", base, "-u", "2", "-r", "100", "-t", "3s", "--print-stats", "1s",
		"--csv", prefix, "--csv-full-history", "--json", prefix+".json", "--html", prefix+".html",
		"--threshold", "p95<500ms", script)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1: %s", res.code, res.stderr)
	}
	// Not a terminal: Locust's table with current rates every --print-stats.
	if n := strings.Count(res.stdout, "req/s  failures/s"); n < 3 {
		t.Errorf("%d tables printed in a 3 s run with --print-stats 1s, want one a second and the summary", n)
	}

	headers := map[string]string{
		"_stats.csv":         locustStatsHeader,
		"_stats_history.csv": "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size",
		"_failures.csv":      "Method,Name,Error,Occurrences",
		"_exceptions.csv":    "Count,Message,Traceback,Nodes",
	}
	for suffix, want := range headers {
		rows := readCSV(t, prefix+suffix)
		if got := strings.Join(rows[0], ","); got != want {
			t.Errorf("%s header\n%s\nwant\n%s", suffix, got, want)
		}
	}

	// One Aggregated row a second (and one at the stop), per-name rows before it.
	var secs []int64
	names := map[string]bool{}
	for _, row := range readCSV(t, prefix+"_stats_history.csv")[1:] {
		names[row[3]] = true
		if row[3] == "Aggregated" {
			ts, _ := strconv.ParseInt(row[0], 10, 64)
			secs = append(secs, ts)
		}
	}
	if len(secs) < 3 || len(secs) > 5 {
		t.Errorf("%d Aggregated history rows for a 3 s run: %v", len(secs), secs)
	}
	for i := 1; i < len(secs); i++ {
		if secs[i] != secs[i-1]+1 {
			t.Errorf("history seconds %v are not one apart", secs)
		}
	}
	if !names["/slow"] || !names["/status/404"] {
		t.Errorf("--csv-full-history rows for %v", names)
	}

	b, err := os.ReadFile(prefix + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Version    int              `json:"version"`
		Run        map[string]any   `json:"run"`
		Total      map[string]any   `json:"total"`
		Entries    []map[string]any `json:"entries"`
		Errors     []map[string]any `json:"errors"`
		Thresholds []map[string]any `json:"thresholds"`
		TimeSeries []map[string]any `json:"time_series"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	if j.Version != 2 {
		t.Errorf("version %d", j.Version)
	}
	for _, k := range []string{"script", "host", "users", "spawn_rate", "run_time_s", "stop_reason", "gust_version"} {
		if _, ok := j.Run[k]; !ok {
			t.Errorf("run lacks %q: %v", k, j.Run)
		}
	}
	if j.Run["stop_reason"] != "run time reached" || j.Run["users"] != 2.0 {
		t.Errorf("run %v", j.Run)
	}
	if j.Total["histogram"] == nil || len(j.Entries) != 2 || len(j.Errors) != 1 {
		t.Errorf("total %v, %d entries, %d errors", j.Total, len(j.Entries), len(j.Errors))
	}
	if len(j.Thresholds) != 1 || j.Thresholds[0]["passed"] != true || j.Thresholds[0]["expr"] != "p95<500ms" {
		t.Errorf("thresholds %v", j.Thresholds)
	}
	if len(j.TimeSeries) != len(secs) || j.TimeSeries[0]["name"] != "Aggregated" {
		t.Errorf("%d time series rows, %d history seconds", len(j.TimeSeries), len(secs))
	}

	page, err := os.ReadFile(prefix + ".html")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?i)<(script|link)[^>]+(src|href)=`).Match(page) {
		t.Error("the HTML report loads another file")
	}
	for _, want := range []string{"uPlot", "chart-rps", "/status/404", "HTTP 404", "✓ passed"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
}

func TestOnlySummaryPrintsNoLiveTable(t *testing.T) {
	_, base := sampleAPI(t)
	script := writeScript(t, t.TempDir(), "s.js", strings.Replace(slowScript, "%s", "[]", 1))
	res := gust(t, "run", "--headless", "--only-summary", "-H", base, "-u", "1", "-t", "2500ms", "--print-stats", "1s", script)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if n := strings.Count(res.stdout, "req/s  failures/s"); n != 1 {
		t.Errorf("%d requests tables with --only-summary, want the summary's alone:\n%s", n, res.stdout)
	}
}
