package js

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/samples/api"
)

// runTest loads path, runs setup, the users and teardown against the sample API, like the CLI.
func runTest(t *testing.T, path string, cfg engine.Config) (*api.Server, *metrics.Snapshot, *engine.Runner) {
	t.Helper()
	srv, base := sampleAPI(t)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	test, err := NewTest(s, TestConfig{Host: base, Stats: stats, Environment: map[string]any{"users": cfg.Users}})
	if err != nil {
		t.Fatal(err)
	}
	if err := test.Setup(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.HasShape() {
		sh, err := NewShape(test, func(err error) { t.Error(err) })
		if err != nil {
			t.Fatal(err)
		}
		cfg.Shape = sh
	}
	if cfg.StopTimeout == 0 {
		cfg.StopTimeout = 5 * time.Second
	}
	r := engine.NewRunner(test, cfg)
	r.Run(context.Background())
	if err := test.Teardown(context.Background()); err != nil {
		t.Error(err)
	}
	return srv, stats.Snapshot(), r
}

func TestSetupDataReachesEveryUserAndTeardown(t *testing.T) {
	path := write(t, "hooks.js", `
import { HttpUser, constant } from "gust";
export function onTestStart() { client.get("/status/201"); }
export function setup() {
  const r = client.get("/status/200");
  return { n: 3, status: r.status };
}
export function teardown(data) { client.get("/status/" + (201 + data.n)); }
export function onTestStop() { client.get("/status/299"); }
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { a: 1 };
  a() {
    // Both documented ways must agree, and a user's change must not reach another user.
    if (this.environment.setupData.n !== setupData.n) throw new Error("two views of setupData differ");
    this.client.get("/items/" + setupData.n + "?s=" + this.environment.setupData.status);
    setupData.n = 99;
    this.environment.setupData.n = 99;
  }
}
`)
	srv, snap, r := runTest(t, path, engine.Config{Users: 4, Iterations: 20})
	if r.Iterations() != 20 {
		t.Errorf("%d iterations", r.Iterations())
	}
	// setupData is parsed once per user; a user's writes stay in its runtime, so the first
	// task of each user reads 3 and its later ones read its own 99. (A user may not get to run
	// at all before the 20 iterations are gone, so 3 is read once per user that ran: 1 to 4.)
	n3, n99 := srv.ServedPath("/items/3"), srv.ServedPath("/items/99")
	if n3+n99 != 20 || n3 < 1 || n3 > 4 {
		t.Errorf("served /items/3 %d times and /items/99 %d times; want 1-4 and the rest of 20", n3, n99)
	}
	for path, want := range map[string]int64{"/status/201": 1, "/status/200": 1, "/status/204": 1, "/status/299": 1} {
		if got := srv.ServedPath(path); got != want {
			t.Errorf("%s served %d times, want %d", path, got, want)
		}
	}
	if len(snap.Exceptions) != 0 {
		t.Errorf("exceptions: %+v", snap.Exceptions)
	}
}

func TestSetupFailureStopsTheTest(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"setup throws", "export function setup() {\n  throw new Error(\"no token\");\n}\n", "setup() failed: Error: no token"},
		{"onTestStart throws", "export function onTestStart() { null.x; }\n", "onTestStart() failed: TypeError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src + "import { HttpUser } from \"gust\";\nexport class U extends HttpUser { static host = \"http://127.0.0.1:1\"; static tasks = { a: 1 }; a() {} }\n"
			s, err := Load(write(t, "s.js", src), LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			test, err := NewTest(s, TestConfig{Stats: metrics.New(metrics.Options{})})
			if err != nil {
				t.Fatal(err)
			}
			err = test.Setup(context.Background())
			var se *SetupError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "s.js:") {
				t.Errorf("Setup() = %v; want a SetupError with %q and the file's line", err, tc.want)
			}
		})
	}
}

