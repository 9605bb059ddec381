package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gustload/gust/samples/api"
)

// bin is the gust binary built once for the end-to-end tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gust-e2e-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "gust")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		panic("go build: " + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// gust runs the binary with a time limit and returns its exit code and output.
func gust(t *testing.T, args ...string) result {
	t.Helper()
	return gustIn(t, "", nil, args...)
}

func sampleAPI(t *testing.T) (*api.Server, string) {
	t.Helper()
	srv := api.New()
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, base
}

// readCSV returns the rows of a CSV file, header first.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

const locustStatsHeader = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"

// aggregated returns the Aggregated row's request and failure counts.
func aggregated(t *testing.T, rows [][]string) (reqs, fails int64) {
	t.Helper()
	if strings.Join(rows[0], ",") != locustStatsHeader {
		t.Fatalf("stats header %q", strings.Join(rows[0], ","))
	}
	for _, r := range rows[1:] {
		if r[1] == "Aggregated" {
			reqs, _ = strconv.ParseInt(r[2], 10, 64)
			fails, _ = strconv.ParseInt(r[3], 10, 64)
			return
		}
	}
	t.Fatal("no Aggregated row")
	return
}

func TestSamplesAgainstTheSampleAPI(t *testing.T) {
	samples := []struct {
		file     string
		args     []string
		wantCode int
	}{
		{"locustfile.js", []string{"-u", "4", "-r", "100", "-i", "8"}, 0},
		{"login.js", []string{"-u", "3", "-r", "100", "-i", "12"}, 0},
		{"journey.js", []string{"-u", "2", "-r", "100", "-i", "24"}, 0},
		{"predict.js", []string{"-u", "2", "-r", "100", "-i", "20"}, 0},
		{"typed.ts", []string{"-u", "2", "-r", "100", "-i", "10"}, 0},
		{"failing.js", []string{"-u", "2", "-r", "100", "-i", "30"}, 1},
	}
	for _, s := range samples {
		t.Run(s.file, func(t *testing.T) {
			srv, base := sampleAPI(t)
			dir := t.TempDir()
			args := append([]string{"run", "--headless", "-H", base, "--only-summary", "--csv", filepath.Join(dir, "r"), "--json", filepath.Join(dir, "r.json")}, s.args...)
			args = append(args, filepath.Join("..", "..", "samples", s.file))
			res := gust(t, args...)
			if res.code != s.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, s.wantCode, res.stdout, res.stderr)
			}
			reqs, fails := aggregated(t, readCSV(t, filepath.Join(dir, "r_stats.csv")))
			if served := srv.Served(); served != reqs || reqs == 0 {
				t.Errorf("the API served %d requests, gust counted %d", served, reqs)
			}
			if (fails > 0) != (s.wantCode == 1) {
				t.Errorf("%d failures with exit %d", fails, res.code)
			}
			var j map[string]any
			b, err := os.ReadFile(filepath.Join(dir, "r.json"))
			if err != nil || json.Unmarshal(b, &j) != nil {
				t.Fatalf("JSON result unreadable: %v", err)
			}
			if total, _ := j["total"].(map[string]any); total == nil || total["requests"].(float64) != float64(reqs) {
				t.Errorf("JSON total %v, CSV %d", j["total"], reqs)
			}
			if !strings.Contains(res.stdout, "Aggregated") {
				t.Errorf("no summary printed:\n%s", res.stdout)
			}
		})
	}
}

func TestWeightsAndServerCount(t *testing.T) {
	srv, base := sampleAPI(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "w.js")
	os.WriteFile(script, []byte(`import { HttpUser, constant } from "gust";
export class W extends HttpUser {
  static waitTime = constant(0);
  static tasks = { a: 3, b: 1 };
  a() { this.client.get("/"); }
  b() { this.client.get("/items/"); }
}
`), 0o644)
	res := gust(t, "run", "--headless", "-H", base, "-u", "5", "-r", "50", "-i", "4000", "--csv", filepath.Join(dir, "w"), script)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if srv.Served() != 4000 {
		t.Errorf("-i 4000 served %d", srv.Served())
	}
	a, b := srv.ServedPath("/"), srv.ServedPath("/items/")
	if ratio := float64(a) / float64(b); ratio < 2.6 || ratio > 3.4 {
		t.Errorf("weights 3:1 gave %d:%d", a, b)
	}
}

