package main

import (
	"fmt"
	"os"

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

// compareCmd is filled in with the compare package.
func compareCmd(args []string) int { return exitUsage }

const usageCompare = ``
