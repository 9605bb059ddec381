package session

import (
	"fmt"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// Check rejects settings no run can use, naming the flag and the value, before anything is
// sent.
func (c *Config) Check() error {
	switch {
	case c.Users < 0:
		return fmt.Errorf("bad --users %d: it must be >= 0", c.Users)
	case c.SpawnRate < 0:
		return fmt.Errorf("bad --spawn-rate %v: it must be >= 0", c.SpawnRate)
	case c.Iterations < 0:
		return fmt.Errorf("bad --iterations %d: it must be >= 0", c.Iterations)
	case c.Rate < 0:
		return fmt.Errorf("bad --rate %v: it must be >= 0", c.Rate)
	case c.AutoQuit && c.AutoQuitAfter < 0:
		return fmt.Errorf("bad --autoquit %d: it must be >= 0 (seconds), or -1 for never", c.AutoQuitAfter/time.Second)
	case c.Host != "":
		return engine.CheckHost(c.Host)
	}
	return nil
}

// ParseThresholds are the thresholds of options.thresholds (fromOptions) and of --threshold
// (flags), in that order: both apply.
func ParseThresholds(fromOptions any, flags []string) ([]metrics.Threshold, error) {
	out, err := metrics.ThresholdsFromOptions(fromOptions)
	if err != nil {
		return nil, err
	}
	for _, expr := range flags {
		t, err := metrics.ParseThreshold(expr)
		if err != nil {
			return nil, fmt.Errorf("%v (from --threshold)", err)
		}
		out = append(out, t)
	}
	return out, nil
}
