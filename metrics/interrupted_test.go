package metrics

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestInterruptedCount: interrupted requests are counted apart from requests and failures,
// shown in the summary and the JSON result, and cleared by a reset.
func TestInterruptedCount(t *testing.T) {
	s := New(Options{})
	r := s.Recorder()
	r.Interrupted()
	r.Interrupted()
	snap := s.Snapshot()
	if snap.Interrupted != 2 || snap.Total.Requests != 0 || snap.Total.Failures != 0 {
		t.Fatalf("interrupted %d, requests %d, failures %d; want 2, 0, 0", snap.Interrupted, snap.Total.Requests, snap.Total.Failures)
	}
	var sum bytes.Buffer
	WriteSummary(&sum, snap)
	if !strings.Contains(sum.String(), "Interrupted: 2 requests") {
		t.Errorf("summary lacks the interrupted line:\n%s", sum.String())
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, snap, nil); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Interrupted int64 }
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || doc.Interrupted != 2 {
		t.Errorf("JSON interrupted %d (%v), want 2", doc.Interrupted, err)
	}
	back, _, err := ReadJSON(bytes.NewReader(js.Bytes()))
	if err != nil || back.Interrupted != 2 {
		t.Errorf("read back: interrupted %d (%v), want 2", back.Interrupted, err)
	}
	s.Reset()
	if n := s.Snapshot().Interrupted; n != 0 {
		t.Errorf("after a reset: %d interrupted", n)
	}
}
