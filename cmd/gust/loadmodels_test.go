package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gustIn runs the binary in dir with extra environment variables.
func gustIn(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("gust %v did not finish in 60s", args)
	}
	return result{cmd.ProcessState.ExitCode(), o.String(), e.String()}
}

// writeFiles writes name/content pairs into a new temp dir and returns it.
func writeFiles(t *testing.T, pairs ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i < len(pairs); i += 2 {
		if err := os.WriteFile(filepath.Join(dir, pairs[i]), []byte(pairs[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readResult reads the --json file.
func readResult(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

const openScript = `import { HttpUser } from "gust";
export class R extends HttpUser {
  static waitTime = () => 60; // ignored by the open model
  static tasks = { slow: 1 };
  slow() { this.client.get("/slow?ms=" + (env.MS || 50)); }
}
`

func TestOpenModel(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		ms             string
		served, tol    int64
		dropped        bool
		servedPlusDrop int64
	}{
		{name: "rate 200 for 2 s", args: []string{"--rate", "200", "-u", "50", "-t", "2s"}, ms: "50", served: 400, tol: 8},
		{name: "iterations cap the rate", args: []string{"--rate", "200", "-u", "20", "-i", "50"}, ms: "10", served: 50},
		{name: "a small pool drops", args: []string{"--rate", "100", "-u", "2", "-t", "1s"}, ms: "200", dropped: true, servedPlusDrop: 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, base := sampleAPI(t)
			dir := writeFiles(t, "rate.js", openScript)
			args := append([]string{"run", "--headless", "-H", base, "--json", "out.json", "-e", "MS=" + tc.ms}, tc.args...)
			res := gustIn(t, dir, nil, append(args, "rate.js")...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			served := srv.ServedPath("/slow")
			out := readResult(t, filepath.Join(dir, "out.json"))
			dropped, ok := out["dropped"].(float64)
			if !ok {
				t.Fatalf("no \"dropped\" key in the JSON result: %v", out["dropped"])
			}
			if tc.dropped {
				if dropped == 0 || served+int64(dropped) != tc.servedPlusDrop {
					t.Errorf("served %d + dropped %v, want %d arrivals with some dropped", served, dropped, tc.servedPlusDrop)
				}
				if !strings.Contains(res.stdout, "arrivals found no free user") {
					t.Errorf("the summary does not report the drops:\n%s", res.stdout)
				}
				return
			}
			// Every arrival is served or dropped; a pool this size drops none on a quiet machine,
			// and at most a few (tol) when a busy one wakes the pacer late.
			if tc.tol == 0 && (served != tc.served || dropped != 0) {
				t.Errorf("served %d and dropped %v, want %d served", served, dropped, tc.served)
			}
			if tc.tol > 0 && (served+int64(dropped) != tc.served || int64(dropped) > tc.tol) {
				t.Errorf("served %d + dropped %v, want %d arrivals, at most %d dropped", served, dropped, tc.served, tc.tol)
			}
		})
	}
}

func TestStagesAndShapeSamplesEnd(t *testing.T) {
	samples := filepath.Join("..", "..", "samples")
	tests := []struct {
		name   string
		script string
		env    []string
		within time.Duration
	}{
		{"stages", filepath.Join(samples, "stages.js"), []string{"STAGE_SECONDS=0.3"}, 6 * time.Second},
		{"step load", filepath.Join(samples, "stepload.js"), []string{"STEP_SECONDS=0.3"}, 6 * time.Second},
		{"double wave", filepath.Join(samples, "doublewave.js"), []string{"WAVE_SECONDS=1.5"}, 6 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, base := sampleAPI(t)
			abs, _ := filepath.Abs(tc.script)
			start := time.Now()
			res := gustIn(t, t.TempDir(), tc.env, "run", "--headless", "-H", base, abs)
			if res.code != 0 {
				t.Fatalf("exit %d: %s\n%s", res.code, res.stderr, res.stdout)
			}
			if el := time.Since(start); el > tc.within {
				t.Errorf("took %v", el)
			}
			if !strings.Contains(res.stdout, "load shape ended") {
				t.Errorf("stop reason missing:\n%s", res.stdout)
			}
			if srv.Served() == 0 {
				t.Error("nothing was served")
			}
		})
	}
}

func TestConfigPrecedence(t *testing.T) {
	_, base := sampleAPI(t)
	script := `import { HttpUser, constant } from "gust";
export const options = { users: 2, iterations: 4 };
export class U extends HttpUser { static waitTime = constant(0); static tasks = { a: 1 }; a() { this.client.get("/"); } }
`
	toml := "# settings\n[gust]\nusers = 3 # more users\nheadless = true\nspawn-rate = 100\ntags = []\nhost = \"" + base + "\"\n"
	tests := []struct {
		name  string
		files []string
		env   []string
		args  []string
		users float64
	}{
		{"options", []string{"s.js", script}, nil, []string{"--headless", "-H", base}, 2},
		{"gust.toml over options", []string{"s.js", script, "gust.toml", toml}, nil, nil, 3},
		{"--config FILE", []string{"s.js", script, "other.toml", strings.Replace(toml, "users = 3", "users = 6", 1)}, nil, []string{"--config", "other.toml"}, 6},
		{"GUST_* over the file", []string{"s.js", script, "gust.toml", toml}, []string{"GUST_USERS=4"}, nil, 4},
		{"flags over all", []string{"s.js", script, "gust.toml", toml}, []string{"GUST_USERS=4"}, []string{"-u", "5"}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files...)
			args := append(append([]string{"run", "--json", "r.json"}, tc.args...), "s.js")
			res := gustIn(t, dir, tc.env, args...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			run, _ := readResult(t, filepath.Join(dir, "r.json"))["run"].(map[string]any)
			if run["users"] != tc.users {
				t.Errorf("users %v, want %v", run["users"], tc.users)
			}
		})
	}
}

func TestBadConfigNamesFileAndLine(t *testing.T) {
	script := "import { HttpUser } from \"gust\";\nexport class U extends HttpUser { static tasks = { a: 1 }; a() {} }\n"
	tests := []struct{ toml, want string }{
		{"users = 3\nusers = 4\n", "gust.toml:2: users is set twice"},
		{"users = three\n", "gust.toml:1: users: bad value \"three\""},
		{"colour = \"red\"\n", "gust.toml:1: unknown setting \"colour\""},
		{"host = \"unterminated\n", "gust.toml:1: host: unterminated string"},
		{"[locust]\n", "gust.toml:1: table [locust]"},
		{"\nusers = \"many\"\n", "gust.toml:2: bad users"},
		{"run-time = [\"1s\"]\n", "gust.toml:1: bad run-time: takes one value"},
	}
	for _, tc := range tests {
		dir := writeFiles(t, "s.js", script, "gust.toml", tc.toml)
		res := gustIn(t, dir, nil, "run", "--headless", "-H", "http://127.0.0.1:1", "s.js")
		if res.code != 2 || !strings.Contains(res.stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.toml, res.code, res.stderr, tc.want)
		}
	}
	if res := gust(t, "run", "--config", "/nonexistent.toml", "--headless", "x.js"); res.code != 2 {
		t.Errorf("a missing --config file: exit %d", res.code)
	}
}

func TestSetupAndTeardownEndToEnd(t *testing.T) {
	srv, base := sampleAPI(t)
	dir := writeFiles(t, "s.js", `import { HttpUser, constant } from "gust";
export function setup() { return { id: client.get("/items/3").json().id }; }
export function teardown(data) { client.get("/status/" + (201 + data.id)); }
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { a: 1 };
  a() { this.client.get("/status/" + (200 + setupData.id)); }
}
`, "fail.js", `import { HttpUser } from "gust";
export function setup() { throw new Error("cannot log in"); }
export class U extends HttpUser { static tasks = { a: 1 }; a() { this.client.get("/"); } }
`)
	res := gustIn(t, dir, nil, "run", "--headless", "-H", base, "-u", "3", "-i", "30", "s.js")
	if res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	for p, want := range map[string]int64{"/items/3": 1, "/status/203": 30, "/status/204": 1} {
		if got := srv.ServedPath(p); got != want {
			t.Errorf("%s served %d, want %d", p, got, want)
		}
	}
	srv.Reset()
	res = gustIn(t, dir, nil, "run", "--headless", "-H", base, "-u", "3", "-i", "30", "fail.js")
	if res.code != 2 || !strings.Contains(res.stderr, "setup() failed: Error: cannot log in") || !strings.Contains(res.stderr, "fail.js:2") {
		t.Errorf("a failing setup: exit %d, stderr %q", res.code, res.stderr)
	}
	if srv.Served() != 0 {
		t.Errorf("users ran after a failing setup: %d requests", srv.Served())
	}
}

func TestSeveralScriptFiles(t *testing.T) {
	srv, base := sampleAPI(t)
	a := "import { HttpUser, constant } from \"gust\";\nexport class A extends HttpUser { static waitTime = constant(0.02); static tasks = { a: 1 }; a() { this.client.get(\"/items/1\"); } }\n"
	b := "import { HttpUser, constant } from \"gust\";\nexport class B extends HttpUser { static waitTime = constant(0.02); static tasks = { b: 1 }; b() { this.client.get(\"/items/2\"); } }\n"
	dir := writeFiles(t, "a.js", a, "b.js", b)
	for _, arg := range []string{"a.js,b.js", "."} {
		srv.Reset()
		res := gustIn(t, dir, nil, "run", "--headless", "-H", base, "-u", "2", "-r", "0", "-i", "40", arg)
		if res.code != 0 {
			t.Fatalf("%s: exit %d: %s", arg, res.code, res.stderr)
		}
		if x, y := srv.ServedPath("/items/1"), srv.ServedPath("/items/2"); x+y != 40 || x == 0 || y == 0 {
			t.Errorf("%s: A served %d, B %d", arg, x, y)
		}
		if res := gustIn(t, dir, nil, "run", "-l", arg); res.stdout != "A\nB\n" {
			t.Errorf("%s: --list printed %q", arg, res.stdout)
		}
	}
	clash := writeFiles(t, "a.js", a, "c.js", strings.Replace(b, "class B", "class A", 1))
	if res := gustIn(t, clash, nil, "run", "--headless", "-H", base, "."); res.code != 2 || !strings.Contains(res.stderr, "a.js") || !strings.Contains(res.stderr, "c.js") {
		t.Errorf("a clash: exit %d, stderr %q", res.code, res.stderr)
	}
}

func TestHelpDocumentsLoadModelFlags(t *testing.T) {
	res := gust(t, "help", "run")
	for _, want := range []string{"--rate", "--config", "gust.toml"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("gust help run does not mention %s", want)
		}
	}
}
