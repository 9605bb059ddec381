package metrics

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestJSONRoundTrip(t *testing.T) {
	want := sampleSnapshot(t)
	var b bytes.Buffer
	extra := map[string]any{"users": 10, "thresholds": []string{"p95<300ms"}}
	if err := WriteJSON(&b, want, extra); err != nil {
		t.Fatal(err)
	}

	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	for _, k := range []string{"version", "start", "end", "duration_s", "entries", "total", "errors", "exceptions", "users", "thresholds"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %q key", k)
		}
	}
	total := doc["total"].(map[string]any)
	for k, v := range map[string]any{"requests": 110.0, "failures": 4.0, "avg_ms": 47.766, "min_ms": 1.0, "max_ms": 100.0, "rps": 11.0, "fail_per_s": 0.4} {
		if total[k] != v {
			t.Errorf("total.%s = %v, want %v", k, total[k], v)
		}
	}
	if p := total["percentiles"].(map[string]any); len(p) != len(Percentiles) || p["99.9"] != 100.0 {
		t.Errorf("percentiles %v", p)
	}
	if !strings.Contains(b.String(), `"percentiles":{"50":`) {
		t.Error("percentiles not in Locust's order")
	}

	got, rest, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if string(rest["users"]) != "10" || len(rest) != 2 {
		t.Errorf("extra keys %v", rest)
	}
	if !got.Start.Equal(want.Start) || !got.Now.Equal(want.Now) {
		t.Errorf("span %v..%v, want %v..%v", got.Start, got.Now, want.Start, want.Now)
	}
	if len(got.Entries) != len(want.Entries) {
		t.Fatalf("%d rows, want %d", len(got.Entries), len(want.Entries))
	}
	for i, w := range append(want.Entries, want.Total) {
		g := got.Total
		if i < len(got.Entries) {
			g = got.Entries[i]
		}
		if g.Method != w.Method || g.Name != w.Name || g.Requests != w.Requests || g.Failures != w.Failures ||
			g.MinTime != w.MinTime || g.MaxTime != w.MaxTime || g.TotalSize != w.TotalSize ||
			!g.FirstRequest.Equal(w.FirstRequest) || !g.LastRequest.Equal(w.LastRequest) || !sameHist(g.Hist, w.Hist) {
			t.Errorf("row %s changed:\n got %+v\nwant %+v", w.Name, g, w)
		}
		if (g.TotalTime-w.TotalTime).Abs() > time.Microsecond || g.RPS(got.Now) != w.RPS(want.Now) {
			t.Errorf("row %s: total time %v, want %v", w.Name, g.TotalTime, w.TotalTime)
		}
		for _, p := range Percentiles {
			if g.Percentile(p) != w.Percentile(p) {
				t.Errorf("row %s p%v = %v, want %v", w.Name, p, g.Percentile(p), w.Percentile(p))
			}
		}
	}
	sameError := func(a, b ErrorGroup) bool {
		return a.Method == b.Method && a.Name == b.Name && a.Error == b.Error && a.Occurrences == b.Occurrences &&
			a.FirstSeen.Equal(b.FirstSeen) && a.LastSeen.Equal(b.LastSeen)
	}
	if len(got.Errors) != 1 || !sameError(got.Errors[0], want.Errors[0]) {
		t.Errorf("errors %+v, want %+v", got.Errors, want.Errors)
	}
	if len(got.Exceptions) != 1 || got.Exceptions[0] != want.Exceptions[0] {
		t.Errorf("exceptions %+v, want %+v", got.Exceptions, want.Exceptions)
	}
}

func TestJSONErrors(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleSnapshot(t), map[string]any{"total": 1}); err == nil {
		t.Error("colliding extra key accepted")
	}
	tests := []struct{ name, doc string }{
		{"not JSON", "{"},
		{"other version", `{"version":3}`},
		{"bad histogram", `{"version":1,"entries":[{"name":"/","histogram":{"lowest":1,"highest":10,"sigfigs":9}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := ReadJSON(strings.NewReader(tt.doc)); err == nil {
				t.Error("no error")
			}
		})
	}
}
