package session

import (
	"bufio"
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// MaxMemory is --max-memory: defaultMaxMemory when flag is "", else the size it gives.
func MaxMemory(flag string) (uint64, error) {
	if flag == "" {
		return defaultMaxMemory(), nil
	}
	return parseSize(flag)
}

// parseSize reads a memory size: a number of bytes with an optional unit, KB/MB/GB/TB
// (powers of 1000) or KiB/MiB/GiB/TiB (powers of 1024); "0" means no limit.
func parseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	num := strings.TrimRightFunc(t, func(r rune) bool { return r < '0' || r > '9' && r != '.' })
	unit := strings.ToUpper(strings.TrimSpace(t[len(num):]))
	mult := map[string]float64{"": 1, "B": 1, "K": 1e3, "KB": 1e3, "M": 1e6, "MB": 1e6, "G": 1e9, "GB": 1e9, "T": 1e12, "TB": 1e12,
		"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}[unit]
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || n < 0 {
		return 0, fmt.Errorf("bad --max-memory %q: want a size like 600MB, 2GiB or 0 (no limit)", s)
	}
	return uint64(n * mult), nil
}

// defaultMaxMemory is 75% of the memory gust may use: the cgroup's limit when it has one
// below the machine's, else the machine's; 0 (no limit) when neither can be read.
func defaultMaxMemory() uint64 {
	limit := machineMemory()
	if c := cgroupMemory(); c > 0 && (limit == 0 || c < limit) {
		limit = c
	}
	return limit / 4 * 3
}

// machineMemory is MemTotal from /proc/meminfo (Linux); 0 elsewhere.
func machineMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, _ := strconv.ParseUint(fields[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cgroupMemory is the memory limit of gust's cgroup (v2, then v1); 0 when there is none.
func cgroupMemory() uint64 {
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		if err == nil && n < 1<<60 { // "max" or v1's huge number: no limit
			return n
		}
	}
	return 0
}

// memorySample is how often the watchdog looks at the memory in use.
const memorySample = 100 * time.Millisecond

// memoryInUse is the memory the Go runtime holds from the system and has not given back: what
// the process's resident size is made of.
func memoryInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	total, released := s[0].Value.Uint64(), s[1].Value.Uint64()
	if released > total {
		return 0
	}
	return total - released
}

// watchMemory stops run at once when the memory in use crosses limit, until done closes; the
// result then says so (Result.MemoryLimit).
func (s *Session) watchMemory(run *Run, limit uint64, done <-chan struct{}) {
	t := time.NewTicker(memorySample)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if used := memoryInUse(); used > limit {
				reason := fmt.Sprintf("memory limit reached (%s in use, --max-memory %s)", formatSize(used), formatSize(limit))
				fmt.Fprintln(s.cfg.Log, "gust:", reason)
				s.mu.Lock()
				s.memoryHit = true
				s.mu.Unlock()
				run.runner.Kill(reason)
				return
			}
		}
	}
}

// formatSize is n in MB (powers of 1000, as --max-memory 600MB reads).
func formatSize(n uint64) string {
	return strconv.FormatFloat(float64(n)/1e6, 'f', 0, 64) + " MB"
}
