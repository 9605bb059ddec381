package js

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// maxWeight bounds class and task weights and fixedCount: far above any real mix, and low
// enough that a sum of weights never overflows and a typo like 1e20 is caught.
const maxWeight = 1_000_000

// wholeNumber checks a weight or count a script gave: a whole number from 0 to maxWeight. A
// NaN, an Infinity, a negative or a fraction (which would be cut to 0 without a word) is an
// error naming what and the value.
func wholeNumber(what string, val goja.Value) (int, error) {
	if !isNumber(val) {
		return 0, fmt.Errorf("%s is %s: weights are whole numbers from 0 to %d", what, val.String(), maxWeight)
	}
	f := val.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > maxWeight || f != math.Trunc(f) {
		return 0, fmt.Errorf("%s is %s: weights are whole numbers from 0 to %d", what, val.String(), maxWeight)
	}
	return int(f), nil
}

var (
	// The imports as esmToScript rewrote them: `const { a, b: c } = __gust`.
	esmGustImport = regexp.MustCompile(`(?m)^(?:"use strict";)?const \{ ([^}]*) \} = __gust[;,]`)
	// `const { a } = __gust["gust/crypto"]`: an import of a submodule.
	esmModuleImport = regexp.MustCompile(`(?m)^(?:"use strict";)?const \{ ([^}]*) \} = __gust\["(gust/\w+)"\]`)
	cjsGustUse      = regexp.MustCompile(`\bimport_gust\d*\.([A-Za-z_$][\w$]*)`)
)

// checkGustImports finds the names a bundle imports from "gust" that gust does not export,
// so that `import { chekc } from "gust"` fails at load naming it, not as `undefined` in the
// middle of a run.
func (s *Script) checkGustImports(code string) error {
	// gust's submodules ("gust/crypto"), as esmToScript rewrote their imports.
	for _, m := range esmModuleImport.FindAllStringSubmatch(code, -1) {
		known := gustModules[m[2]]
		for _, part := range strings.Split(m[1], ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(part), ":")
			name = strings.Trim(strings.TrimSpace(name), `"`)
			if name == "" || slices.Contains(known, name) {
				continue
			}
			msg := fmt.Sprintf("%q has no export named %q (it has: %s)", m[2], name, strings.Join(known, ", "))
			return &LoadError{Pos: s.importPos(name), Msg: msg}
		}
	}
	var names []string
	for _, m := range esmGustImport.FindAllStringSubmatch(code, -1) {
		for _, part := range strings.Split(m[1], ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(part), ":")
			names = append(names, strings.Trim(strings.TrimSpace(name), `"`))
		}
	}
	for _, m := range cjsGustUse.FindAllStringSubmatch(code, -1) {
		names = append(names, m[1])
	}
	for _, name := range names {
		if name == "" || name == "default" || name == "__esModule" || slices.Contains(gustExports, name) {
			continue
		}
		msg := fmt.Sprintf("\"gust\" has no export named %q", name)
		if near := nearest(name, gustExports); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return &LoadError{Pos: s.importPos(name), Msg: msg}
	}
	return nil
}

// importPos is file:line of the import that names name in the script's files, or the first
// file when it cannot be found.
func (s *Script) importPos(name string) string {
	word := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`)
	for _, f := range s.sources {
		lines := strings.Split(s.sourceText(f), "\n")
		for i, l := range lines {
			if strings.Contains(l, "import") && word.MatchString(l) {
				return fmt.Sprintf("%s:%d", f, i+1)
			}
		}
	}
	return s.sources[0]
}

func (s *Script) sourceText(path string) string {
	c, err := s.readFile(path)
	if err != nil {
		return ""
	}
	return c
}

// nearest is the known name closest to name by edit distance, "" when none is close.
func nearest(name string, known []string) string {
	best, bestD := "", 4
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD > len(name)/2+1 {
		return ""
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
