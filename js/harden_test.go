package js

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
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