func TestSharedArrayAndCSV(t *testing.T) {
	path := write(t, "shared.js", `
import { HttpUser, SharedArray, csv, constant, StopUser } from "gust";
const items = new SharedArray("items", () => JSON.parse(open("items.json")));
const people = csv("people.csv");
const raw = csv("people.csv", { header: false });
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { a: 1 };
  a() {
    const it = items[this.id % items.length];
    it.id = 1000;                                   // a private copy: others never see it
    if (items[this.id % items.length].id === 1000) throw new Error("a write leaked into the shared data");
    let threw = 0;                                  // read-only: writes throw (modules are strict)
    try { items[0] = "x"; } catch (e) { threw++; }
    try { items.length = 0; } catch (e) { threw++; }
    if (threw !== 2) throw new Error("a write to the shared array did not throw");
    if (items.length !== 3 || typeof items[0] !== "object") throw new Error("the shared array changed");
    if (JSON.stringify(items.map(x => x.id)) !== "[1,2,3]") throw new Error("map: " + JSON.stringify(items.map(x => x.id)));
    const p = people[this.id % people.length];
    if (raw.length !== 3 || raw[0][0] !== "name") throw new Error("header:false " + JSON.stringify(raw[0]));
    this.client.get("/items/" + items[this.id % items.length].id + "?who=" + p.name);
    if (Object.keys(p).join() !== "name,city") throw new Error("csv keys " + Object.keys(p));
    this.client.get("/status/" + (p.city === "Oslo, NO" ? 200 : 201));
    throw new StopUser();
  }
}
`, "items.json", `[{"id":1},{"id":2},{"id":3}]`, "people.csv", "name,city\nann,\"Oslo, NO\"\nbob,Lima\n")
	srv, snap, _ := runTest(t, path, engine.Config{Users: 6, SpawnRate: 0, RunTime: 3 * time.Second})
	if len(snap.Exceptions) != 0 {
		for _, e := range snap.Exceptions {
			t.Errorf("exception: %s %s", e.Message, e.Traceback)
		}
	}
	// Users 1..6: id%3 picks items 2,3,1,2,3,1; id%2 picks bob (Lima) or ann (Oslo).
	for p, want := range map[string]int64{"/items/1": 2, "/items/2": 2, "/items/3": 2, "/status/200": 3, "/status/201": 3} {
		if got := srv.ServedPath(p); got != want {
			t.Errorf("%s served %d times, want %d", p, got, want)
		}
	}
}

func TestSharedArrayErrors(t *testing.T) {
	tests := []struct{ name, decl, want string }{
		{"not an array", `SharedArray("x", () => 5)`, "not an array"},
		{"loader throws", `SharedArray("x", () => { throw new Error("nope") })`, "nope"},
		{"no loader", `SharedArray("x")`, "give a name and a function"},
		{"missing csv", `csv("missing.csv")`, "missing.csv"},
		{"ragged csv", `csv("bad.csv")`, "line 3 has 1 fields"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "import { HttpUser, SharedArray, csv } from \"gust\";\nconst d = " + tc.decl + ";\nexport class U extends HttpUser { static tasks = { a: 1 }; a() {} }\n"
			_, err := Load(write(t, "s.js", src, "bad.csv", "a,b\n1,2\n3\n"), LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v; want %q", err, tc.want)
			}
		})
	}
}

// TestSharedArrayMemoryStaysOneCopy loads a 50 MB JSON file into a SharedArray and builds many
// users over it: the heap grows by what the runtimes cost, not by a copy of the data per user.
// GUST_SHARED_USERS=10000 runs it at 10,000 users (about a minute on 2 cores).
func TestSharedArrayMemoryStaysOneCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 50 MB file")
	}
	users := 300
	if n, err := fmt.Sscan(os.Getenv("GUST_SHARED_USERS"), &users); n == 0 || err != nil {
		users = 300
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.json"))
	if err != nil {
		t.Fatal(err)
	}
	pad := strings.Repeat("x", 480)
	f.WriteString("[")
	const rows = 100_000
	for i := 0; i < rows; i++ {
		if i > 0 {
			f.WriteString(",")
		}
		fmt.Fprintf(f, `{"id":%d,"name":"user%d","pad":"%s"}`, i, i, pad)
	}
	f.WriteString("]")
	st, _ := f.Stat()
	f.Close()
	size := st.Size()
	if size < 50_000_000 {
		t.Fatalf("the data file is only %d bytes", size)
	}
	path := filepath.Join(dir, "s.js")
	os.WriteFile(path, []byte(`
import { HttpUser, SharedArray } from "gust";
const data = new SharedArray("big", () => JSON.parse(open("big.json")));
export class U extends HttpUser {
  static host = "http://127.0.0.1:1";
  static tasks = { a: 1 };
  a() {}
}
export const first = () => data[0].name + data[data.length - 1].name;
`), 0o644)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	test, err := NewTest(s, TestConfig{Stats: metrics.New(metrics.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// One user first, so that the baseline holds everything built once (the data, open()'s
	// cache of the file) and a runtime's own cost can be measured.
	keep := make([]*vu, 0, users)
	v, err := newVU(s, test, 1)
	if err != nil {
		t.Fatal(err)
	}
	keep = append(keep, v)
	base := heap()
	for i := 2; i <= users; i++ {
		v, err := newVU(s, test, i)
		if err != nil {
			t.Fatal(err)
		}
		fn, _ := goja.AssertFunction(v.exports.Get("first"))
		if got, err := fn(goja.Undefined()); err != nil || got.String() != "user0user99999" {
			t.Fatalf("user %d read %v, %v", i, got, err)
		}
		keep = append(keep, v)
	}
	perUser := float64(heap()-base) / float64(users-1)
	t.Logf("data %d MB; %d users add %.1f KB each; heap %d MB", size>>20, users, perUser/1024, heap()>>20)
	// A per-user copy would cost at least the file size per user; runtimes cost well under 1 MB.
	if perUser > 1<<20 {
		t.Errorf("each user adds %.0f KB: the data is being copied per user", perUser/1024)
	}
	if total := heap(); total > uint64(size)*4+uint64(users)<<20 {
		t.Errorf("heap %d MB for %d MB of data", total>>20, size>>20)
	}
	runtime.KeepAlive(keep)
}

func TestMultiFileTest(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.js":       "import { HttpUser, constant } from \"gust\";\nimport { path } from \"./_shared.js\";\nexport class A extends HttpUser { static waitTime = constant(0.02); static tasks = { a: 1 }; a() { this.client.get(path(1)); } }\nexport const helper = 1;\n",
		"b.js":       "import { HttpUser, constant } from \"gust\";\nimport { path } from \"./_shared.js\";\nexport class B extends HttpUser { static waitTime = constant(0.02); static tasks = { b: 1 }; b() { this.client.get(path(2)); } }\nexport const helper = 2;\nexport const options = { users: 2 };\n",
		"_shared.js": "export const path = (n) => \"/items/\" + n;\n",
		"notes.txt":  "ignored",
	}
	for name, src := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644)
	}
	for _, arg := range []string{dir, filepath.Join(dir, "a.js") + "," + filepath.Join(dir, "b.js")} {
		srv, _, _ := runTest(t, arg, engine.Config{Users: 2, Iterations: 40})
		a, b := srv.ServedPath("/items/1"), srv.ServedPath("/items/2")
		if a+b != 40 || a == 0 || b == 0 {
			t.Errorf("%s: A served %d, B %d; want both classes to run, 40 in all", arg, a, b)
		}
		s, _ := Load(arg, LoadOptions{})
		if len(s.Classes()) != 2 || s.Options()["users"] != float64(2) || len(s.sources) != 2 {
			t.Errorf("%s: classes %v options %v files %v", arg, s.Classes(), s.Options(), s.sources)
		}
	}
	os.WriteFile(filepath.Join(dir, "c.js"), []byte("import { HttpUser } from \"gust\";\nexport class A extends HttpUser { static tasks = { a: 1 }; a() {} }\n"), 0o644)
	_, err := Load(dir, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "a.js") || !strings.Contains(err.Error(), "c.js") {
		t.Errorf("a class defined twice: %v; want an error naming a.js and c.js", err)
	}
	os.WriteFile(filepath.Join(dir, "c.js"), []byte("import { HttpUser } from \"gust\";\nexport class C extends HttpUser { static tasks = { c: 1 }; c() { nope( }\n"), 0o644)
	_, err = Load(dir, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "c.js:2:") {
		t.Errorf("a syntax error in one of several files: %v; want c.js:2:", err)
	}
}

