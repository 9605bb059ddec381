package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gustload/gust/metrics"
)

// handleSummary's outputs: stdout to the terminal, other keys written whole, the JSON result
// as its argument; its error is the stop's error (exit 2).
func TestScriptSummary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sum.txt")
	var got []byte
	var out bytes.Buffer
	o := ScriptSummary(&out, func(ctx context.Context, result []byte) (map[string]string, error) {
		got = result
		return map[string]string{"stdout": "printed\n", path: "written"}, nil
	})
	res := &Result{Started: true, Snapshot: metrics.New(metrics.Options{}).Snapshot(), Passed: true}
	if err := o.Stop(res); err != nil {
		t.Fatal(err)
	}
	var j map[string]any
	if err := json.Unmarshal(got, &j); err != nil || j["total"] == nil {
		t.Fatalf("handleSummary got %q (%v), want the JSON result", got, err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "written" || out.String() != "printed\n" {
		t.Fatalf("file %q (%v), stdout %q", b, err, out.String())
	}
	failing := ScriptSummary(&out, func(context.Context, []byte) (map[string]string, error) { return nil, errors.New("boom") })
	if err := failing.Stop(res); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("a failing handleSummary: %v", err)
	}
}
