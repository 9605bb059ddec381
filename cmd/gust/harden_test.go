package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const endlessSetup = `import { HttpUser, constant } from "gust";
export function setup() { while (true) {} }
export class U extends HttpUser { static waitTime = constant(1); static tasks = { t: 1 }; t() { this.client.get("/"); } }
`

func TestEndlessSetupEndsAtRunTimePlusStopTimeout(t *testing.T) {
	srv, base := sampleAPI(t)
	script := filepath.Join(t.TempDir(), "setuploop.js")
	os.WriteFile(script, []byte(endlessSetup), 0o644)
	start := time.Now()
	res := gust(t, "run", "--headless", "-H", base, "-u", "1", "-t", "1s", "-s", "1s", script)
	if res.code != 1 || !strings.Contains(res.stderr, "setup()") || !strings.Contains(res.stderr, "setuploop.js:2") {
		t.Errorf("an endless setup(): exit %d, stderr %q; want 1 and a message naming setup() and setuploop.js:2", res.code, res.stderr)
	}
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("an endless setup() with -t 1s -s 1s took %v", el)
	}
	if srv.Served() != 0 {
		t.Errorf("the test started after setup() was interrupted: %d requests", srv.Served())
	}
}

func TestSecondSIGINTInterruptsAnEndlessSetup(t *testing.T) {
	_, base := sampleAPI(t)
	script := filepath.Join(t.TempDir(), "setuploop.js")
	os.WriteFile(script, []byte(endlessSetup), 0o644)
	cmd := exec.Command(bin, "run", "--headless", "-H", base, "-u", "1", script) // no run time
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	waitExit(t, cmd, 10*time.Second, "two SIGINTs did not end an endless setup()")
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(stderr.String(), "setup() is still running (Ctrl-C again") ||
		!strings.Contains(stderr.String(), "setup() did not finish") {
		t.Errorf("exit %d, stderr %q; want 1 and where it was stuck", code, stderr.String())
	}
}

func TestTaskExceptionsShowInTheHeadlessTerminal(t *testing.T) {
	_, base := sampleAPI(t)
	script := filepath.Join(t.TempDir(), "thrower.js")
	os.WriteFile(script, []byte(`import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0.05);
  static tasks = { t: 1 };
  t() { this.client.get("/"); throw new Error("kaboom-in-task"); }
}
`), 0o644)
	res := gust(t, "run", "--headless", "-H", base, "-u", "1", "-t", "1s", "--only-summary", script)
	if res.code != 1 || strings.Count(res.stderr, "kaboom-in-task") != 1 || !strings.Contains(res.stderr, "thrower.js:5") {
		t.Errorf("exit %d, stderr %q; want 1 and the exception shown once with thrower.js:5", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "Exceptions") {
		t.Errorf("the summary has no Exceptions table:\n%s", res.stdout)
	}
}

func TestBadSettingsExitTwoNamingTheValue(t *testing.T) {
	srv, base := sampleAPI(t)
	dir := t.TempDir()
	script := func(name, head string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(`import { HttpUser, constant } from "gust";
`+head+`
export class U extends HttpUser { static waitTime = constant(1); static tasks = { t: 1 }; t() { this.client.get("/"); } }
`), 0o644)
		return p
	}
	plain := script("plain.js", "")
	weighted := filepath.Join(dir, "w.js")
	os.WriteFile(weighted, []byte(`import { HttpUser } from "gust";
export class U extends HttpUser { static weight = Infinity; static tasks = { t: 1 }; t() {} }
`), 0o644)
	py := filepath.Join(dir, "locustfile.py")
	os.WriteFile(py, []byte("from locust import HttpUser\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"misspelt option", []string{script("opt.js", "export const options = { usres: 5 };")}, `"usres" in ` + "`export const options`" + ` (did you mean "users"?)`},
		{"k6 option", []string{script("k6.js", `export const options = { duration: "10s" };`)}, `"duration"`},
		{"no users", []string{"-u", "0", plain}, "--users 0"},
		{"no users for --rate", []string{"-u", "0", "--rate", "50", plain}, "--users 0 with --rate 50"},
		{"bad loglevel", []string{"--loglevel", "loud", plain}, `"loud"`},
		{"python", []string{py}, "JavaScript or TypeScript"},
		{"class weight", []string{weighted}, "U.weight is Infinity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := gust(t, append([]string{"run", "--headless", "-H", base, "-t", "1s"}, tc.args...)...)
			if res.code != 2 || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %s", res.code, res.stderr, tc.want)
			}
		})
	}
	if n := srv.Served(); n != 0 {
		t.Errorf("bad settings still sent %d requests", n)
	}
}

func TestLogLevelHidesConsoleMessages(t *testing.T) {
	_, base := sampleAPI(t)
	script := filepath.Join(t.TempDir(), "log.js")
	os.WriteFile(script, []byte(`import { HttpUser } from "gust";
export class U extends HttpUser {
  static tasks = { t: 1 };
  t() { console.debug("dbg-line"); console.log("info-line"); console.error("err-line"); }
}
`), 0o644)
	for _, tc := range []struct{ level, shown, hidden string }{
		{"debug", "dbg-line", ""}, {"info", "info-line", "dbg-line"}, {"error", "err-line", "info-line"},
	} {
		res := gust(t, "run", "--headless", "-H", base, "-i", "1", "--only-summary", "--loglevel", tc.level, script)
		if !strings.Contains(res.stderr, tc.shown) || (tc.hidden != "" && strings.Contains(res.stderr, tc.hidden)) {
			t.Errorf("--loglevel %s: stderr %q; want %q shown and %q hidden", tc.level, res.stderr, tc.shown, tc.hidden)
		}
	}
}
