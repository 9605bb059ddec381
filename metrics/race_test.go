//go:build race

package metrics

// raceEnabled: the race detector multiplies allocations, so allocation budgets do not hold.
const raceEnabled = true
