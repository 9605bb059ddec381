package js

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// lockedBuffer is a bytes.Buffer users may write to from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestExceptionsAreShownOnceEach(t *testing.T) {
	path := write(t, "boom.js", `import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { boom: 1, later: 1 };
  boom() {
    throw new Error("sync-kaboom");
  }
  async later() {
    this.client.get("/");
    throw new TypeError("async-kaboom");
  }
}
`)
	var out lockedBuffer
	snap, _ := runUsers(t, path, engine.Config{Users: 2, Iterations: 60}, TestConfig{Exceptions: &out})
	got := out.String()
	for _, want := range []string{"Error: sync-kaboom", "boom.js:6", "TypeError: async-kaboom", "boom.js:10"} {
		if !strings.Contains(got, want) {
			t.Errorf("the terminal lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n"); n != 2 {
		t.Errorf("want each of the 2 exceptions shown once, got %d lines:\n%s", n, got)
	}
	var total int64
	for _, g := range snap.Exceptions {
		total += g.Count
	}
	if len(snap.Exceptions) != 2 || total != 60 {
		t.Errorf("want 2 exception groups counting 60, got %+v", snap.Exceptions)
	}
}

func TestExceptionLogIsRateLimited(t *testing.T) {
	var out bytes.Buffer
	l := newExceptionLog(&out)
	now := time.Unix(0, 0)
	l.now = func() time.Time { return now }
	for i := 0; i < 20; i++ {
		l.show("Error: n"+string(rune('a'+i)), "at t (x.js:1:1)")
	}
	if n := strings.Count(out.String(), "\n"); n != exceptionBurst {
		t.Fatalf("20 new exceptions at once: %d lines, want the burst of %d", n, exceptionBurst)
	}
	now = now.Add(2 * time.Second)
	l.show("Error: later", "at t (x.js:2:1)")
	if !strings.Contains(out.String(), "Error: later at t (x.js:2:1) (and 15 other new exception(s) not shown") {
		t.Errorf("the next line should say how many were held back:\n%s", out.String())
	}
}

func TestTerminalSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain\ttext\n", "plain\ttext\n"},
		{"héllo ✓", "héllo ✓"},
		{"\x1b]0;PWNED\x07", `\x1b]0;PWNED\x07`},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"c1 \u009b31m", `c1 \u009b31m`},
		{"bad \xff byte", `bad \xff byte`},
		{"del\x7f", `del\x7f`},
	}
	for _, tc := range tests {
		if got := terminalSafe(tc.in); got != tc.want {
			t.Errorf("terminalSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// A rune split across two writes is written whole, not as \xNN.
	var b bytes.Buffer
	w := newSafeWriter(&b)
	s := []byte("é\x1b")
	w.Write(s[:1])
	w.Write(s[1:])
	if b.String() != `é\x1b` {
		t.Errorf("split writes gave %q", b.String())
	}
}

func TestEndlessJavaScriptOutsideTasksIsInterrupted(t *testing.T) {
	_, base := sampleAPI(t)
	user := `export class U extends HttpUser { static tasks = { t: 1 }; t() {} }`
	t.Run("module top level at load", func(t *testing.T) {
		path := write(t, "top.js", "import { HttpUser } from \"gust\";\nlet n = 0;\nwhile (true) { n++; }\n"+user)
		start := time.Now()
		_, err := Load(path, LoadOptions{Limit: 200 * time.Millisecond})
		var stuck *StuckError
		if !errors.As(err, &stuck) || stuck.Where != "the module's top level" || !strings.Contains(stuck.At, "top.js:3") {
			t.Fatalf("want a StuckError at top.js:3, got %v", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("took %s", time.Since(start))
		}
	})
	for _, hook := range []string{"setup", "teardown", "sleep"} {
		t.Run(hook, func(t *testing.T) {
			body := "for (;;) {}"
			if hook == "sleep" { // a sleep() in setup() is cut short too
				hook, body = "setup", "sleep(3600);"
			}
			path := write(t, "hook.js", "import { HttpUser, sleep } from \"gust\";\nexport function "+hook+"() {\n  "+body+"\n}\n"+user)
			s, err := Load(path, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			stats := metrics.New(metrics.Options{})
			test, err := NewTest(s, TestConfig{Host: base, Stats: stats, OutsideLimit: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if hook == "setup" {
				err = test.Setup(context.Background())
			} else {
				err = test.Teardown(context.Background())
			}
			var stuck *StuckError
			if !errors.As(err, &stuck) || stuck.Where != hook+"()" || !strings.Contains(stuck.At, "hook.js:") || !strings.Contains(err.Error(), "after 200ms") {
				t.Fatalf("want a StuckError in %s() in hook.js, got %v", hook, err)
			}
		})
	}
	t.Run("shape by a signal", func(t *testing.T) {
		path := write(t, "shape.js", "import { HttpUser } from \"gust\";\nexport function shape(ctx) {\n  while (ctx.runTime >= 0) {}\n}\n"+user)
		s, err := Load(path, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		stats := metrics.New(metrics.Options{})
		test, err := NewTest(s, TestConfig{Host: base, Stats: stats})
		if err != nil {
			t.Fatal(err)
		}
		var got error
		shape, err := NewShape(test, func(err error) { got = err })
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for test.InterruptOutside("interrupted by a second signal") == "" {
				time.Sleep(10 * time.Millisecond)
			}
		}()
		if _, ok := shape.Tick(0, 0); ok {
			t.Fatal("a stuck shape() should end the test")
		}
		var stuck *StuckError
		if !errors.As(got, &stuck) || stuck.Where != "shape()" || !strings.Contains(got.Error(), "second signal") || !strings.Contains(stuck.At, "shape.js:3") {
			t.Fatalf("want a StuckError in shape(), got %v", got)
		}
		if snap := stats.Snapshot(); len(snap.Exceptions) != 1 {
			t.Errorf("a stuck shape() should count as an exception: %+v", snap.Exceptions)
		}
	})
}

func TestBadWeightsImportsAndFilesAreRefusedAtLoad(t *testing.T) {
	class := func(static, tasks string) string {
		return "import { HttpUser, task } from \"gust\";\nexport class U extends HttpUser {\n  " + static + "\n  static tasks = " + tasks + ";\n  a() {}\n  b() {}\n}\n"
	}
	tests := []struct{ name, src, want string }{
		{"class NaN", class("static weight = NaN;", "{ a: 1 }"), "U.weight is NaN"},
		{"class Infinity", class("static weight = Infinity;", "{ a: 1 }"), "U.weight is Infinity"},
		{"class 1e20", class("static weight = 1e20;", "{ a: 1 }"), "U.weight is 100000000000000000000"},
		{"class -0.5", class("static weight = -0.5;", "{ a: 1 }"), "U.weight is -0.5"},
		{"fixedCount fraction", class("static fixedCount = 2.5;", "{ a: 1 }"), "U.fixedCount is 2.5"},
		{"task NaN", class("", "{ a: NaN }"), "U.tasks.a is NaN"},
		{"task fractions", class("", "{ a: 0.3, b: 0.4 }"), "U.tasks.a is 0.3"},
		{"task object", class("", "{ a: { weight: -1 } }"), "U.tasks.a.weight is -1"},
		{"task() 1e20", class("", "[task(1e20, \"a\")]"), "the weight of entry 0 is 100000000000000000000"},
		{"missing import", "import { HttpUser, chekc } from \"gust\";\nexport class U extends HttpUser { static tasks = { a: 1 }; a() { chekc(); } }\n", `bad.js:1: "gust" has no export named "chekc"`},
		{"misspelt import", "import { HttpUser, betwen } from \"gust\";\nexport class U extends HttpUser { static tasks = { a: 1 }; a() {} }\n", `did you mean "between"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(t, "bad.js", tc.src), LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := Load(write(t, "locustfile.py", "from locust import HttpUser\n"), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "JavaScript or TypeScript") {
		t.Errorf("a .py file: %v", err)
	}
	// Every class at weight 0 starts nobody: refused when the test is prepared.
	s, err := Load(write(t, "zero.js", class("static weight = 0;", "{ a: 1 }")), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTest(s, TestConfig{Host: "http://127.0.0.1:1"}); err == nil || !strings.Contains(err.Error(), "weight 0") {
		t.Errorf("all classes at weight 0: %v", err)
	}
}

func TestLogLevelFiltersTheConsole(t *testing.T) {
	path := write(t, "log.js", `import { HttpUser } from "gust";
export class U extends HttpUser { static tasks = { a: 1 }; a() {} }
`)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Logs(LevelInfo) || s.Logs(LevelDebug) {
		t.Error("the default level should be info")
	}
	l, err := ParseLogLevel("WARNING")
	if err != nil {
		t.Fatal(err)
	}
	s.SetLogLevel(l)
	if s.Logs(LevelInfo) || !s.Logs(LevelWarning) || !s.Logs(LevelError) {
		t.Error("at warning, info is hidden and warnings and errors show")
	}
	if _, err := ParseLogLevel("verbose"); err == nil || !strings.Contains(err.Error(), `"verbose"`) {
		t.Errorf("a bad level: %v", err)
	}
}

func TestSingleUserPrintsTheTargetsEscapesSpelledOut(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "\x1b]0;PWNED\x07\x1b[31mred\x1b[2J é")
	}))
	defer srv.Close()
	path := write(t, "ansi.js", `import { HttpUser } from "gust";
export class U extends HttpUser { static tasks = { t: 1 }; t() { this.client.get("/ansi"); throw new Error(this.client.get("/ansi").text); } }
`)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	test, err := NewTest(s, TestConfig{Host: srv.URL, Stats: metrics.New(metrics.Options{}), Trace: &out})
	if err != nil {
		t.Fatal(err)
	}
	if err := RunSingle(context.Background(), test, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.Contains(got, "\x1b") || strings.Contains(got, "\x07") {
		t.Errorf("raw escapes reached the output:\n%q", got)
	}
	if !strings.Contains(got, `\x1b]0;PWNED\x07\x1b[31mred\x1b[2J é`) || !strings.Contains(got, "exception: Error: ") {
		t.Errorf("the body and the exception should be shown, spelled out:\n%s", got)
	}
}
