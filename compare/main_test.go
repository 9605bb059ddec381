package compare

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Main's exit codes: 0 for a result against itself, 3 for a slower one (the page written
// whole), 2 for bad usage, naming the value.
func TestMainExitCodes(t *testing.T) {
	base := writeResult(t, "base.json", map[string][]time.Duration{"/a": repeat(10*time.Millisecond, 100)}, nil)
	slow := writeResult(t, "slow.json", map[string][]time.Duration{"/a": repeat(50*time.Millisecond, 100)}, nil)
	page := filepath.Join(t.TempDir(), "cmp.html")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{base, base}, 0, "/a"},
		{[]string{base, slow, "--html", page}, 3, "GET /a: p95"},
		{[]string{base}, 2, "Usage: gust compare"},
		{[]string{base, slow, "--tolerance", "p95:10%"}, 2, "p95:10%"},
	} {
		var out, errs bytes.Buffer
		if code := Main(c.args, &out, &errs); code != c.code || !strings.Contains(out.String()+errs.String(), c.want) {
			t.Errorf("compare %v: exit %d, want %d with %q:\n%s%s", c.args, code, c.code, c.want, &out, &errs)
		}
	}
	if b, err := os.ReadFile(page); err != nil || !bytes.Contains(b, []byte("<html")) {
		t.Fatalf("--html: %v", err)
	}
}
