package scaffold

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The commands write their files and say so; bad usage exits 2.
func TestMains(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if code := TypesMain([]string{dir}, &out, &errs); code != 0 || !strings.Contains(out.String(), DeclarationsFile) {
		t.Fatalf("types: exit %d %s%s", code, &out, &errs)
	}
	if b, err := os.ReadFile(filepath.Join(dir, DeclarationsFile)); err != nil || !bytes.Equal(b, Declarations) {
		t.Fatalf("types wrote something else: %v", err)
	}
	if code := TypesMain([]string{dir, dir}, &out, &errs); code != 2 {
		t.Fatalf("two directories: exit %d", code)
	}
	proj := filepath.Join(dir, "p")
	out.Reset()
	if code := Main([]string{"--ts", proj}, &out, &errs); code != 0 || !strings.Contains(out.String(), "locustfile.ts") {
		t.Fatalf("new: exit %d %s%s", code, &out, &errs)
	}
	if _, err := os.Stat(filepath.Join(proj, "locustfile.ts")); err != nil {
		t.Fatal(err)
	}
	if code := Main(nil, &out, &errs); code != 2 {
		t.Fatalf("new without DIR: exit %d", code)
	}
}