func TestShapeFunction(t *testing.T) {
	path := write(t, "shape.js", `
import { HttpUser, constant } from "gust";
export function shape({ runTime, userCount }) {
  if (runTime < 0.3) return { users: 2, spawnRate: 100 };
  if (runTime < 0.6) return { users: 5, spawnRate: 100, userClasses: ["B"] };
  return null;
}
export class A extends HttpUser { static waitTime = constant(0.01); static tasks = { a: 1 }; a() { this.client.get("/items/1"); } }
export class B extends HttpUser { static waitTime = constant(0.01); static tasks = { b: 1 }; b() { this.client.get("/items/2"); } }
`)
	start := time.Now()
	srv, _, r := runTest(t, path, engine.Config{Users: 1})
	if srv.ServedPath("/items/1") == 0 || srv.ServedPath("/items/2") == 0 {
		t.Errorf("A served %d, B %d; want both", srv.ServedPath("/items/1"), srv.ServedPath("/items/2"))
	}
	if r.Reason() != "load shape ended" {
		t.Errorf("reason %q", r.Reason())
	}
	if el := time.Since(start); el < 600*time.Millisecond || el > 3*time.Second {
		t.Errorf("a 0.6 s shape ran %v", el)
	}
}

func TestShapeRejectsBadLoads(t *testing.T) {
	tests := []struct{ ret, want string }{
		{`{ users: -1 }`, "users = -1"},
		{`{ users: 1, userClasses: ["Nope"] }`, `"Nope"`},
		{`5`, "want {users, spawnRate}"},
		{`(() => { throw new Error("bad shape") })()`, "bad shape"},
	}
	for _, tc := range tests {
		s, err := Load(write(t, "s.js", "import { HttpUser } from \"gust\";\nexport function shape() { return "+tc.ret+"; }\nexport class U extends HttpUser { static host = \"http://127.0.0.1:1\"; static tasks = { a: 1 }; a() {} }\n"), LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		test, _ := NewTest(s, TestConfig{Stats: metrics.New(metrics.Options{})})
		var got error
		sh, err := NewShape(test, func(err error) { got = err })
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := sh.Tick(0, 0); ok || got == nil || !strings.Contains(got.Error(), tc.want) {
			t.Errorf("shape returning %s: ok=%v err=%v; want %q", tc.ret, ok, got, tc.want)
		}
	}
}
