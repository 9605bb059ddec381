package engine

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// Picker chooses an index at random with probability proportional to its weight.
type Picker struct {
	cum []int // cumulative weights: cum[i] = w[0]+...+w[i]
}

// NewPicker builds a Picker; weights must be >= 0 with a positive total.
func NewPicker(weights []int) (Picker, error) {
	cum := make([]int, len(weights))
	total := 0
	for i, w := range weights {
		if w < 0 {
			return Picker{}, fmt.Errorf("weight %d is negative", w)
		}
		total += w
		cum[i] = total
	}
	if total <= 0 {
		return Picker{}, fmt.Errorf("total weight is %d, it must be positive", total)
	}
	return Picker{cum: cum}, nil
}

// Pick returns an index; safe for concurrent use (math/rand/v2's global source is lock-free).
func (p Picker) Pick() int {
	if len(p.cum) == 1 {
		return 0
	}
	n := rand.IntN(p.cum[len(p.cum)-1])
	// The first index whose cumulative weight exceeds n; zero-weight entries never win.
	return sort.SearchInts(p.cum, n+1)
}

// Total is the sum of the weights.
func (p Picker) Total() int {
	if len(p.cum) == 0 {
		return 0
	}
	return p.cum[len(p.cum)-1]
}
