package metrics

import (
	"fmt"
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Every latency histogram shares one geometry so that any two of them merge
// index to index: microseconds from 1 µs to 10 min at 3 significant digits,
// which keeps every reported percentile within 0.1% of the recorded value.
const (
	histLowest  = 1
	histHighest = int64(10 * time.Minute / time.Microsecond)
	histSigFigs = 3
)

// newHist returns an empty dense histogram with the package's geometry.
func newHist() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowest, histHighest, histSigFigs)
}

// newPacked returns an empty sparse histogram with the package's geometry. Rows
// use it because a dense one costs 172 KB whatever it holds, and the name cap
// allows thousands of rows.
func newPacked() *hdrhistogram.PackedHistogram {
	return hdrhistogram.NewPacked(histLowest, histHighest, histSigFigs)
}

// quantiler is what percentileOf needs of a dense or sparse histogram.
type quantiler interface {
	TotalCount() int64
	ValueAtPercentile(float64) int64
}

// percentileOf returns the value of nearest rank ceil(p/100 × count) in h (0
// when empty), as the highest value equivalent to it, as hdrhistogram reports
// values. The nearest rank is what keeps every percentile of a result merged
// with itself, or with k copies of itself, unchanged; hdrhistogram's own rank
// (p/100 × count rounded half up) does not: 13.3 of 14 values rounds to 13,
// 26.6 of the 28 values of two copies rounds to 27, a different value.
func percentileOf(h quantiler, p float64) int64 {
	n := h.TotalCount()
	if n == 0 {
		return 0
	}
	// The small tolerance keeps a product like 0.95 × 20 at rank 19 despite float error.
	rank := min(max(int64(math.Ceil(p*float64(n)/100-1e-9)), 1), n)
	// hdrhistogram's rank of this percentile is rank + 0.5 rounded down: rank itself.
	return h.ValueAtPercentile(100 * float64(rank) / float64(n))
}

// micros converts a duration to the histogram's unit, clamped into its range:
// a 20-minute request still counts, as a 10-minute one (min and max are kept
// exactly elsewhere).
func micros(d time.Duration) int64 {
	us := int64(d / time.Microsecond)
	if us < 0 {
		return 0
	}
	if us > histHighest {
		return histHighest
	}
	return us
}

// HistogramJSON is the mergeable form of a latency histogram in the JSON
// result: the geometry (lowest and highest trackable value, significant
// figures, values in microseconds) and, in Buckets, every populated bucket as
// [value, count], value ascending, where value is the lowest value the bucket
// holds. Recording each count at its value into a histogram of the same
// geometry rebuilds the same histogram, so results from many machines merge
// without loss. Its size follows the buckets in use, not the geometry.
//
// Counts is the older form (result version 1): hdrhistogram's Export() counts,
// where a negative number -n stands for n consecutive zero counts and trailing
// zeros are left out. It is still read, never written.
type HistogramJSON struct {
	Lowest  int64      `json:"lowest"`
	Highest int64      `json:"highest"`
	SigFigs int64      `json:"sigfigs"`
	Unit    string     `json:"unit"`
	Buckets [][2]int64 `json:"buckets,omitempty"`
	Counts  []int64    `json:"counts,omitempty"`
}

// EncodeHistogram returns the JSON form of h (nil for a nil h).
func EncodeHistogram(h *hdrhistogram.PackedHistogram) *HistogramJSON {
	if h == nil {
		return nil
	}
	j := &HistogramJSON{
		Lowest:  h.LowestTrackableValue(),
		Highest: h.HighestTrackableValue(),
		SigFigs: h.SignificantFigures(),
		Unit:    "us",
		Buckets: make([][2]int64, 0, h.Populated()),
	}
	for v, c := range h.ForEachBucket {
		j.Buckets = append(j.Buckets, [2]int64{v, c})
	}
	return j
}

// DecodeHistogram rebuilds the histogram EncodeHistogram described.
func DecodeHistogram(j *HistogramJSON) (*hdrhistogram.PackedHistogram, error) {
	if j == nil {
		return nil, fmt.Errorf("decode histogram: missing")
	}
	if j.Unit != "" && j.Unit != "us" {
		return nil, fmt.Errorf("decode histogram: unit %q, want \"us\"", j.Unit)
	}
	geom := &hdrhistogram.Snapshot{
		LowestTrackableValue:  j.Lowest,
		HighestTrackableValue: j.Highest,
		SignificantFigures:    j.SigFigs,
	}
	if err := geom.Validate(); err != nil {
		return nil, fmt.Errorf("decode histogram: %w", err)
	}
	if j.Counts != nil {
		return decodeCounts(geom, j.Counts)
	}
	p := hdrhistogram.NewPacked(j.Lowest, j.Highest, int(j.SigFigs))
	prev := int64(-1)
	for _, b := range j.Buckets {
		v, c := b[0], b[1]
		if v <= prev || c <= 0 {
			return nil, fmt.Errorf("decode histogram: bucket [%d, %d]: want values ascending and counts above 0", v, c)
		}
		prev = v
		if err := p.RecordValues(v, c); err != nil {
			return nil, fmt.Errorf("decode histogram: bucket [%d, %d]: %w", v, c, err)
		}
	}
	return p, nil
}

// decodeCounts reads the version 1 form, Export()'s counts with zero runs.
func decodeCounts(geom *hdrhistogram.Snapshot, compact []int64) (*hdrhistogram.PackedHistogram, error) {
	// The geometry bounds the expansion, so a forged zero run cannot make us
	// allocate more than the histogram itself needs.
	size := len(hdrhistogram.Import(geom).Export().Counts)
	counts := make([]int64, 0, size)
	for _, c := range compact {
		if c >= 0 {
			counts = append(counts, c)
		} else {
			if -c > int64(size-len(counts)) {
				return nil, fmt.Errorf("decode histogram: counts exceed the %d buckets of the geometry", size)
			}
			counts = counts[:len(counts)+int(-c)]
		}
		if len(counts) > size {
			return nil, fmt.Errorf("decode histogram: counts exceed the %d buckets of the geometry", size)
		}
	}
	geom.Counts = counts
	if err := geom.Validate(); err != nil {
		return nil, fmt.Errorf("decode histogram: %w", err)
	}
	p := hdrhistogram.NewPacked(geom.LowestTrackableValue, geom.HighestTrackableValue, int(geom.SignificantFigures))
	_ = p.MergeFrom(hdrhistogram.Import(geom))
	return p, nil
}
