package engine

// distribute splits n users among classes: fixed counts first (in class order, as far as n
// goes), then the rest in proportion to the weights by largest remainder, so the counts always
// add up to n.
func distribute(classes []UserClass, n int) []int {
	out := make([]int, len(classes))
	left := n
	for i, c := range classes {
		if c.FixedCount > 0 {
			k := min(c.FixedCount, left)
			out[i] = k
			left -= k
		}
	}
	total := 0
	for _, c := range classes {
		if c.FixedCount == 0 {
			total += c.Weight
		}
	}
	if left == 0 || total == 0 {
		return out
	}
	type rem struct {
		i    int
		frac float64
	}
	var rems []rem
	given := 0
	for i, c := range classes {
		if c.FixedCount > 0 {
			continue
		}
		exact := float64(left) * float64(c.Weight) / float64(total)
		k := int(exact)
		out[i] += k
		given += k
		rems = append(rems, rem{i, exact - float64(k)})
	}
	// Hand out what rounding left over to the largest remainders; ties go to the earlier class.
	for given < left {
		best := -1
		for j, r := range rems {
			if best < 0 || r.frac > rems[best].frac {
				best = j
			}
		}
		out[rems[best].i]++
		rems[best].frac = -1
		given++
	}
	return out
}

// pickShort returns the class furthest below its share, the next one to grow.
func pickShort(want []int, active [][]*vu) int {
	best, bestGap := 0, -1.0
	for i, w := range want {
		if w == 0 {
			continue
		}
		gap := float64(w-len(active[i])) / float64(w)
		if gap > bestGap {
			best, bestGap = i, gap
		}
	}
	return best
}

// pickLong returns the class furthest above its share, the next one to shrink.
func pickLong(want []int, active [][]*vu) int {
	best, bestOver := -1, -1.0
	for i, list := range active {
		if len(list) == 0 {
			continue
		}
		over := float64(len(list)-want[i]) / float64(max(want[i], 1))
		if over > bestOver {
			best, bestOver = i, over
		}
	}
	return best
}
