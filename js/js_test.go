package js

import (
	"context"
	esbuild "github.com/evanw/esbuild/pkg/api"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/samples/api"
)

func TestJoinURL(t *testing.T) {
	tests := []struct{ host, u, want string }{
		{"http://h:1", "/items/", "http://h:1/items/"},
		{"http://h:1/", "/items/", "http://h:1/items/"},
		{"http://h:1/api", "/items", "http://h:1/api/items"},
		{"http://h:1/api/", "items", "http://h:1/api/items"},
		{"http://h:1", "", "http://h:1"},
		{"http://h:1", "?q=1", "http://h:1/?q=1"},
		{"http://h:1", "https://other/x", "https://other/x"},
		{"http://h:1", "http://other/x", "http://other/x"},
	}
	for _, tc := range tests {
		if got := joinURL(tc.host, tc.u); got != tc.want {
			t.Errorf("joinURL(%q, %q) = %q, want %q", tc.host, tc.u, got, tc.want)
		}
	}
}

// write puts files in a temp dir and returns the path of the first.
func write(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	first := ""
	for i := 0; i < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		if err := os.WriteFile(p, []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
		if first == "" {
			first = p
		}
	}
	return first
}

func TestLoadErrorsNameTheValue(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"syntax", "import { HttpUser } from \"gust\";\nexport class U extends HttpUser {\n  static tasks = { a: 1 };\n  a() { this.client.get(\"/\" }\n}\n", "bad.js:4:"},
		{"throws at load", "import { HttpUser } from \"gust\";\n\nthrow new Error(\"boom at load\");\n", "bad.js:3:"},
		{"no user class", "export const x = 1;\n", "no User class"},
		{"unknown task", "import { HttpUser } from \"gust\";\nexport class U extends HttpUser {\n  static tasks = { nope: 1 };\n}\n", `unknown task "nope"`},
		{"zero weight", "import { HttpUser } from \"gust\";\nexport class U extends HttpUser {\n  static tasks = { a: 0 };\n  a() {}\n}\n", "total weight is 0"},
		{"no tasks", "import { HttpUser } from \"gust\";\nexport class U extends HttpUser {}\n", "no tasks defined on U"},
		{"bad import", "import x from \"lodash\";\n", "lodash"},
		{"bad wait", "import { HttpUser, between } from \"gust\";\nexport class U extends HttpUser {\n  static waitTime = between(5, 1);\n  static tasks = { a: 1 };\n  a() {}\n}\n", "between(5, 1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(t, "bad.js", tc.src), LoadOptions{})
			if err == nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// sampleAPI starts the bundled sample API for one test.
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

// runUsers runs a script's users against the sample API and returns the stats.
func runUsers(t *testing.T, path string, cfg engine.Config, tc TestConfig) (*metrics.Snapshot, *api.Server) {
	t.Helper()
	srv, base := sampleAPI(t)
	s, err := Load(path, LoadOptions{Env: map[string]string{"GREETING": "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	tc.Host, tc.Stats = base, stats
	test, err := NewTest(s, tc)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StopTimeout == 0 {
		cfg.StopTimeout = 5 * time.Second
	}
	engine.NewRunner(test, cfg).Run(context.Background())
	return stats.Snapshot(), srv
}

func row(s *metrics.Snapshot, method, name string) metrics.Entry {
	for _, e := range s.Entries {
		if e.Method == method && e.Name == name {
			return e
		}
	}
	return metrics.Entry{}
}

func TestUserFeatures(t *testing.T) {
	path := write(t, "main.ts", `
import { HttpUser, TaskSet, SequentialTaskSet, task, constant, StopUser } from "gust";
import { itemPath } from "./paths.js";

interface Item { id: number }

class Browse extends TaskSet {
  static tasks = { look: 1 };
  count = 0;
  look(): void {
    this.client.get(itemPath(1), { name: "/items/[id]" });
    if (++this.count >= 2) this.interrupt();
  }
}

class Journey extends SequentialTaskSet {
  static tasks = [Browse, "login", task(2, function (ts) { ts.client.get("/me"); }), "done"];
  login() {
    const r = this.client.post("/login", { json: { username: "ann", password: "secret" }, catchResponse: true });
    if (r.status !== 200) r.failure("login failed: " + r.status); else r.success();
  }
  done() {
    const r = this.client.get("/status/404", { catchResponse: true });
    if (r.status === 404) r.success();
    const me = this.client.get("/me").json() as { username: string };
    if (me.username !== "ann") throw new Error("cookie lost: " + JSON.stringify(me));
    throw new StopUser();
  }
}

export class Shopper extends HttpUser {
  static waitTime = constant(0);
  static tasks = [Journey];
  onStart() { this.client.get("/", { params: { hello: env.GREETING } }); }
}
`, "paths.js", `export function itemPath(id) { return "/items/" + id; }`)
	snap, srv := runUsers(t, path, engine.Config{Users: 2, RunTime: 10 * time.Second}, TestConfig{})
	if len(snap.Exceptions) > 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	checks := []struct {
		method, name string
		reqs, fails  int64
	}{
		{"GET", "/", 2, 0},
		{"GET", "/items/[id]", 4, 0},
		{"POST", "/login", 2, 0},
		{"GET", "/me", 6, 0},
		{"GET", "/status/404", 2, 0},
	}
	for _, c := range checks {
		e := row(snap, c.method, c.name)
		if e.Requests != c.reqs || e.Failures != c.fails {
			t.Errorf("%s %s: %d requests %d failures, want %d and %d", c.method, c.name, e.Requests, e.Failures, c.reqs, c.fails)
		}
	}
	if got := srv.Served(); got != snap.Total.Requests {
		t.Errorf("server served %d, stats counted %d", got, snap.Total.Requests)
	}
}

func TestExceptionsCarryTheScriptsLine(t *testing.T) {
	path := write(t, "boom.js", `import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0.01);
  static tasks = { ok: 1, boom: 1 };
  ok() { this.client.get("/"); }
  boom() {
    throw new Error("planned failure");
  }
}
`)
	snap, _ := runUsers(t, path, engine.Config{Users: 1, Iterations: 40}, TestConfig{})
	if len(snap.Exceptions) != 1 {
		t.Fatalf("want one exception group, got %+v", snap.Exceptions)
	}
	ex := snap.Exceptions[0]
	if !strings.Contains(ex.Message, "planned failure") || !strings.Contains(ex.Traceback, "boom.js:7") {
		t.Errorf("exception %q / %q lacks the message or boom.js:7", ex.Message, ex.Traceback)
	}
	if ex.Count+row(snap, "GET", "/").Requests != 40 {
		t.Errorf("%d exceptions + %d requests != 40 iterations", ex.Count, row(snap, "GET", "/").Requests)
	}
}

func TestFailureRuleAndNetworkErrors(t *testing.T) {
	path := write(t, "f.js", `import { HttpUser } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() {
    this.client.get("/status/503");
    this.client.get("/slow?ms=300", { timeout: 0.05, name: "slow" });
    const r = this.client.get("http://127.0.0.1:1/refused");
    if (r.status !== 0 || !r.error) throw new Error("refused gave " + r.status);
  }
}
`)
	snap, _ := runUsers(t, path, engine.Config{Users: 1, Iterations: 3}, TestConfig{})
	if len(snap.Exceptions) > 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	if snap.Total.Requests != 9 || snap.Total.Failures != 9 {
		t.Fatalf("%d requests %d failures, want 9 and 9", snap.Total.Requests, snap.Total.Failures)
	}
	var msgs []string
	for _, e := range snap.Errors {
		msgs = append(msgs, e.Error)
		if e.Occurrences != 3 {
			t.Errorf("error %q seen %d times, want 3", e.Error, e.Occurrences)
		}
	}
	joined := strings.Join(msgs, "|")
	for _, want := range []string{"503", "timeout", "refused"} {
		if !strings.Contains(strings.ToLower(joined), want) {
			t.Errorf("errors %q lack %q", joined, want)
		}
	}
}

func TestTagsAndClassSelection(t *testing.T) {
	path := write(t, "t.js", `import { HttpUser, task } from "gust";
export class A extends HttpUser {
  static tasks = { root: 1, heavy: { weight: 1, tags: ["slow"] } };
  root() { this.client.get("/"); }
  heavy() { this.client.get("/items/"); }
}
export class B extends HttpUser {
  static tasks = [task(1, function (u) { u.client.get("/products"); }, { tags: ["slow"] })];
}
`)
	snap, _ := runUsers(t, path, engine.Config{Users: 2, Iterations: 30}, TestConfig{Tags: []string{"slow"}, Classes: []string{"A"}})
	if e := row(snap, "GET", "/"); e.Requests != 0 {
		t.Errorf("-T slow ran the untagged task %d times", e.Requests)
	}
	if e := row(snap, "GET", "/products"); e.Requests != 0 {
		t.Errorf("class B ran although only A was named")
	}
	if e := row(snap, "GET", "/items/"); e.Requests != 30 {
		t.Errorf("tagged task ran %d times, want 30", e.Requests)
	}
	s, _ := Load(path, LoadOptions{})
	if _, err := NewTest(s, TestConfig{Host: "http://127.0.0.1:1", Classes: []string{"Nope"}}); err == nil || !strings.Contains(err.Error(), `"Nope"`) {
		t.Errorf("unknown class error: %v", err)
	}
	if _, err := NewTest(s, TestConfig{Host: "ftp://x"}); err == nil || !strings.Contains(err.Error(), `"ftp://x"`) {
		t.Errorf("bad host error: %v", err)
	}
}

func TestOpenAndEnvAndSleep(t *testing.T) {
	path := write(t, "o.js", `import { HttpUser, open, sleep } from "gust";
const ids = JSON.parse(open("ids.json"));
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() {
    sleep(0.01);
    this.client.get("/items/" + ids[this.id % ids.length], { name: "/items/[id]", headers: { "X-Env": __ENV.GREETING } });
  }
}
`, "ids.json", `[1, 2, 3]`)
	snap, _ := runUsers(t, path, engine.Config{Users: 3, Iterations: 9}, TestConfig{})
	if e := row(snap, "GET", "/items/[id]"); e.Requests != 9 || e.Failures != 0 {
		t.Errorf("got %d requests %d failures; exceptions %+v", e.Requests, e.Failures, snap.Exceptions)
	}
}

// A single script becomes a function of the "gust" module with no bundler helpers; the
// CommonJS form (several files) gets the lean helpers. Both save kilobytes per runtime; this
// fails if an esbuild upgrade changes its output so that either rewrite no longer applies.
func TestBundleForms(t *testing.T) {
	abs, _ := filepath.Abs("../samples/journey.js")
	code, esm, err := bundle(abs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !esm || strings.Contains(code, "__defProp") || !strings.Contains(code, "} = __gust;") || !strings.Contains(code, "return {") {
		t.Errorf("the single-file form was not rewritten (esm %v):\n%s", esm, code[:min(len(code), 1200)])
	}
	cjs, err := build(abs, nil, esbuild.FormatCommonJS)
	if err != nil {
		t.Fatal(err)
	}
	if lean := leanHelpers(cjs); strings.Contains(lean, "for (var name in all)") || strings.Contains(lean, "for (let key of") {
		t.Errorf("esbuild's for-in/for-of helpers are still in the CommonJS form:\n%s", lean[:min(len(lean), 1200)])
	}
}

func TestESMToScript(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"import { HttpUser, between as b } from \"gust\";\nvar U = 1;\nexport {\n  U,\n  U as default\n};\n",
			"\"use strict\";const { HttpUser, between: b } = __gust;\nvar U = 1;\nreturn {\n  U,\n  default: U,\n};\n", true},
		{"import * as g from \"gust\";\nimport d, { task } from \"gust\";\n", "\"use strict\";const g = __gust;\nconst { task } = __gust, d = __gust.default;\n", true},
		{"import x from \"other\";\n", "", false},
		{"var a = import.meta.url;\n", "", false},
		{"export default 1;\n", "", false},
		{"export {\n  a\n};\nexport {\n  b\n};\n", "", false},
	}
	for _, tc := range tests {
		got, ok := esmToScript(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("esmToScript(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