func TestBadInputExitsTwoAndSendsNothing(t *testing.T) {
	srv, base := sampleAPI(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.js")
	os.WriteFile(good, []byte("import { HttpUser } from \"gust\";\nexport class U extends HttpUser {\n  static tasks = { a: 1 };\n  a() { this.client.get(\"/\"); }\n}\n"), 0o644)
	bad := filepath.Join(dir, "bad.js")
	os.WriteFile(bad, []byte("import { HttpUser } from \"gust\";\nexport class U extends HttpUser {\n  static tasks = { a: 1 };\n  a() { this.client.get(\"/\" }\n}\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"syntax error", []string{"-t", "2s", bad}, "bad.js:4"},
		{"bad duration", []string{"-t", "5x", good}, `"5x"`},
		{"bad host", []string{"-H", "not a url", "-t", "1s", good}, `"not a url"`},
		{"unknown class", []string{"-t", "1s", good, "Nobody"}, `"Nobody"`},
		{"bad env", []string{"-e", "NOEQUALS", good}, `"NOEQUALS"`},
		{"missing script", []string{"-t", "1s", filepath.Join(dir, "none.js")}, "none.js"},
		{"unknown flag", []string{"--frobnicate", good}, "frobnicate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"run", "--headless", "-H", base}
			res := gust(t, append(args, tc.args...)...)
			if res.code != 2 {
				t.Fatalf("exit %d, want 2; stderr %s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, tc.want) {
				t.Errorf("stderr %q lacks %s", res.stderr, tc.want)
			}
		})
	}
	if srv.Served() != 0 {
		t.Errorf("bad input still sent %d requests", srv.Served())
	}
}

func TestSIGINTStopsGracefullyAndWritesReports(t *testing.T) {
	_, base := sampleAPI(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "run", "--headless", "-H", base, "-u", "3", "-r", "10", "-t", "60s", "--csv", filepath.Join(dir, "s"), filepath.Join("..", "..", "samples", "locustfile.js"))
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	waitExit(t, cmd, 15*time.Second, "SIGINT did not stop the run")
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit %d after SIGINT", code)
	}
	reqs, _ := aggregated(t, readCSV(t, filepath.Join(dir, "s_stats.csv")))
	if reqs == 0 {
		t.Error("no requests in the report written after SIGINT")
	}
	if !strings.Contains(out.String(), "interrupted") {
		t.Errorf("summary does not say why it stopped:\n%s", out.String())
	}
}

func TestSingleUserListAndRatio(t *testing.T) {
	_, base := sampleAPI(t)
	journey := filepath.Join("..", "..", "samples", "journey.js")
	res := gust(t, "run", "--single-user", "-H", base, journey)
	if res.code != 0 {
		t.Fatalf("exit %d: %s %s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"POST", "/checkout", "200", "order_id"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("--single-user output lacks %q:\n%s", want, res.stdout)
		}
	}
	if res := gust(t, "run", "-l", journey); res.code != 0 || strings.TrimSpace(res.stdout) != "Shopper" {
		t.Errorf("--list printed %q (exit %d)", res.stdout, res.code)
	}
	if res := gust(t, "run", "--show-task-ratio", filepath.Join("..", "..", "samples", "login.js")); !strings.Contains(res.stdout, "75.0") {
		t.Errorf("--show-task-ratio lacks viewItem's 75%%:\n%s", res.stdout)
	}
}

func TestDemo(t *testing.T) {
	res := gust(t, "demo", "-t", "2s")
	if res.code != 0 || !strings.Contains(res.stdout, "Aggregated") {
		t.Fatalf("demo exit %d:\n%s\n%s", res.code, res.stdout, res.stderr)
	}
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	res := gust(t, "help", "run")
	for _, want := range []string{"--users", "--run-time", "Exit codes", "3  a threshold"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("gust help run lacks %q", want)
		}
	}
}

