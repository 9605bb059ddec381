package merge

import (
	"errors"
	"fmt"
	"io"

	"github.com/gustload/gust/session"
	"github.com/spf13/pflag"
)

// Usage is `gust help merge`.
const Usage = `Usage: gust merge [--json FILE] [--csv PREFIX] [--html FILE] RESULT.json...

Merges the --json results of the segments of one test (gust run --segment I/N) into the result
one run of the whole test would have given, and prints its summary: requests, failures,
exceptions and custom metrics summed, response-time histograms merged without loss (merging a
result with itself keeps every percentile), the history aligned by timestamp, and the
thresholds the results were judged by judged again on the whole.

  --json FILE     write the merged result as JSON (a result gust merge reads again)
  --csv PREFIX    write the CSV set (PREFIX_stats.csv, _stats_history.csv, _failures.csv, ...)
  --html FILE     write the HTML report

Results of different scripts, of different splits (0/2 with 1/3) or two different results of
one segment are refused. The same file given twice is merged with itself, with a note. Missing
segments are noted.

Exit codes: 2 bad usage, a result that cannot be read or is refused, or a report not written;
3 a threshold crossed on the merged whole; 1 requests failed or a script raised; else 0.
`

// Main runs `gust merge` with args (after "merge") and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("merge", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var jsonPath, csvPrefix, htmlPath string
	fs.StringVar(&jsonPath, "json", "", "")
	fs.StringVar(&csvPrefix, "csv", "", "")
	fs.StringVar(&htmlPath, "html", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprint(stdout, Usage)
			return 0
		}
		fmt.Fprintf(stderr, "gust: %v (usage: gust merge [--json F] [--csv PREFIX] [--html F] RESULT.json...)\n", err)
		return 2
	}
	for flag, path := range map[string]string{"--csv": csvPrefix, "--json": jsonPath, "--html": htmlPath} {
		if path != "" {
			if err := session.CheckReportPath(flag, path); err != nil {
				fmt.Fprintln(stderr, "gust:", err)
				return 2
			}
		}
	}
	m, err := Files(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "gust merge:", err)
		return 2
	}
	for _, n := range m.Notes {
		fmt.Fprintln(stderr, "gust merge: note:", n)
	}
	fmt.Fprintf(stdout, "Merged %d results", len(fs.Args()))
	if m.Result.Run.Segment != "" {
		fmt.Fprintf(stdout, " (segments %s)", m.Result.Run.Segment)
	}
	fmt.Fprintf(stdout, ": %d users, %d requests.\n", m.Result.Run.Users, m.Result.Snapshot.Total.Requests)
	outs := []session.Output{session.Summary(stdout)}
	if csvPrefix != "" {
		c, err := session.NewCSV(csvPrefix)
		if err != nil {
			fmt.Fprintln(stderr, "gust:", err)
			return 2
		}
		defer c.Close()
		outs = append(outs, c)
	}
	if jsonPath != "" {
		outs = append(outs, session.JSON(jsonPath))
	}
	if htmlPath != "" {
		outs = append(outs, session.HTML(htmlPath))
	}
	var errs []error
	for _, o := range outs {
		errs = append(errs, o.Stop(m.Result))
	}
	res := m.Result
	switch {
	case errors.Join(errs...) != nil:
		fmt.Fprintln(stderr, "gust:", errors.Join(errs...))
		return 2
	case !res.Passed:
		return 3
	case res.Failed():
		return 1
	}
	return 0
}
