// Command gust runs load tests written as JavaScript locustfiles.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/gustload/gust/compare"
	"github.com/gustload/gust/convert"
	"github.com/gustload/gust/merge"
	"github.com/gustload/gust/scaffold"
)

// Version is the release; set with -ldflags "-X main.Version=..." when building a release.
var Version = "0.1.0-dev"

// Exit codes, documented in `gust help run`.
const (
	exitOK        = 0 // the test passed
	exitFailures  = 1 // requests failed or a script raised
	exitUsage     = 2 // bad usage, bad config, or a script that does not load: nothing was sent
	exitThreshold = 3 // a threshold was crossed
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run dispatches a subcommand and returns the process exit code.
func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usageTop)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return runCmd(args[1:], nil)
	case "demo":
		return demoCmd(args[1:])
	case "merge":
		return merge.Main(args[1:], os.Stdout, os.Stderr)
	case "new", "types", "convert", "compare":
		return packaged[args[0]].main(args[1:], os.Stdout, os.Stderr)
	case "version", "--version", "-V":
		fmt.Println("gust", Version)
		return exitOK
	case "help", "-h", "--help":
		if len(args) > 1 && args[1] == "run" {
			fmt.Print(usageRun)
		} else if len(args) > 1 && args[1] == "merge" {
			fmt.Print(merge.Usage)
		} else if len(args) > 1 && args[1] == "demo" {
			fmt.Print(usageDemo)
		} else if len(args) > 1 && packaged[args[1]].usage != "" {
			fmt.Print(packaged[args[1]].usage)
		} else {
			fmt.Print(usageTop)
		}
		return exitOK
	default:
		fmt.Fprintf(os.Stderr, "gust: unknown command %q (try: gust help)\n", args[0])
		return exitUsage
	}
}

// packaged are the subcommands that live in their own package, beside their logic.
var packaged = map[string]struct {
	main  func(args []string, stdout, stderr io.Writer) int
	usage string
}{
	"new": {scaffold.Main, scaffold.Usage}, "types": {scaffold.TypesMain, scaffold.TypesUsage},
	"convert": {convert.Main, convert.Usage}, "compare": {compare.Main, compare.Usage},
}

const usageTop = `gust — load tests written as JavaScript locustfiles

Usage:
  gust run [flags] [SCRIPT] [UserClass...] run a test (see: gust help run)
  gust demo                                run samples/locustfile.js against the bundled sample API
  gust new [--ts] DIR                      scaffold a project: locustfile, types, tsconfig, gust.toml
  gust types [DIR]                         write gust.d.ts, the script API's TypeScript declarations
  gust convert FILE.har|openapi.json [-o SCRIPT] [--all]
                                           turn a browser recording or an OpenAPI document into a script
  gust compare BASE.json NEW.json [--tolerance EXPR] [--html FILE]
                                           compare two --json results; exit 3 on a regression
  gust merge RESULT.json... [--json F] [--csv PREFIX] [--html F]
                                           merge the results of a test's segments (see: gust help merge)
  gust version, gust -V                    print the version
  gust help [COMMAND]                      this help, or a command's
`

const usageDemo = `Usage: gust demo [-t DURATION] [-u USERS]

Starts the bundled sample API on a free loopback port and runs the seed locustfile
(samples/locustfile.js, embedded in the binary) against it headless for 15 s, then prints
the summary. The newcomer's first command.
`

