package convert

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Main writes the script to stdout, or to -o's file; bad usage and unreadable input exit 2.
func TestMain(t *testing.T) {
	var out, errs bytes.Buffer
	if code := Main([]string{"testdata/fastapi.json"}, &out, &errs); code != 0 || !strings.Contains(out.String(), "HttpUser") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errs.String())
	}
	dest := filepath.Join(t.TempDir(), "locustfile.js")
	if code := Main([]string{"-o", dest, "testdata/fastapi.json"}, &out, &errs); code != 0 {
		t.Fatalf("-o: exit %d: %s", code, &errs)
	}
	if b, err := os.ReadFile(dest); err != nil || !bytes.Equal(b, out.Bytes()) {
		t.Fatalf("-o wrote something else than stdout: %v", err)
	}
	errs.Reset()
	if code := Main([]string{"testdata/none.har"}, &out, &errs); code != 2 || !strings.Contains(errs.String(), "none.har") {
		t.Fatalf("missing file: exit %d, %q", code, &errs)
	}
	if code := Main(nil, &out, &errs); code != 2 {
		t.Fatalf("no file: exit %d", code)
	}
}
