package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gustload/gust/compare"
	"github.com/mattn/go-isatty"

	"github.com/gustload/gust/convert"
	"github.com/gustload/gust/scaffold"
	"github.com/spf13/pflag"
)

// The authoring and analysis commands: types, new, convert, compare. Each lives in its own
// package; these functions only parse flags and report.

// typesCmd is `gust types DIR`: writes gust.d.ts into DIR.
func typesCmd(args []string) int {
	fs := pflag.NewFlagSet("types", pflag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usageTypes) }
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	dir := "."
	if fs.NArg() > 1 {
		fmt.Fprintf(os.Stderr, "gust types: one directory, not %d\n", fs.NArg())
		return exitUsage
	}
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	path, err := scaffold.WriteTypes(dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gust types: %v\n", err)
		return exitUsage
	}
	fmt.Println("wrote", path)
	return exitOK
}

// newCmd is `gust new [--ts] DIR`: scaffolds a project.
func newCmd(args []string) int {
	fs := pflag.NewFlagSet("new", pflag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usageNew) }
	ts := fs.Bool("ts", false, "write locustfile.ts instead of locustfile.js")
	host := fs.StringP("host", "H", "", "the host written to gust.toml")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprint(os.Stderr, usageNew)
		return exitUsage
	}
	written, err := scaffold.New(fs.Arg(0), scaffold.Options{TypeScript: *ts, Host: *host})
	if err != nil {
		fmt.Fprintf(os.Stderr, "gust new: %v\n", err)
		return exitUsage
	}
	for _, p := range written {
		fmt.Println("wrote", p)
	}
	fmt.Printf("next: cd %s && gust run --headless -t 30s %s\n", fs.Arg(0), map[bool]string{false: "locustfile.js", true: "locustfile.ts"}[*ts])
	return exitOK
}

const usageTypes = `Usage: gust types [DIR]

Writes gust.d.ts (default: into the current directory): TypeScript declarations of the "gust",
"gust/crypto" and "gust/encoding" modules and the script globals, for editor completion and
` + "`tsc --noEmit`" + ` checks of .ts and .js scripts. Replaces an older gust.d.ts.
`

const usageNew = `Usage: gust new [--ts] [-H URL] DIR

Scaffolds a project in DIR: locustfile.js (locustfile.ts with --ts), gust.d.ts, tsconfig.json
and jsconfig.json (editors complete and check plain JS too; npx tsc -p . checks the project),
gust.toml (host, users, spawn rate, run time; -H sets the host) and a .gitignore for reports.
Never overwrites an existing file.
`

// authoringCmd dispatches the authoring commands.
func authoringCmd(name string, args []string) int {
	switch name {
	case "new":
		return newCmd(args)
	case "types":
		return typesCmd(args)
	case "convert":
		return convertCmd(args)
	default:
		return compareCmd(args)
	}
}

// authoringUsage is each authoring command's help, for `gust help COMMAND`.
var authoringUsage = map[string]string{
	"new": usageNew, "types": usageTypes, "convert": usageConvert, "compare": usageCompare,
}

// convertCmd is `gust convert FILE [-o SCRIPT] [--all]`.
func convertCmd(args []string) int {
	fs := pflag.NewFlagSet("convert", pflag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usageConvert) }
	out := fs.StringP("output", "o", "", "write the script to this file (default: stdout)")
	all := fs.Bool("all", false, "HAR: keep static assets and third-party hosts")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprint(os.Stderr, usageConvert)
		return exitUsage
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "gust convert: %v\n", err)
		return exitUsage
	}
	script, err := convert.File(fs.Arg(0), data, *all)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gust convert: %v\n", err)
		return exitUsage
	}
	if *out == "" {
		fmt.Print(script)
		return exitOK
	}
	if err := os.WriteFile(*out, []byte(script), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "gust convert: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
	return exitOK
}

