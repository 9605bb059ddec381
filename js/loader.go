package js

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"
)

// LoadOptions tune Load.
type LoadOptions struct {
	Env map[string]string // -e KEY=VAL and the process environment, seen as `env`/`__ENV`
	// Limit, when > 0, bounds the module's top level at load: an endless loop there is
	// interrupted with a *StuckError (Load's error) after this long.
	Limit time.Duration
}

// Script is a loaded test: compiled once, shared read-only by every VU.
type Script struct {
	Path    string // as given
	abs     string
	dir     string
	program *goja.Program
	env     map[string]string

	filesMu sync.Mutex
	files   map[string]string // open() cache: each file read once

	sources []string // the script files composed into this test (one, or several)
	multi   bool     // several files: the bundle exports one namespace per file
	esm     bool     // program is function(__gust) returning the exports (esmToScript)

	classes []*classInfo
	options map[string]any
	hooks   map[string]bool // exported test-level functions: setup, teardown, shape, ...
	// testEvents: the module adds events.testStart/testStop listeners (seen by the probe)
	testEvents bool
	metrics    []metricDecl // the custom metrics the module creates (seen by the probe)

	loadLimit time.Duration
	logLevel  atomic.Int32 // a LogLevel: what console.* shows (build_loglevel.go)
	watch     outsideWatch // JavaScript running outside the tasks (adapter_outside.go)

	sharedMu sync.Mutex
	shared   map[string]*sharedArray // SharedArray and csv() data, loaded once per process
}

// LoadError is a script that does not build or throws while loading; it always names the
// user's file:line:col.
type LoadError struct {
	Pos  string // file:line:col
	Msg  string
	Line string // the offending source line, when known
}

func (e *LoadError) Error() string {
	s := e.Pos + ": " + e.Msg
	if e.Line != "" {
		s += "\n    " + strings.TrimRight(e.Line, "\r")
	}
	return s
}

