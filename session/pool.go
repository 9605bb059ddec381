package session

import (
	"math"

	"github.com/gustload/gust/engine"
)

// OpenPool is the user cap of the open model when -u is given nowhere: enough users for tasks
// that take up to a second at rate or at the highest rate of shape's stages, at least 100.
func OpenPool(rate float64, shape engine.Shape) int {
	st, _ := shape.(engine.Stages)
	for _, s := range st {
		rate = max(rate, s.Rate)
	}
	return max(100, int(math.Ceil(rate)))
}