func TestEndlessLoopIsInterruptedAtTheStopTimeout(t *testing.T) {
	srv, base := sampleAPI(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "loop.js")
	os.WriteFile(script, []byte(`import { HttpUser } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() { this.client.get("/"); while (true) {} }
}
`), 0o644)
	start := time.Now()
	res := gust(t, "run", "--headless", "-H", base, "-u", "2", "-r", "100", "-t", "500ms", "-s", "500ms", "--csv", filepath.Join(dir, "l"), script)
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("an endless loop held the run for %v", el)
	}
	if res.code != 0 {
		t.Errorf("exit %d: %s", res.code, res.stderr)
	}
	reqs, _ := aggregated(t, readCSV(t, filepath.Join(dir, "l_stats.csv")))
	if reqs != 2 || srv.Served() != 2 {
		t.Errorf("counted %d requests, served %d; want 2 and 2", reqs, srv.Served())
	}
}

func TestDroppedArrivalsAreReported(t *testing.T) {
	_, base := sampleAPI(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "slow.js")
	os.WriteFile(script, []byte(`import { HttpUser } from "gust";
export class U extends HttpUser {
  static tasks = { slow: 1 };
  slow() { this.client.get("/slow?ms=300"); }
}
`), 0o644)
	res := gust(t, "run", "--headless", "-H", base, "--rate", "40", "-u", "2", "-t", "2s", "--only-summary",
		"--csv", filepath.Join(dir, "d"), "--json", filepath.Join(dir, "d.json"), script)
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "Dropped:") || !strings.Contains(res.stdout, "(open model arrivals)") {
		t.Errorf("the summary does not report the drops:\n%s", res.stdout)
	}
	var dropped int64
	for _, row := range readCSV(t, filepath.Join(dir, "d_failures.csv"))[1:] {
		if row[1] == "(open model arrivals)" {
			dropped, _ = strconv.ParseInt(row[3], 10, 64)
		}
	}
	var j struct{ Dropped int64 }
	b, _ := os.ReadFile(filepath.Join(dir, "d.json"))
	json.Unmarshal(b, &j)
	// 2 users at 300 ms serve about 13 of 80 arrivals; the rest are dropped.
	if dropped < 40 || dropped != j.Dropped {
		t.Errorf("failures CSV lists %d dropped arrivals, JSON %d; want the same, at least 40", dropped, j.Dropped)
	}
}

func TestSecondSIGINTStopsAtOnceAndStillWritesReports(t *testing.T) {
	_, base := sampleAPI(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "long.js")
	os.WriteFile(script, []byte(`import { HttpUser, sleep } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() { this.client.get("/"); sleep(60); }
}
`), 0o644)
	cmd := exec.Command(bin, "run", "--headless", "-H", base, "-u", "2", "-r", "100", "-s", "60s", "-t", "60s",
		"--only-summary", "--csv", filepath.Join(dir, "k"), script)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	cmd.Process.Signal(syscall.SIGINT) // graceful: the tasks would get 60 s
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT) // at once
	waitExit(t, cmd, 10*time.Second, "a second SIGINT did not stop the run")
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the second SIGINT took %v", el)
	}
	if reqs, _ := aggregated(t, readCSV(t, filepath.Join(dir, "k_stats.csv"))); reqs != 2 {
		t.Errorf("the report written after two SIGINTs counts %d requests, want 2", reqs)
	}
}

