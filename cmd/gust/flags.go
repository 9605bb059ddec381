package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gustload/gust/capacity"
	"github.com/gustload/gust/client"
	"github.com/gustload/gust/config"
	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/tsout"
	"github.com/spf13/pflag"
)

// durationFlag is a pflag.Value that accepts Locust's durations ("30s", "1h30m", "90").
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return f.d.String()
}
func (f durationFlag) Set(s string) error {
	d, err := engine.ParseDuration(s)
	if err != nil {
		return err
	}
	*f.d = d
	return nil
}
func (f durationFlag) Type() string { return "duration" }

// runFlags are the settings of `gust run` after every source has been applied.
type runFlags struct {
	host        string
	users       int
	spawnRate   float64
	rate        float64 // open model: task executions per second
	config      string  // --config FILE
	runTime     time.Duration
	iterations  int64
	stopTimeout time.Duration
	tags        []string
	excludeTags []string
	env         []string
	headless    bool
	singleUser  bool
	list        bool
	showRatio   bool
	csv         string
	json        string
	onlySummary bool
	exitOnError int
	timeout     time.Duration
	loglevel    string
	webHost     string
	webPort     int
	autostart   bool
	webAuth     string
	fullHistory bool
	html        string
	thresholds  []string
	printStats  time.Duration
	maxMemory   string
	locustfile  string // -f: the script, when not the first argument
	autoquit    int    // web UI: seconds after a test ends to quit; -1 never
	resetStats  bool   // reset the statistics once ramp-up completes
	capacity    capacity.Settings
	client      client.Settings
	segment     string   // --segment I/N
	startAt     string   // --start-at TIME
	out         []string // --out prometheus-rw=URL, influxdb=URL
	outInterval time.Duration
	metricsAddr string
	testID      string
	localIPs    string
}

func newRunFlagSet(f *runFlags) *pflag.FlagSet {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.StringVarP(&f.host, "host", "H", "", "base URL")
	fs.IntVarP(&f.users, "users", "u", 1, "concurrent users")
	fs.Float64VarP(&f.spawnRate, "spawn-rate", "r", 1, "users started per second")
	f.runTime = 0
	fs.VarP(durationFlag{&f.runTime}, "run-time", "t", "stop after this long")
	fs.Int64VarP(&f.iterations, "iterations", "i", 0, "stop after N task executions")
	fs.Float64Var(&f.rate, "rate", 0, "open model: task executions started per second")
	fs.StringVar(&f.config, "config", "", "config file (default gust.toml if present)")
	f.stopTimeout = 10 * time.Second
	fs.VarP(durationFlag{&f.stopTimeout}, "stop-timeout", "s", "time running tasks get to finish")
	fs.StringSliceVarP(&f.tags, "tags", "T", nil, "run only tasks with these tags")
	fs.StringSliceVarP(&f.excludeTags, "exclude-tags", "E", nil, "never run tasks with these tags")
	fs.StringArrayVarP(&f.env, "env", "e", nil, "KEY=VAL for the script's env")
	fs.BoolVar(&f.headless, "headless", false, "run without the web UI")
	fs.BoolVar(&f.singleUser, "single-user", false, "one user, one pass, every request printed")
	fs.BoolVarP(&f.list, "list", "l", false, "list User classes")
	fs.BoolVar(&f.showRatio, "show-task-ratio", false, "print class and task ratios")
	fs.StringVar(&f.csv, "csv", "", "CSV file prefix")
	fs.BoolVar(&f.fullHistory, "csv-full-history", false, "per-name rows in the history CSV")
	fs.StringVar(&f.json, "json", "", "JSON result file")
	fs.StringVar(&f.html, "html", "", "HTML report file")
	fs.BoolVar(&f.onlySummary, "only-summary", false, "print only the final summary")
	fs.IntVar(&f.exitOnError, "exit-code-on-error", exitFailures, "exit code when requests failed")
	f.timeout = 60 * time.Second
	fs.Var(durationFlag{&f.timeout}, "timeout", "default per-request timeout")
	fs.StringVar(&f.loglevel, "loglevel", "info", "log level")
	fs.StringVar(&f.webHost, "web-host", "127.0.0.1", "web UI address")
	fs.IntVarP(&f.webPort, "web-port", "P", 8089, "web UI port")
	fs.BoolVar(&f.autostart, "autostart", false, "start the test at once in web UI mode")
	fs.StringVar(&f.webAuth, "web-auth", "", "user:pass for basic auth on the web UI")
	fs.StringArrayVar(&f.thresholds, "threshold", nil, "pass/fail criterion")
	f.printStats = 0
	fs.Var(durationFlag{&f.printStats}, "print-stats", "interval of the periodic tables when not on a terminal")
	fs.StringVar(&f.maxMemory, "max-memory", "", "stop the test when gust uses this much memory")
	fs.StringVarP(&f.locustfile, "locustfile", "f", "", "the script (then every argument is a class name)")
	fs.IntVar(&f.autoquit, "autoquit", -1, "web UI: quit this many seconds after a test ends")
	fs.BoolVar(&f.resetStats, "reset-stats", false, "reset the statistics once ramp-up completes")
	f.capacity.Register(fs)
	addClientFlags(fs, &f.client)
	fs.StringVar(&f.segment, "segment", "", "run part I/N of the test")
	fs.StringVar(&f.startAt, "start-at", "", "wait until this time (RFC 3339 or +30s) to start")
	fs.StringArrayVar(&f.out, "out", nil, "live metrics: prometheus-rw=URL or influxdb=URL")
	f.outInterval = tsout.DefaultInterval
	fs.Var(durationFlag{&f.outInterval}, "out-interval", "how often --out pushes")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "", "serve /metrics on this address")
	fs.StringVar(&f.testID, "test-id", "", "testid label of the live metrics")
	fs.StringVar(&f.localIPs, "local-ips", "", "source addresses for new connections")
	fs.Usage = func() {}
	return fs
}

// applyDefaults fills every flag the command line did not set from, in rising precedence,
// the script's exported options, the config file (when given) and GUST_* environment
// variables.
func applyDefaults(fs *pflag.FlagSet, options map[string]any, conf ...config.File) error {
	var firstErr error
	fs.VisitAll(func(fl *pflag.Flag) {
		if firstErr != nil || fl.Changed || fl.Name == "config" || fl.Name == "locustfile" {
			return
		}
		env := "GUST_" + strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_"))
		if val, ok := os.LookupEnv(env); ok {
			if err := setFlag(fl, val); err != nil {
				firstErr = fmt.Errorf("bad %s=%q: %v", env, val, err)
			}
			return
		}
		if len(conf) > 0 {
			if cv, ok := conf[0][fl.Name]; ok {
				if err := setConfigFlag(fl, cv); err != nil {
					firstErr = fmt.Errorf("%s: bad %s: %v", cv.Pos, fl.Name, err)
				}
				return
			}
		}
		key := camel(fl.Name)
		if val, ok := options[key]; ok {
			if err := setFlag(fl, optionString(val)); err != nil {
				firstErr = fmt.Errorf("bad options.%s (%v): %v", key, val, err)
			}
		}
	})
	return firstErr
}

func setFlag(fl *pflag.Flag, val string) error {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		return sv.Replace(splitList(val))
	}
	return fl.Value.Set(val)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// optionString renders an options value the way it would be typed on the command line.
func optionString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = optionString(p)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

// camel turns a flag name into its options key: "spawn-rate" -> "spawnRate".
func camel(name string) string {
	parts := strings.Split(name, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
