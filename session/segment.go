package session

import (
	"fmt"
	"time"

	"github.com/gustload/gust/engine"
)

// SegmentOf is the segment a run is given: --segment's value when set (GUST_SEGMENT reaches it
// as every GUST_* variable reaches its flag), else JOB_COMPLETION_INDEX with GUST_SEGMENTS
// from getenv (a Kubernetes Indexed Job); the whole test when none is set.
func SegmentOf(flag string, getenv func(string) string) (engine.Segment, error) {
	if flag != "" {
		s, err := engine.ParseSegment(flag)
		if err != nil {
			return s, fmt.Errorf("bad --%w", err)
		}
		return s, nil
	}
	s, _, err := engine.SegmentFromEnv(getenv)
	return s, err
}

// StartAt reads --start-at ("" for none) against now.
func StartAt(flag string, now time.Time) (time.Time, error) {
	if flag == "" {
		return time.Time{}, nil
	}
	return engine.ParseStartAt(flag, now)
}
