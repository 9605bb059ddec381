package session

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"600MB": 600e6, "2GiB": 2 << 30, "1024": 1024, "1.5 GB": 1.5e9, "0": 0, "64kib": 64 << 10} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1MB", "12PB", "MB"} {
		if _, err := parseSize(bad); err == nil || !strings.Contains(err.Error(), "--max-memory") {
			t.Errorf("parseSize(%q): %v, want an error naming --max-memory", bad, err)
		}
	}
	if d := defaultMaxMemory(); machineMemory() > 0 && (d == 0 || d > machineMemory()) {
		t.Errorf("default %d with %d on the machine", d, machineMemory())
	}
}

// Crossing --max-memory stops the test at once, says why, and the reports are still written.
func TestMemoryLimitStopsTheTest(t *testing.T) {
	ts, _ := target(t)
	test, stats := loadTest(t, looping, ts.URL)
	prefix := filepath.Join(t.TempDir(), "m")
	c, err := NewCSV(prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := New(test, stats, Config{Users: 2, SpawnRate: 100, RunTime: 30 * time.Second, StopTimeout: 10 * time.Second,
		MaxMemory: 1 << 10, Outputs: []Output{c}, Out: io.Discard, Log: io.Discard})
	start := time.Now()
	res, err := s.Run(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.MemoryLimit || !strings.HasPrefix(res.Run.StopReason, "memory limit reached (") {
		t.Errorf("memory limit %v, stop reason %q", res.MemoryLimit, res.Run.StopReason)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the test ran %v past a crossed limit", el)
	}
	if b, err := os.ReadFile(prefix + "_stats.csv"); err != nil || len(b) == 0 {
		t.Errorf("no stats CSV after the memory limit: %v", err)
	}
}
