package metrics

import (
	"fmt"
	"strings"
)

// Interrupted counts one request cut short by a hard stop (the stop timeout ran out while
// it was in flight). It is neither a success nor a failure: it has no response to judge,
// and a clean stop should not fail the run. Rare, so it goes straight to the shared Stats.
func (r *Recorder) Interrupted() {
	s := r.s
	s.mu.Lock()
	if r.gen == s.gen.Load() {
		s.interrupted++
	}
	s.mu.Unlock()
}

// writeInterrupted adds the summary's line on interrupted requests, when there were any.
func writeInterrupted(b *strings.Builder, s *Snapshot) {
	if s.Interrupted == 0 {
		return
	}
	fmt.Fprintf(b, "Interrupted: %d requests in flight when the stop timeout ran out (not counted as failures)\n\n", s.Interrupted)
}