func TestScriptErrorsOutsideTasks(t *testing.T) {
	srv, base := sampleAPI(t)
	dir := t.TempDir()
	ctor := filepath.Join(dir, "ctor.js")
	os.WriteFile(ctor, []byte(`import { HttpUser } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  constructor() { super(); throw new Error("bad ctor"); }
  a() {}
}
`), 0o644)
	res := gust(t, "run", "--headless", "-H", base, "-u", "2", "-r", "100", "-t", "5s", "--only-summary", ctor)
	if res.code != 1 || !strings.Contains(res.stderr, "ctor.js:4") {
		t.Errorf("a throwing constructor: exit %d, stderr %q; want 1 and ctor.js:4", res.code, res.stderr)
	}
	stop := filepath.Join(dir, "stop.js")
	os.WriteFile(stop, []byte(`import { HttpUser, StopTest } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  onStart() { this.client.get("/"); throw new StopTest("enough"); }
  onStop() { this.client.get("/items/"); }
  a() { this.client.get("/never"); }
}
`), 0o644)
	res = gust(t, "run", "--headless", "-H", base, "-u", "1", "-t", "20s", "--only-summary", stop)
	// StopTest("enough") makes its message the stop reason.
	if res.code != 0 || !strings.Contains(res.stdout, "Stopped: enough after") {
		t.Errorf("StopTest in onStart: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if srv.ServedPath("/") != 1 || srv.ServedPath("/items/") != 1 || srv.ServedPath("/never") != 0 {
		t.Errorf("served / %d, /items/ %d, /never %d; want 1, 1 (onStop ran), 0", srv.ServedPath("/"), srv.ServedPath("/items/"), srv.ServedPath("/never"))
	}
}

func TestCtrlCCutsTeardownShort(t *testing.T) {
	_, base := sampleAPI(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "td.js")
	os.WriteFile(script, []byte(`import { HttpUser, sleep } from "gust";
export function teardown() { sleep(30); }
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() { this.client.get("/"); }
}
`), 0o644)
	cmd := exec.Command(bin, "run", "--headless", "-H", base, "-u", "1", "-i", "3", "--only-summary", "--csv", filepath.Join(dir, "td"), script)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // the 3 iterations are long done: teardown sleeps
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	waitExit(t, cmd, 10*time.Second, "Ctrl-C did not cut teardown short")
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("teardown held the exit for %v after Ctrl-C", el)
	}
	if reqs, _ := aggregated(t, readCSV(t, filepath.Join(dir, "td_stats.csv"))); reqs != 3 {
		t.Errorf("the report counts %d requests, want 3", reqs)
	}
}

// waitExit waits for a started gust to exit, killing it and failing the test after limit.
func waitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration, failure string) {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		cmd.Process.Kill()
		t.Fatal(failure)
	}
}

// --max-memory: crossing it stops the test at once with the reason, writes the reports and
// exits 1; a size that does not parse is exit 2 naming it.
func TestMaxMemory(t *testing.T) {
	_, base := sampleAPI(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "m.js")
	os.WriteFile(script, []byte(`import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0.01);
  static tasks = { a: 1 };
  a() { this.client.get("/"); }
}
`), 0o644)
	res := gust(t, "run", "--headless", "-H", base, "-u", "2", "-r", "100", "-t", "30s", "--max-memory", "1KB",
		"--csv", filepath.Join(dir, "m"), "--only-summary", script)
	if res.code != exitFailures || !strings.Contains(res.stderr+res.stdout, "memory limit reached") {
		t.Errorf("--max-memory 1KB: exit %d, want 1 and the reason\n%s%s", res.code, res.stdout, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "m_stats.csv")); err != nil {
		t.Errorf("no report after the memory limit: %v", err)
	}
	if res := gust(t, "run", "--headless", "-H", base, "--max-memory", "lots", script); res.code != exitUsage || !strings.Contains(res.stderr, `"lots"`) {
		t.Errorf("--max-memory lots: exit %d, stderr %q", res.code, res.stderr)
	}
}
