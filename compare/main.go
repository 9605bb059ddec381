package compare

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mattn/go-isatty"
	"github.com/spf13/pflag"
)

// Exit codes of `gust compare`, as documented in Usage.
const (
	exitOK         = 0
	exitUsage      = 2
	exitRegression = 3
)

// Main is `gust compare BASE.json NEW.json [--tolerance EXPR]... [--html FILE]`: it prints the
// comparison to stdout and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("compare", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, Usage) }
	tols := fs.StringArray("tolerance", nil, "METRIC:+N% / +Nms / -N% (repeatable)")
	html := fs.String("html", "", "write a side-by-side HTML report")
	minReqs := fs.Int64("min-requests", 20, "rows with fewer requests in either run are not judged")
	minMs := fs.Float64("min-ms", 1, "response-time changes under this many ms are not regressions")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 2 {
		fmt.Fprint(stderr, Usage)
		return exitUsage
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "gust compare: "+format+"\n", args...)
		return exitUsage
	}
	o := Options{MinRequests: max(*minReqs, 1), MinMs: *minMs}
	for _, s := range *tols {
		t, err := ParseTolerance(s)
		if err != nil {
			return fail("%v", err)
		}
		o.Tolerances = append(o.Tolerances, t)
	}
	base, err := Load(fs.Arg(0))
	if err != nil {
		return fail("%v", err)
	}
	next, err := Load(fs.Arg(1))
	if err != nil {
		return fail("%v", err)
	}
	rep := Compare(base, next, o)
	WriteText(stdout, rep, os.Getenv("NO_COLOR") == "" && terminal(stdout))
	if *html != "" {
		if err := writeWhole(*html, func(w io.Writer) error { return WriteHTML(w, rep) }); err != nil {
			return fail("--html %s: %v", *html, err)
		}
	}
	if len(rep.Regressions()) > 0 {
		return exitRegression
	}
	return exitOK
}

func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// writeWhole writes a file through a temporary one and a rename, so that a reader never
// sees half of it.
func writeWhole(path string, write func(io.Writer) error) error {
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

// Usage is `gust help compare`.
const Usage = `Usage: gust compare BASE.json NEW.json [--tolerance EXPR]... [--html FILE]

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
