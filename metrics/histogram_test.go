package metrics

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestHistogramRoundTripMerges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	all := newHist()
	var parts []*HistogramJSON
	for range 3 {
		h := newHist()
		for range 5000 {
			// Log-uniform from 1 µs to ~20 min, beyond the range at the top.
			d := time.Duration(float64(time.Microsecond) * math.Pow(10, rng.Float64()*9.1))
			us := micros(d)
			_ = h.RecordValue(us)
			_ = all.RecordValue(us)
		}
		// Through JSON text, as results travel between machines.
		b, err := json.Marshal(EncodeHistogram(h))
		if err != nil {
			t.Fatal(err)
		}
		var j HistogramJSON
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, &j)
	}
	merged := newHist()
	for _, p := range parts {
		h, err := DecodeHistogram(p)
		if err != nil {
			t.Fatal(err)
		}
		if dropped := merged.Merge(h); dropped != 0 {
			t.Fatalf("merge dropped %d", dropped)
		}
	}
	if !merged.Equals(all) {
		t.Errorf("decoded and merged histogram differs: %d vs %d values, p99 %d vs %d",
			merged.TotalCount(), all.TotalCount(), merged.ValueAtPercentile(99), all.ValueAtPercentile(99))
	}
}

func TestHistogramEncoding(t *testing.T) {
	h := newHist()
	_ = h.RecordValues(3, 2)
	_ = h.RecordValue(7)
	got := EncodeHistogram(h)
	want := []int64{-3, 2, -3, 1}
	if len(got.Counts) != len(want) {
		t.Fatalf("counts %v, want %v", got.Counts, want)
	}
	for i := range want {
		if got.Counts[i] != want[i] {
			t.Fatalf("counts %v, want %v", got.Counts, want)
		}
	}
	if got.Lowest != 1 || got.Highest != histHighest || got.SigFigs != 3 || got.Unit != "us" {
		t.Errorf("geometry %+v", got)
	}
	if EncodeHistogram(nil) != nil {
		t.Error("nil histogram encodes to non-nil")
	}
}

func TestDecodeHistogramRejects(t *testing.T) {
	tests := []struct {
		name string
		j    *HistogramJSON
	}{
		{"missing", nil},
		{"bad unit", &HistogramJSON{Lowest: 1, Highest: histHighest, SigFigs: 3, Unit: "ms"}},
		{"bad sigfigs", &HistogramJSON{Lowest: 1, Highest: histHighest, SigFigs: 9}},
		{"zero run too long", &HistogramJSON{Lowest: 1, Highest: histHighest, SigFigs: 3, Counts: []int64{-1 << 60, 1}}},
		{"too many counts", &HistogramJSON{Lowest: 1, Highest: 1000, SigFigs: 1, Counts: make([]int64, 100000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeHistogram(tt.j); err == nil {
				t.Error("no error")
			}
		})
	}
}
