package scaffold

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"
)

const exitOK, exitUsage = 0, 2

// Main is `gust new [--ts] [-H URL] DIR`: it scaffolds a project and returns the exit code
// (0, or 2 for bad usage or a file it could not write).
func Main(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("new", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, Usage) }
	ts := fs.Bool("ts", false, "write locustfile.ts instead of locustfile.js")
	host := fs.StringP("host", "H", "", "the host written to gust.toml")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, Usage)
		return exitUsage
	}
	written, err := New(fs.Arg(0), Options{TypeScript: *ts, Host: *host})
	if err != nil {
		fmt.Fprintf(stderr, "gust new: %v\n", err)
		return exitUsage
	}
	for _, p := range written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	fmt.Fprintf(stdout, "next: cd %s && gust run --headless -t 30s %s\n", fs.Arg(0), map[bool]string{false: "locustfile.js", true: "locustfile.ts"}[*ts])
	return exitOK
}

// TypesMain is `gust types [DIR]`: it writes gust.d.ts into DIR (default: the current
// directory) and returns the exit code.
func TypesMain(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("types", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, TypesUsage) }
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	dir := "."
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "gust types: one directory, not %d\n", fs.NArg())
		return exitUsage
	}
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	path, err := WriteTypes(dir)
	if err != nil {
		fmt.Fprintf(stderr, "gust types: %v\n", err)
		return exitUsage
	}
	fmt.Fprintln(stdout, "wrote", path)
	return exitOK
}

// TypesUsage is `gust help types`.
const TypesUsage = `Usage: gust types [DIR]

Writes gust.d.ts (default: into the current directory): TypeScript declarations of the "gust",
"gust/crypto" and "gust/encoding" modules and the script globals, for editor completion and
` + "`tsc --noEmit`" + ` checks of .ts and .js scripts. Replaces an older gust.d.ts.
`

// Usage is `gust help new`.
const Usage = `Usage: gust new [--ts] [-H URL] DIR

Scaffolds a project in DIR: locustfile.js (locustfile.ts with --ts), gust.d.ts, tsconfig.json
and jsconfig.json (editors complete and check plain JS too; npx tsc -p . checks the project),
gust.toml (host, users, spawn rate, run time; -H sets the host) and a .gitignore for reports.
Never overwrites an existing file.
`
