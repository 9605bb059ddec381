package convert

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"
)

// Main is `gust convert FILE [-o SCRIPT] [--all]`: the script goes to stdout or -o's file.
// It returns the exit code: 0, or 2 for bad usage or input.
func Main(args []string, stdout, stderr io.Writer) int {
	const exitOK, exitUsage = 0, 2
	fs := pflag.NewFlagSet("convert", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, Usage) }
	out := fs.StringP("output", "o", "", "write the script to this file (default: stdout)")
	all := fs.Bool("all", false, "HAR: keep static assets and third-party hosts")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, Usage)
		return exitUsage
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err == nil {
		var script string
		if script, err = File(fs.Arg(0), data, *all); err == nil {
			if *out == "" {
				fmt.Fprint(stdout, script)
				return exitOK
			}
			err = os.WriteFile(*out, []byte(script), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "gust convert: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "wrote %s\n", *out)
	return exitOK
}

// Usage is `gust help convert`.
const Usage = `Usage: gust convert FILE [-o SCRIPT] [--all]

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
