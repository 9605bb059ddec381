package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/js"
	"github.com/spf13/pflag"
)

// scriptOnlyOptions are the keys of `export const options` that are not flags.
var scriptOnlyOptions = []string{"stages", "thresholds"}

// k6Options are k6's names for options gust spells as Locust does.
var k6Options = map[string]string{"vus": "users", "duration": "runTime", "maxVUs": "users", "scenarios": "stages"}

// checkScriptSettings rejects what the script and the settings ask that gust cannot do,
// naming the value: an unknown key in `export const options` (with the nearest known one) and
// a bad --loglevel, which it applies to the script's console.
func checkScriptSettings(fs *pflag.FlagSet, f *runFlags, script *js.Script) error {
	known := append([]string{}, scriptOnlyOptions...)
	fs.VisitAll(func(fl *pflag.Flag) { known = append(known, camel(fl.Name)) })
	keys := make([]string, 0, len(script.Options()))
	for k := range script.Options() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if contains(known, k) {
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
	level, err := js.ParseLogLevel(f.loglevel)
	if err != nil {
		return err
	}
	script.SetLogLevel(level)
	return nil
}

// checkSomethingToRun rejects a headless run with no users and no load profile: it would
// start nothing and end at once.
func checkSomethingToRun(f *runFlags, shape engine.Shape) error {
	if f.users == 0 && f.rate == 0 && shape == nil && (f.headless || f.autostart) && !f.singleUser {
		return fmt.Errorf("bad --users 0: with no options.stages, shape() or --rate, no user would start")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
