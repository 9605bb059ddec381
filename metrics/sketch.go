package metrics

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// sketchAccuracy is the relative accuracy of a Sketch's percentiles: every
// value reported is within 0.1% of a recorded one, as the latency histograms.
const sketchAccuracy = 0.001

var (
	sketchGamma   = (1 + sketchAccuracy) / (1 - sketchAccuracy)
	sketchLnGamma = math.Log(sketchGamma)
)

// Sketch holds the values of a Trend: any float, negative and fractional ones
// too, which an HDR histogram of integers does not take. Values fall in
// logarithmic buckets (bucket i holds (γ^(i-1), γ^i], γ = 1.001/0.999), so a
// bucket's midpoint is within 0.1% of every value in it; two sketches merge
// without loss by adding counts bucket by bucket. Its size follows the buckets
// in use: about 7,000 cover a factor of a million.
type Sketch struct {
	pos, neg map[int32]int64
	zero     int64
	count    int64
}

func newSketch() *Sketch {
	return &Sketch{pos: map[int32]int64{}, neg: map[int32]int64{}}
}

// sketchIndex is the bucket of a positive value.
func sketchIndex(v float64) int32 {
	return int32(math.Ceil(math.Log(v) / sketchLnGamma))
}

// sketchValue is the representative of bucket i: within sketchAccuracy of all it holds.
func sketchValue(i int32) float64 {
	return 2 * math.Pow(sketchGamma, float64(i)) / (sketchGamma + 1)
}

// sameBucket tells whether a sketch keeps a and b in one bucket.
func sameBucket(a, b float64) bool {
	switch {
	case a > sketchTiny && b > sketchTiny:
		return sketchIndex(a) == sketchIndex(b)
	case a < -sketchTiny && b < -sketchTiny:
		return sketchIndex(-a) == sketchIndex(-b)
	}
	return math.Abs(a) <= sketchTiny && math.Abs(b) <= sketchTiny
}

// tiny values count as zero: below this a logarithmic bucket index overflows nothing
// but says nothing a person reads either.
const sketchTiny = 1e-9

// Add records v; NaN is ignored.
func (k *Sketch) Add(v float64) {
	switch {
	case math.IsNaN(v):
		return
	case v > sketchTiny:
		k.pos[sketchIndex(min(v, math.MaxFloat64))]++
	case v < -sketchTiny:
		k.neg[sketchIndex(min(-v, math.MaxFloat64))]++
	default:
		k.zero++
	}
	k.count++
}

// Count is the number of values recorded.
func (k *Sketch) Count() int64 { return k.count }

// Merge adds o's values to k.
func (k *Sketch) Merge(o *Sketch) {
	for i, c := range o.pos {
		k.pos[i] += c
	}
	for i, c := range o.neg {
		k.neg[i] += c
	}
	k.zero += o.zero
	k.count += o.count
}

// Clone returns a copy of k.
func (k *Sketch) Clone() *Sketch {
	out := newSketch()
	out.Merge(k)
	return out
}

// Percentile returns the value below which p percent (0-100) of the values
// fall: the value of rank ceil(p/100 × count), within 0.1%; 0 when empty.
func (k *Sketch) Percentile(p float64) float64 {
	if k.count == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(p/100*float64(k.count))), 1)
	rank = min(rank, k.count)
	var seen int64
	neg := slices.Sorted(maps.Keys(k.neg))
	for j := len(neg) - 1; j >= 0; j-- { // the most negative first
		if seen += k.neg[neg[j]]; seen >= rank {
			return -sketchValue(neg[j])
		}
	}
	if seen += k.zero; seen >= rank {
		return 0
	}
	for _, i := range slices.Sorted(maps.Keys(k.pos)) {
		if seen += k.pos[i]; seen >= rank {
			return sketchValue(i)
		}
	}
	return 0
}

// SketchJSON is the mergeable form of a Sketch in the JSON result: the
// relative accuracy, and the buckets in use as [index, count] for positive
// values (Pos) and for negative ones by their magnitude (Neg); bucket i holds
// the magnitudes in (γ^(i-1), γ^i] with γ = (1+accuracy)/(1-accuracy).
type SketchJSON struct {
	Accuracy float64    `json:"accuracy"`
	Pos      [][2]int64 `json:"pos"`
	Neg      [][2]int64 `json:"neg,omitempty"`
	Zero     int64      `json:"zero,omitempty"`
}

func (k *Sketch) encode() *SketchJSON {
	j := &SketchJSON{Accuracy: sketchAccuracy, Zero: k.zero, Pos: [][2]int64{}}
	for _, i := range slices.Sorted(maps.Keys(k.pos)) {
		j.Pos = append(j.Pos, [2]int64{int64(i), k.pos[i]})
	}
	for _, i := range slices.Sorted(maps.Keys(k.neg)) {
		j.Neg = append(j.Neg, [2]int64{int64(i), k.neg[i]})
	}
	return j
}

func decodeSketch(j *SketchJSON) (*Sketch, error) {
	if j == nil {
		return nil, fmt.Errorf("missing sketch")
	}
	if j.Accuracy != sketchAccuracy {
		return nil, fmt.Errorf("sketch accuracy %v, want %v", j.Accuracy, sketchAccuracy)
	}
	k := newSketch()
	for _, side := range []struct {
		in  [][2]int64
		out map[int32]int64
	}{{j.Pos, k.pos}, {j.Neg, k.neg}} {
		for _, b := range side.in {
			if b[1] <= 0 || b[0] < math.MinInt32 || b[0] > math.MaxInt32 {
				return nil, fmt.Errorf("sketch bucket [%d, %d] out of range", b[0], b[1])
			}
			side.out[int32(b[0])] += b[1]
			k.count += b[1]
		}
	}
	if j.Zero < 0 {
		return nil, fmt.Errorf("sketch zero count %d", j.Zero)
	}
	k.zero = j.Zero
	k.count += j.Zero
	return k, nil
}