const usageRun = `Usage: gust run [flags] [SCRIPT | -f/--locustfile SCRIPT] [UserClass...]

SCRIPT (default ./locustfile.js or .ts): a JS/TS module exporting HttpUser (or FastHttpUser) classes
with static tasks or @task methods; naming classes runs only those; a.js,b.js or a dir make one test.

Flags (Locust's names where Locust has one):
  -H, --host URL             base URL for relative request URLs (overrides options.host and static host)
  -u, --users N              number of concurrent users (default 1)
  -r, --spawn-rate R         users started per second (default 1; 0 = all at once)
  -t, --run-time D           stop after D (30s, 5m, 1h30m); default: run until stopped
  -i, --iterations N         stop after N task executions in total
      --rate N               open model: start N task executions per second whatever the response
                             times, on a pool of at most -u users (default max(100, N)); waitTime
                             is ignored; an execution that finds no free user is counted as dropped
  -s, --stop-timeout D       time running tasks get to finish once stopping (default 10s)
  -T, --tags T,...           run only tasks tagged with one of these
  -E, --exclude-tags T,...   never run tasks tagged with these
  -e, --env KEY=VAL          set env.KEY for the script (repeatable)
      --headless             run without the web UI, from the flags alone
      --web-host ADDR        web UI address (default 127.0.0.1)
  -P, --web-port N           web UI port (default 8089)
      --autostart            web UI: start the test at once with -u/-r (with -t or -i, exit after it)
      --web-auth USER:PASS   web UI: require HTTP basic auth
      --single-user          one user, one pass over its tasks, every request printed
  -l, --list                 list the User classes and exit
      --show-task-ratio      print the share of each class and task and exit
      --csv PREFIX           write Locust's PREFIX_stats.csv, _stats_history.csv, _failures.csv,
                             _exceptions.csv (same columns), whole, at every stop; and
                             _metrics.csv when the script has custom metrics or checks
      --csv-full-history     per-name rows in _stats_history.csv too, not only Aggregated
      --json FILE            write the whole result as JSON (schema: docs/json.md)
      --html FILE            write a self-contained HTML report with charts
      --threshold EXPR       pass/fail criterion, repeatable (see Thresholds below)
      --print-stats D        interval of the live table when stdout is not a terminal (default 2s)
      --only-summary         print only the final summary, no live status
      --exit-code-on-error N exit code when requests failed or a script raised (default 1)
      --timeout D            default per-request timeout (default 60s)
      --max-memory SIZE      stop the test at once, write every report and exit 1 when gust uses
                             SIZE (600MB, 2GiB; default 75% of the machine's or cgroup's memory; 0: off)
      --loglevel LEVEL       debug, info, warning, error, critical (default info): which console.*
                             messages, warnings and new exceptions reach stderr
      --max-body SIZE        response body bytes kept per request; the rest is counted (default 8MiB)
      --insecure             do not verify TLS certificates (alias --insecure-skip-tls-verify)
      --cacert FILE          PEM CA certificates trusted besides the system's
      --http2                HTTP/2 (ALPN on https, h2c prior knowledge on http)
      --proxy URL            forward proxy (default: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)
      --resolve H:P:ADDR     connect to ADDR for host H port P (curl's syntax), repeatable
      --no-keepalive         a new connection for every request
      --config FILE          settings file (default: gust.toml in the working directory, if any)
      --reset-stats          reset the statistics once the first ramp-up completes
      --autoquit N           web UI: quit N seconds after a test ends (a new start puts it off)
      --find-capacity        the highest rate within the thresholds (README.md; --capacity-factor/-step)

Beyond one machine (docs/scaleout.md):
      --segment I/N          run part I (from 0) of the test split into N: users, rates, iterations
                             and stages are this part's share (also GUST_SEGMENT, or
                             JOB_COMPLETION_INDEX with GUST_SEGMENTS); gust merge joins the results
      --start-at TIME        wait until TIME (RFC 3339, or +30s from now) to start; past: start now
      --out KIND=URL         live metrics, repeatable: prometheus-rw=URL (remote write), influxdb=URL
      --out-interval D       how often --out pushes (default 5s); a final push carries the totals
      --metrics-addr ADDR    serve /metrics (Prometheus text format) on ADDR, e.g. 127.0.0.1:9464
      --test-id ID           testid label of the live series (default: generated, in the summary)
      --local-ips LIST       source addresses for new connections, round robin: 127.0.0.2-127.0.0.9,
                             10.0.0.0/29, a,b

Precedence: the script's exported options < the config file < GUST_* environment variables
(GUST_USERS, GUST_SPAWN_RATE, GUST_RUN_TIME, GUST_HOST, GUST_CONFIG, ...) < command-line flags.
The config file holds key = value lines keyed by long flag names (users = 50, spawn-rate = 10,
run-time = "2m", host = "http://...", tags = ["a", "b"]). Load profiles: export shape(ctx) or
options.stages (see docs/loadmodels.md); setup()/teardown(data) run once around the users.

Thresholds: [NAME:] METRIC OP VALUE[UNIT], e.g. p95<300ms, 'GET /items/': p(99.9)<1s,
/items/:avg<100ms, fail_ratio<1%, rps>500, count>=1000. METRIC: p(N) or pN, avg, med, min, max
(unit ms, the default, or s), fail_ratio (% or a ratio 0-1), rps, count. OP: < <= > >=. Without
NAME it judges the aggregate; NAME is "METHOD name" or a name (all its methods), quoted or ended
by the last ':'. --threshold and options.thresholds (an array of expressions, or an object of
name -> expressions) both apply. Verdicts are printed after the summary.

Exit codes (when several apply, the first in this list wins):
  2  bad usage, bad config, a bad threshold, or a script that does not load: nothing was sent
     (also when a report file could not be written at the end)
  3  a threshold was crossed, whether or not requests failed
  1  requests failed or a script raised an exception; --exit-code-on-error N makes it N
     (0: failures alone do not fail the run)
  0  the test passed

Stopping: the run time, -i, StopTest in a script, or SIGINT/SIGTERM stop gracefully (running
tasks get --stop-timeout, then reports are written). A second SIGINT stops at once; reports are
still written. JavaScript outside the tasks (top level, setup, teardown, shape) gets at most the
run time + the stop timeout per call, and a second SIGINT interrupts it, naming where it was stuck.
`
