package js

import (
	"regexp"
	"strings"
)

var (
	// esbuild prints each import of an external module on one line, in one of these shapes.
	importNamespace = regexp.MustCompile(`^import \* as ([\w$]+) from "(gust(?:/[\w]+)?)";$`)
	importNamed     = regexp.MustCompile(`^import (?:([\w$]+), )?\{ ?([^}]*?) ?\} from "(gust(?:/[\w]+)?)";$`)
	importDefault   = regexp.MustCompile(`^import ([\w$]+) from "(gust(?:/[\w]+)?)";$`)
	exportName      = regexp.MustCompile(`^\s*([\w$]+)(?: as ([\w$]+))?,?$`)
)

// esmToScript turns esbuild's ES-module bundle of a script into the body of a function that
// takes the "gust" module as __gust: the imports become `const {...} = __gust` and the final
// `export { a, b as c }` clause becomes `return { a, c: b }`. Every line keeps its
// place, so the inline source map still points at the user's lines. It reports false for
// anything it does not recognize (another import, a second export statement, import.meta),
// and the caller then uses esbuild's CommonJS output.
//
// One difference from a live ES module: exports are read once, when the module body has run.
// gust reads them only then (classes, options, setup, shape), so nothing is lost.
func esmToScript(code string) (string, bool) {
	lines := strings.Split(code, "\n")
	exportAt := -1
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "import "):
			out, ok := rewriteImport(l)
			if !ok {
				return "", false
			}
			lines[i] = out
		case strings.HasPrefix(l, "export "):
			if l != "export {" || exportAt >= 0 {
				return "", false
			}
			exportAt = i
		case strings.Contains(l, "import.meta") || strings.Contains(l, "import("):
			return "", false
		}
	}
	if exportAt >= 0 {
		lines[exportAt] = "return {"
		i := exportAt + 1
		for ; i < len(lines) && lines[i] != "};"; i++ {
			m := exportName.FindStringSubmatch(lines[i])
			if m == nil {
				return "", false
			}
			if m[2] != "" {
				lines[i] = "  " + jsKey(m[2]) + ": " + m[1] + ","
			} else {
				lines[i] = "  " + m[1] + ","
			}
		}
		if i == len(lines) {
			return "", false
		}
	}
	// ES modules are strict mode; the function body says so in its first line.
	return `"use strict";` + strings.Join(lines, "\n"), true
}

// rewriteImport turns one import of "gust" into a read of __gust; other imports are not expected in
// a bundle (relative files are inlined) and are refused.
//
// A gust submodule ("gust/crypto") is read as __gust["gust/crypto"]; its default export is the
// module itself (k6's `import crypto from "k6/crypto"`). An unknown one is left to the CommonJS
// path, whose require names what can be imported.
func rewriteImport(l string) (string, bool) {
	if l == `import "gust";` {
		return `__gust;`, true
	}
	module := func(name string) (string, bool) {
		if name == "gust" {
			return "__gust", true
		}
		_, ok := gustModules[name]
		return `__gust["` + name + `"]`, ok
	}
	if m := importNamespace.FindStringSubmatch(l); m != nil {
		from, ok := module(m[2])
		return "const " + m[1] + " = " + from + ";", ok
	}
	if m := importDefault.FindStringSubmatch(l); m != nil {
		from, ok := module(m[2])
		if m[2] == "gust" {
			from += ".default"
		}
		return "const " + m[1] + " = " + from + ";", ok
	}
	m := importNamed.FindStringSubmatch(l)
	if m == nil {
		return "", false
	}
	from, ok := module(m[3])
	if !ok {
		return "", false
	}
	var binds []string
	for _, part := range strings.Split(m[2], ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, local, renamed := strings.Cut(part, " as ")
		if renamed {
			binds = append(binds, jsKey(name)+": "+local)
		} else {
			binds = append(binds, name)
		}
	}
	out := "const { " + strings.Join(binds, ", ") + " } = " + from
	if m[1] != "" && m[3] == "gust" {
		out += ", " + m[1] + ` = __gust.default`
	} else if m[1] != "" {
		out += ", " + m[1] + " = " + from
	}
	return out + ";", true
}

// jsKey quotes a property name that is not a plain identifier (e.g. `default` is fine in an
// object literal, a string name like "a-b" is not).
func jsKey(name string) string {
	if regexp.MustCompile(`^[\w$]+$`).MatchString(name) {
		return name
	}
	return `"` + name + `"`
}