// Load bundles the script and its relative imports into one CommonJS program with an inline
// source map (esbuild), compiles it once, and runs it once in a probe runtime to find the user
// classes and options and to validate every task table.
//
// path may also name several files separated by commas, or a directory (its .js, .mjs and .ts
// files, except those starting with "_" or "."): they are composed into one test whose User
// classes all take part (Locust's several locustfiles).
func Load(path string, opts LoadOptions) (*Script, error) {
	files, err := scriptFiles(path)
	if err != nil {
		return nil, err
	}
	abs := files[0]
	var code string
	var esm bool
	if len(files) == 1 {
		code, esm, err = bundle(abs, nil)
	} else {
		// A generated entry imports every file as a namespace, so that the probe can merge them
		// and name both files of a clash (`export *` would silently drop clashing names).
		var b strings.Builder
		for i, f := range files {
			fmt.Fprintf(&b, "import * as m%d from %s;\n", i, jsonString(f))
		}
		b.WriteString("export const __gustFiles = [")
		for i, f := range files {
			fmt.Fprintf(&b, "[%s, m%d],", jsonString(f), i)
		}
		b.WriteString("];\n")
		abs = filepath.Join(filepath.Dir(files[0]), "gust-entry.js")
		code, _, err = bundle(abs, &api.StdinOptions{Contents: b.String(), ResolveDir: filepath.Dir(files[0]), Sourcefile: "gust-entry.js", Loader: api.LoaderJS})
	}
	if err != nil {
		return nil, err
	}
	s := &Script{Path: path, abs: abs, dir: filepath.Dir(abs), esm: esm, files: map[string]string{},
		sources: files, multi: len(files) > 1, hooks: map[string]bool{}, shared: map[string]*sharedArray{}, loadLimit: opts.Limit}
	s.SetLogLevel(LevelInfo)
	if err := s.checkGustImports(code); err != nil {
		return nil, err
	}
	// The bundle is wrapped as a function: of the "gust" module when it was an ES module
	// (esmToScript), else CommonJS's. goja's parser looks for the sourceMappingURL comment on
	// the last line, skipping a closing "})", which is why the wrapper ends on a line of its own.
	wrapped := "(function (exports, require, module) {" + code + "\n})"
	if esm {
		wrapped = "(function (__gust) {" + code + "\n})"
	}
	prog, err := goja.Compile(abs, wrapped, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	env := opts.Env
	if env == nil {
		env = map[string]string{}
	}
	s.program, s.env = prog, env
	if err := s.probe(); err != nil {
		return nil, err
	}
	return s, nil
}

// scriptFiles expands a script argument (a file, a comma-separated list, or a directory) into
// absolute file paths, in order.
func scriptFiles(path string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(path, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("script %s: %w", p, err)
		}
		st, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("script %s: no such file", p)
		}
		if !st.IsDir() {
			if strings.EqualFold(filepath.Ext(abs), ".py") {
				return nil, fmt.Errorf("script %s: gust runs JavaScript or TypeScript, not Python; see README.md, \"Writing a script\", for a locustfile translated", p)
			}
			out = append(out, abs)
			continue
		}
		ents, err := os.ReadDir(abs)
		if err != nil {
			return nil, fmt.Errorf("script %s: %v", p, err)
		}
		n := len(out)
		for _, e := range ents {
			name := e.Name()
			ext := filepath.Ext(name)
			if e.IsDir() || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".d.ts") ||
				(ext != ".js" && ext != ".mjs" && ext != ".ts") {
				continue
			}
			out = append(out, filepath.Join(abs, name))
		}
		if len(out) == n {
			return nil, fmt.Errorf("script %s: the directory holds no .js, .mjs or .ts file", p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no script given")
	}
	return slices.Compact(out), nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func bundle(abs string, stdin *api.StdinOptions) (code string, esm bool, err error) {
	// A single script is bundled as an ES module and turned into a function body by
	// esmToScript, which needs none of esbuild's CommonJS interop helpers and export getters:
	// about 8 KB less in every runtime. Anything that rewrite does not recognize takes
	// esbuild's CommonJS output instead.
	if stdin == nil {
		if code, err = build(abs, nil, api.FormatESModule); err != nil {
			return "", false, err
		}
		if script, ok := esmToScript(code); ok {
			return script, true, nil
		}
	}
	if code, err = build(abs, stdin, api.FormatCommonJS); err != nil {
		return "", false, err
	}
	return leanHelpers(code), false, nil
}

// build runs esbuild on the script and the relative files it imports, "gust" left external.
func build(abs string, stdin *api.StdinOptions, format api.Format) (string, error) {
	var entries []string
	if stdin == nil {
		entries = []string{abs}
	}
	res := api.Build(api.BuildOptions{
		EntryPoints:    entries,
		Stdin:          stdin,
		Bundle:         true,
		Write:          false,
		Format:         format,
		Platform:       api.PlatformNeutral,
		External:       []string{"gust"},
		Sourcemap:      api.SourceMapInline,
		SourcesContent: api.SourcesContentExclude,
		Target:         api.ES2022,
		LogLevel:       api.LogLevelSilent,
		AbsWorkingDir:  filepath.Dir(abs),
		Outfile:        abs + ".out.js",
		MainFields:     []string{"module", "main"},
		Loader:         map[string]api.Loader{".json": api.LoaderJSON, ".txt": api.LoaderText, ".csv": api.LoaderText},
	})
	if len(res.Errors) > 0 {
		m := res.Errors[0]
		le := &LoadError{Msg: m.Text}
		if strings.HasPrefix(m.Text, "Could not resolve ") {
			// A bare name that is neither gust's nor installed: say what can be imported.
			le.Msg += ": a gust script can import " + importable
		}
		if m.Location != nil {
			le.Pos = fmt.Sprintf("%s:%d:%d", displayPath(abs, m.Location.File), m.Location.Line, m.Location.Column+1)
			le.Line = m.Location.LineText
		} else {
			le.Pos = abs
		}
		return "", le
	}
	if len(res.OutputFiles) == 0 {
		return "", fmt.Errorf("%s: bundling produced no output", abs)
	}
	return string(res.OutputFiles[0].Contents), nil
}

// esbuild's CommonJS helpers walk objects with for-in and for-of. In goja, for-in makes every
// built-in method of Object.prototype a function object, and for-of makes the iterator
// prototypes: about 8 KB in every runtime, which 10,000 users pay 10,000 times. leanHelpers
// swaps those two helpers for index loops with the same behaviour. It matches esbuild's text
// exactly (the version is pinned in go.mod) and keeps the line count, so the source map still
// holds; if a new esbuild words them differently, they are left as they are, which is only
// bigger, never wrong.
func leanHelpers(code string) string {
	return strings.NewReplacer(
		`var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};`,
		`var __export = (target, all) => {
  for (var names = __getOwnPropNames(all), i = 0; i < names.length; i++)
    __defProp(target, names[i], { get: all[names[i]], enumerable: true });
};`,
		`    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });`,
		`    for (let names = __getOwnPropNames(from), i = 0, key; i < names.length; i++)
      if (!__hasOwnProp.call(to, key = names[i]) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });`,
	).Replace(code)
}

// displayPath turns a path esbuild reports (relative to the script's folder) into one the
// user can open.
func displayPath(abs, file string) string {
	if file == "" {
		return abs
	}
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(filepath.Dir(abs), file)
}

// Options is the script's exported `options`, as JSON values.
func (s *Script) Options() map[string]any { return s.options }

// HasShape reports whether the script exports shape(ctx).
func (s *Script) HasShape() bool { return s.hooks["shape"] }

// readFile serves open(): each file is read once per process and shared by every VU.
func (s *Script) readFile(name string) (string, error) {
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.dir, p)
	}
	s.filesMu.Lock()
	defer s.filesMu.Unlock()
	if c, ok := s.files[p]; ok {
		return c, nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("open(%q): %v", name, err)
	}
	s.files[p] = string(b)
	return s.files[p], nil
}

// exportJSON converts a JS value to plain Go values through JSON, so that the result holds no
// reference to the runtime.
func exportJSON(v goja.Value) (any, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	b, err := json.Marshal(v.Export())
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}
