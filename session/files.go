package session

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// CheckReportPath refuses a report path whose directory does not exist, before any request
// is sent, so that the mistake is exit 2 and not a lost report.
func CheckReportPath(flag, path string) error {
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return fmt.Errorf("bad %s %q: no directory %s", flag, path, filepath.Dir(path))
	}
	return nil
}

// writeFile writes path atomically, so that a reader never sees half a report.
func writeFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file private; a report is as readable as any file written plainly.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// fileOutput is an output that writes one file at every stop and ignores the rest.
type fileOutput struct {
	path  string
	write func(res *Result, w io.Writer) error
}

func (o *fileOutput) Start(*Run) (time.Duration, error) { return 0, nil }
func (o *fileOutput) Snapshot(*Run)                     {}
func (o *fileOutput) Stop(res *Result) error {
	return writeFile(o.path, func(w io.Writer) error { return o.write(res, w) })
}
