package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// tsc finds TypeScript's compiler: $GUST_TSC, the copy .ci/run installs under .ci/, the one the
// shared checks install, or tsc on PATH. Without one the test skips, unless GUST_REQUIRE_TSC is
// set (as .ci/run does), where a missing compiler is a failure.
func tsc(t *testing.T) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(here))
	candidates := []string{
		os.Getenv("GUST_TSC"),
		filepath.Join(root, ".ci", "node_modules", ".bin", "tsc"),
		filepath.Join(os.TempDir(), "gust-checks", "ts", "node_modules", ".bin", "tsc"),
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	if p, err := exec.LookPath("tsc"); err == nil {
		return p
	}
	if os.Getenv("GUST_REQUIRE_TSC") != "" {
		t.Fatal("GUST_REQUIRE_TSC is set but no TypeScript compiler was found (npm install typescript in .ci/)")
	}
	t.Skip("no TypeScript compiler (npm install --no-save typescript in .ci/, or set GUST_TSC)")
	return ""
}

// compile runs tsc -p config in dir and returns its output and whether it accepted the project.
func compile(t *testing.T, compiler, dir, config string) (string, bool) {
	t.Helper()
	cmd := exec.Command(compiler, "--noEmit", "-p", config)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Fatalf("running tsc: %v", err)
	}
	return string(out), err == nil
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func newProject(t *testing.T, ts bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "p")
	written, err := New(dir, Options{TypeScript: ts})
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 6 {
		t.Fatalf("wrote %v, want 6 files", written)
	}
	return dir
}

func TestNewWritesAProject(t *testing.T) {
	dir := newProject(t, false)
	for _, name := range []string{"locustfile.js", "gust.d.ts", "tsconfig.json", "jsconfig.json", "gust.toml", ".gitignore"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	decl, err := os.ReadFile(filepath.Join(dir, "gust.d.ts"))
	if err != nil || string(decl) != string(Declarations) {
		t.Fatalf("gust.d.ts is not the embedded declarations (%v)", err)
	}
	if _, err := New(dir, Options{}); err == nil || !strings.Contains(err.Error(), "locustfile.js already exists") {
		t.Fatalf("a second gust new in the same directory: %v, want a refusal naming locustfile.js", err)
	}
	ts := newProject(t, true)
	if _, err := os.Stat(filepath.Join(ts, "locustfile.ts")); err != nil {
		t.Fatal(err)
	}
}

func TestWriteTypesReplaces(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gust.d.ts"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := WriteTypes(dir)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != string(Declarations) {
		t.Fatal("gust types did not replace an old gust.d.ts")
	}
}

