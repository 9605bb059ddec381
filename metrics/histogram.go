package metrics

import (
	"fmt"
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
// result. It is hdrhistogram's Export() snapshot (lowest and highest trackable
// value, significant figures, the counts array) with values in microseconds,
// made compact the way HdrHistogram's V2 wire format is: in Counts, a negative
// number -n stands for n consecutive zero counts, and trailing zeros are left
// out. Expanding the runs gives the Export() counts, which hdrhistogram.Import
// turns back into the same histogram, so results from many machines merge
// without loss.
type HistogramJSON struct {
	Lowest  int64   `json:"lowest"`
	Highest int64   `json:"highest"`
	SigFigs int64   `json:"sigfigs"`
	Unit    string  `json:"unit"`
	Counts  []int64 `json:"counts"`
}

// EncodeHistogram returns the JSON form of h (nil for a nil h).
func EncodeHistogram(h *hdrhistogram.Histogram) *HistogramJSON {
	if h == nil {
		return nil
	}
	ex := h.Export()
	counts := ex.Counts
	for len(counts) > 0 && counts[len(counts)-1] == 0 {
		counts = counts[:len(counts)-1]
	}
	out := make([]int64, 0, 16)
	var zeros int64
	for _, c := range counts {
		if c == 0 {
			zeros++
			continue
		}
		if zeros > 0 {
			out = append(out, -zeros)
			zeros = 0
		}
		out = append(out, c)
	}
	return &HistogramJSON{
		Lowest:  ex.LowestTrackableValue,
		Highest: ex.HighestTrackableValue,
		SigFigs: ex.SignificantFigures,
		Unit:    "us",
		Counts:  out,
	}
}

// DecodeHistogram rebuilds the histogram EncodeHistogram described.
func DecodeHistogram(j *HistogramJSON) (*hdrhistogram.Histogram, error) {
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
	// The geometry bounds the expansion, so a forged zero run cannot make us
	// allocate more than the histogram itself needs.
	size := len(hdrhistogram.Import(geom).Export().Counts)
	counts := make([]int64, 0, size)
	for _, c := range j.Counts {
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
	return hdrhistogram.Import(geom), nil
}
