package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a run time the way Locust does: "30s", "5m", "1h30m", "2h", combined
// units, or a bare number of seconds ("90", "0.5"). Days are accepted as "d" ("1d12h").
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("bad duration %q: use 30s, 5m or 1h30m", s)
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil {
		if f < 0 {
			return 0, fmt.Errorf("bad duration %q: it is negative", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	var days time.Duration
	if i := strings.Index(t, "d"); i > 0 {
		n, err := strconv.Atoi(t[:i])
		if err != nil {
			return 0, fmt.Errorf("bad duration %q: use 30s, 5m or 1h30m", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		t = t[i+1:]
		if t == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad duration %q: use 30s, 5m or 1h30m", s)
	}
	return days + d, nil
}