// The scaffold type-checks as written, in both flavours, and a typo in a client call is an error
// that names it.
func TestScaffoldTypeChecks(t *testing.T) {
	t.Parallel()
	compiler := tsc(t)
	for _, ts := range []bool{false, true} {
		dir := newProject(t, ts)
		if out, ok := compile(t, compiler, dir, "tsconfig.json"); !ok {
			t.Fatalf("ts=%v: tsc rejects the scaffold:\n%s", ts, out)
		}
		script := filepath.Join(dir, "locustfile.js")
		if ts {
			script = filepath.Join(dir, "locustfile.ts")
		}
		src, _ := os.ReadFile(script)
		bad := strings.Replace(string(src), "this.client.get(", "this.client.gett(", 1)
		if bad == string(src) {
			t.Fatal("the scaffold has no this.client.get( to misspell")
		}
		if err := os.WriteFile(script, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		out, ok := compile(t, compiler, dir, "tsconfig.json")
		if ok || !strings.Contains(out, "gett") {
			t.Fatalf("ts=%v: tsc accepted this.client.gett() or did not name it:\n%s", ts, out)
		}
	}
}

// Every sample in samples/ type-checks: the JavaScript ones as plain JS (jsconfig), the
// TypeScript ones in strict mode.
func TestSamplesTypeCheck(t *testing.T) {
	t.Parallel()
	compiler := tsc(t)
	dir := newProject(t, true)
	os.Remove(filepath.Join(dir, "locustfile.ts"))
	samples, _ := filepath.Glob("../samples/*.[jt]s")
	if len(samples) < 5 {
		t.Fatalf("found %d samples", len(samples))
	}
	for _, s := range samples {
		copyFile(t, s, filepath.Join(dir, filepath.Base(s)))
	}
	if out, ok := compile(t, compiler, dir, "jsconfig.json"); !ok {
		t.Fatalf("tsc rejects a JavaScript sample:\n%s", out)
	}
	if out, ok := compile(t, compiler, dir, "tsconfig.json"); !ok {
		t.Fatalf("tsc (strict) rejects a TypeScript sample:\n%s", out)
	}
}

// testdata/runtime.ts uses every name of the script API, the runtime's and the client's
// (async methods, batch, check, metrics, record, events, WebSocket, web globals, gust/crypto,
// gust/encoding, tls/auth/files/compress options, cookies, decorators): strict tsc accepts it,
// and each misuse below is rejected.
func TestDeclarationsCoverTheAPI(t *testing.T) {
	t.Parallel()
	compiler := tsc(t)
	dir := newProject(t, true)
	os.Remove(filepath.Join(dir, "locustfile.ts"))
	copyFile(t, "testdata/runtime.ts", filepath.Join(dir, "runtime.ts"))
	if out, ok := compile(t, compiler, dir, "tsconfig.json"); !ok {
		t.Fatalf("tsc rejects testdata/runtime.ts:\n%s", out)
	}
	os.Remove(filepath.Join(dir, "runtime.ts"))
	misuses := map[string]string{
		"gett":         `import { HttpUser } from "gust"; export class U extends HttpUser { t() { this.client.gett("/"); } }`,
		"getAsyncc":    `import { HttpUser } from "gust"; export class U extends HttpUser { async t() { await this.client.getAsyncc("/"); } }`,
		"catchRespons": `import { HttpUser } from "gust"; export class U extends HttpUser { t() { this.client.get("/", { catchRespons: true }); } }`,
		"Counter":      `import { Counter } from "gust"; new Counter("c").add("one");`,
		"sha256":       `import { sha256 } from "gust/crypto"; const n: number = sha256("x");`,
		"btoa":         `const s: number = btoa("x");`,
		"status":       `import { HttpUser } from "gust"; export class U extends HttpUser { t() { const s: string = this.client.get("/").status; } }`,
		"nosuch":       `import { nosuch } from "gust";`,
	}
	// One compile for all of them: each file must have its own error.
	for what, src := range misuses {
		if err := os.WriteFile(filepath.Join(dir, "bad_"+what+".ts"), []byte(src+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, ok := compile(t, compiler, dir, "tsconfig.json")
	if ok {
		t.Fatal("tsc accepted every misuse")
	}
	for what, src := range misuses {
		if !strings.Contains(out, "bad_"+what+".ts(") {
			t.Errorf("tsc accepted a misuse of %s: %s", what, src)
		}
	}
}

// Every name the "gust" module exports (js/natives.go's gustExports) is declared, so that a
// name added to the runtime without its declaration fails here rather than in a user's editor.
func TestEveryExportIsDeclared(t *testing.T) {
	src, err := os.ReadFile("../js/natives.go")
	if err != nil {
		t.Skip("js/natives.go moved: ", err)
	}
	m := regexp.MustCompile(`(?s)var gustExports = \[\]string\{(.*?)\}`).FindSubmatch(src)
	if m == nil {
		t.Skip("gustExports is no longer a literal list in js/natives.go")
	}
	names := regexp.MustCompile(`"([A-Za-z_$][A-Za-z0-9_$]*)"`).FindAllSubmatch(m[1], -1)
	if len(names) < 10 {
		t.Fatalf("read %d names from gustExports", len(names))
	}
	decl := string(Declarations)
	start := strings.Index(decl, `declare module "gust" {`)
	end := strings.Index(decl, `declare module "gust/crypto"`)
	module := decl[start:end]
	for _, n := range names {
		re := regexp.MustCompile(`export (const|function|class) ` + regexp.QuoteMeta(string(n[1])) + `\b`)
		if !re.MatchString(module) {
			t.Errorf("\"gust\" exports %s but gust.d.ts does not declare it", n[1])
		}
	}
}