const usageConvert = `Usage: gust convert FILE [-o SCRIPT] [--all]

Turns FILE into a gust script (stdout, or -o SCRIPT):
  FILE.har        a browser's (DevTools: Save all as HAR) or a proxy's recording: one task per
                  page of the recording, in order, in a SequentialTaskSet; the browser's own
                  headers left out; bodies as json/form/body; the recording's host made the
                  class's host; ids in paths grouped (/items/42 -> name: "/items/[id]"). Static
                  assets and third-party hosts are left out unless --all. A recording without
                  pages is one page; redirects the client follows are not repeated.
  openapi.json    an OpenAPI 3 (or Swagger 2) document, JSON or YAML (FastAPI serves it at
  openapi.yaml    /openapi.json): one task per operation, GETs weighted 3 and the others 1, with
                  example path and query values and example JSON or form bodies.
`

// compareCmd is `gust compare BASE.json NEW.json [--tolerance EXPR]... [--html FILE]`.
func compareCmd(args []string) int {
	fs := pflag.NewFlagSet("compare", pflag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usageCompare) }
	tols := fs.StringArray("tolerance", nil, "METRIC:+N% / +Nms / -N% (repeatable)")
	html := fs.String("html", "", "write a side-by-side HTML report")
	minReqs := fs.Int64("min-requests", 20, "rows with fewer requests in either run are not judged")
	minMs := fs.Float64("min-ms", 1, "response-time changes under this many ms are not regressions")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 2 {
		fmt.Fprint(os.Stderr, usageCompare)
		return exitUsage
	}
	o := compare.Options{MinRequests: max(*minReqs, 1), MinMs: *minMs}
	for _, s := range *tols {
		t, err := compare.ParseTolerance(s)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gust compare: %v\n", err)
			return exitUsage
		}
		o.Tolerances = append(o.Tolerances, t)
	}
	base, err := compare.Load(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "gust compare: %v\n", err)
		return exitUsage
	}
	next, err := compare.Load(fs.Arg(1))
	if err != nil {
		fmt.Fprintf(os.Stderr, "gust compare: %v\n", err)
		return exitUsage
	}
	rep := compare.Compare(base, next, o)
	color := os.Getenv("NO_COLOR") == "" && isatty.IsTerminal(os.Stdout.Fd())
	compare.WriteText(os.Stdout, rep, color)
	if *html != "" {
		if err := writeFileWhole(*html, func(w io.Writer) error { return compare.WriteHTML(w, rep) }); err != nil {
			fmt.Fprintf(os.Stderr, "gust compare: --html %s: %v\n", *html, err)
			return exitUsage
		}
	}
	if len(rep.Regressions()) > 0 {
		return exitThreshold
	}
	return exitOK
}

// writeFileWhole writes a file through a temporary one and a rename, so that a reader never
// sees half of it.
func writeFileWhole(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gust-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // CreateTemp's 0600 is for secrets
		return err
	}
	return os.Rename(tmp.Name(), path)
}

const usageCompare = `Usage: gust compare BASE.json NEW.json [--tolerance EXPR]... [--html FILE]

Compares two results written by gust run --json: for every request row and the aggregate, the
change in count, failure ratio, median, p95, p99 and rps, coloured on a terminal (red: beyond
its tolerance, yellow: worse within it, green: better; NO_COLOR turns colour off). For CI: "did
this change slow the API?".

  --tolerance EXPR     METRIC:+N% (relative), METRIC:+Nms (absolute), fail_ratio:+N% (percentage
                       points), rps:-N% (a drop); repeatable, each replaces that metric's default.
                       METRIC: count, fail_ratio, median, p95, p99, rps. + means an increase is
                       bad, - a decrease. Defaults: median:+10%, p95:+10%, p99:+20%,
                       fail_ratio:+1%, rps:-10% (count is not judged unless given).
  --html FILE          a side-by-side HTML report: the table of changes and both runs' charts
  --min-requests N     rows with fewer than N requests in either run are shown, not judged (20)
  --min-ms MS          response-time changes smaller than MS are never regressions (1)

Rows only in one run are shown, not judged. Exit codes: 0 no regression; 3 a tolerance was
exceeded (the regressions are listed by row and metric); 2 bad usage or an unreadable result.
`
