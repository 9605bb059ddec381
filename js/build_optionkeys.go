package js

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// scriptOnlyOptions are the keys of `export const options` that are not flags.
var scriptOnlyOptions = []string{"stages", "thresholds"}

// k6Options are k6's names for options gust spells as Locust does.
var k6Options = map[string]string{"vus": "users", "duration": "runTime", "maxVUs": "users", "scenarios": "stages"}

// CheckOptionKeys rejects an unknown key in `export const options`, naming it and the nearest
// known one (or gust's name for a k6 option). flagKeys are the options keys the flags make
// ("spawn-rate" -> "spawnRate"); stages and thresholds are known besides.
func (s *Script) CheckOptionKeys(flagKeys []string) error {
	known := append(slices.Clone(scriptOnlyOptions), flagKeys...)
	keys := make([]string, 0, len(s.options))
	for k := range s.options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(known, k) {
			continue
		}
		msg := fmt.Sprintf("unknown key %q in `export const options`", k)
		if alt, ok := k6Options[k]; ok {
			msg += fmt.Sprintf(" (that is k6's name: gust's is %q)", alt)
		} else if near := nearestKey(k, known); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return fmt.Errorf("%s", msg)
	}
	return nil
}

// nearestKey is the known key closest to k by edit distance, "" when none is close.
func nearestKey(k string, known []string) string {
	best, bestD := "", len(k)/2+2
	for _, c := range known {
		if d := editDistance(strings.ToLower(k), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
