package metrics

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

func TestHistogramRoundTripMerges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	all := newPacked()
	var parts []*HistogramJSON
	for range 3 {
		h := newPacked()
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
	merged := newPacked()
	for _, p := range parts {
		h, err := DecodeHistogram(p)
		if err != nil {
			t.Fatal(err)
		}
		if dropped := merged.Merge(h); dropped != 0 {
			t.Fatalf("merge dropped %d", dropped)
		}
	}
	if !sameHist(merged, all) {
		t.Errorf("decoded and merged histogram differs: %d vs %d values, p99 %d vs %d",
			merged.TotalCount(), all.TotalCount(), merged.ValueAtPercentile(99), all.ValueAtPercentile(99))
	}
}

func TestHistogramEncoding(t *testing.T) {
	h := newPacked()
	_ = h.RecordValues(3, 2)
	_ = h.RecordValue(7)
	_ = h.RecordValue(300000)
	got := EncodeHistogram(h)
	want := [][2]int64{{3, 2}, {7, 1}, {299776, 1}}
	if len(got.Buckets) != len(want) {
		t.Fatalf("buckets %v, want %v", got.Buckets, want)
	}
	for i := range want {
		if got.Buckets[i] != want[i] {
			t.Fatalf("buckets %v, want %v", got.Buckets, want)
		}
	}
	if got.Lowest != 1 || got.Highest != histHighest || got.SigFigs != 3 || got.Unit != "us" {
		t.Errorf("geometry %+v", got)
	}
	if EncodeHistogram(nil) != nil {
		t.Error("nil histogram encodes to non-nil")
	}
}

// A version 1 result wrote Export()'s counts with zero runs; it still reads.
func TestDecodeHistogramVersion1(t *testing.T) {
	h, err := DecodeHistogram(&HistogramJSON{Lowest: 1, Highest: histHighest, SigFigs: 3, Unit: "us", Counts: []int64{-3, 2, -3, 1}})
	if err != nil {
		t.Fatal(err)
	}
	if h.TotalCount() != 3 || h.CountAtValue(3) != 2 || h.CountAtValue(7) != 1 {
		t.Errorf("decoded %d values, %d at 3, %d at 7", h.TotalCount(), h.CountAtValue(3), h.CountAtValue(7))
	}
}

// sameHist tells whether two histograms hold the same counts in the same buckets.
func sameHist(a, b *hdrhistogram.PackedHistogram) bool {
	if a == nil || b == nil {
		return a == b
	}
	ea, eb := EncodeHistogram(a), EncodeHistogram(b)
	return slices.Equal(ea.Buckets, eb.Buckets) && a.TotalCount() == b.TotalCount()
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
		{"bucket out of range", &HistogramJSON{Lowest: 1, Highest: histHighest, SigFigs: 3, Buckets: [][2]int64{{histHighest * 4, 1}}}},
		{"zero count", &HistogramJSON{Lowest: 1, Highest: histHighest, SigFigs: 3, Buckets: [][2]int64{{5, 0}}}},
		{"descending", &HistogramJSON{Lowest: 1, Highest: histHighest, SigFigs: 3, Buckets: [][2]int64{{9, 1}, {5, 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeHistogram(tt.j); err == nil {
				t.Error("no error")
			}
		})
	}
}
