package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gustload/gust/client"
	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/js"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/report"
	"github.com/spf13/pflag"
)

// runOverrides let `gust demo` run a script with settings of its own.
type runOverrides struct {
	host   string
	stdout io.Writer
}

// runCmd is `gust run`.
func runCmd(args []string, over *runOverrides) int {
	var f runFlags
	fs := newRunFlagSet(&f)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Print(usageRun)
			return exitOK
		}
		return usageError("%v", err)
	}
	if f.version {
		fmt.Println("gust", Version)
		return exitOK
	}
	if f.locustfile == "" {
		f.locustfile = os.Getenv("GUST_LOCUSTFILE")
	}
	scriptPath, classNames, err := scriptArgs(f.locustfile, fs.Args())
	if err != nil {
		return usageError("%v", err)
	}
	env, err := scriptEnv(f.env)
	if err != nil {
		return usageError("%v", err)
	}
	script, err := js.Load(scriptPath, js.LoadOptions{Env: env, Limit: outsideLimit(&f)})
	if err != nil {
		return usageError("%v", err)
	}
	if f.list {
		for _, c := range script.Classes() {
			fmt.Println(c.Name)
		}
		return exitOK
	}
	if f.showRatio {
		printRatios(os.Stdout, script.Classes())
		return exitOK
	}
	conf, err := readConfig(fs, &f)
	if err != nil {
		return usageError("%v", err)
	}
	if err := applyDefaults(fs, script.Options(), conf); err != nil {
		return usageError("%v", err)
	}
	if err := checkScriptSettings(fs, &f, script); err != nil {
		return usageError("%v", err)
	}
	usersGiven := given(fs, conf, script.Options(), "users")
	if over != nil && over.host != "" {
		f.host = over.host
	}
	if err := checkRunFlags(&f); err != nil {
		return usageError("%v", err)
	}
	rep, err := prepareReports(&f, script.Options(), scriptPath)
	if err != nil {
		return usageError("%v", err)
	}
	out := io.Writer(os.Stdout)
	if over != nil && over.stdout != nil {
		out = over.stdout
	}

	stats := metrics.New(metrics.Options{
		OnWarn: func(msg string) {
			if script.Logs(js.LevelWarning) {
				fmt.Fprintln(os.Stderr, "gust: warning:", msg)
			}
		},
		NameWindows: f.fullHistory && f.csv != "", // per-name current percentiles for the history CSV
	})
	tcfg := js.TestConfig{
		Host:         f.host,
		Classes:      classNames,
		Tags:         f.tags,
		ExcludeTags:  f.excludeTags,
		Stats:        stats,
		Client:       client.Options{Timeout: f.timeout},
		OutsideLimit: outsideLimit(&f),
		Environment: map[string]any{
			"host": f.host, "users": f.users, "spawnRate": f.spawnRate, "runTime": f.runTime.Seconds(),
			"iterations": f.iterations, "tags": f.tags, "excludeTags": f.excludeTags, "script": scriptPath,
			"options": script.Options(), "rate": f.rate,
		},
	}
	if f.singleUser {
		tcfg.Trace = out
	} else {
		tcfg.Exceptions = os.Stderr // each new exception once, as Locust logs them
	}
	test, err := js.NewTest(script, tcfg)
	if err != nil {
		return usageError("%v", err)
	}
	shape, openShape, err := loadShape(script, test)
	if err != nil {
		return usageError("%v", err)
	}
	if err := checkSomethingToRun(&f, shape); err != nil {
		return usageError("%v", err)
	}
	guard := guardOutside(test)
	defer guard.stop()
	if err := test.Setup(context.Background()); err != nil {
		return setupFailed(err)
	}
	if guard.signalled() {
		teardown(test)
		fmt.Fprintln(os.Stderr, "gust: interrupted during setup() (the test did not start)")
		return exitFailures
	}
	if f.singleUser {
		defer teardown(test)
		return singleUser(test, stats, out)
	}
	// A shape() decides between the models at its first tick, so it gets the open model's
	// default pool too; a closed-model shape sets its own users and ignores it.
	if (f.rate > 0 || openShape || script.HasShape()) && !usersGiven {
		f.users = openPoolDefault(max(f.rate, maxStageRate(shape)))
	}
	if !f.headless {
		defer teardown(test)
		rep.shape, rep.openShape = shape, openShape
		return webMain(&f, test, stats, out, rep)
	}

	cfg := engine.Config{
		Users:       f.users,
		SpawnRate:   f.spawnRate,
		RunTime:     f.runTime,
		Iterations:  f.iterations,
		StopTimeout: f.stopTimeout,
		OnUserError: userError(stats),
		Rate:        f.rate,
		Open:        openShape,
		Shape:       shape,
		OnDrop: func(n int64) {
			if !script.Logs(js.LevelWarning) {
				return
			}
			fmt.Fprintf(os.Stderr, "gust: warning: %d arrivals dropped: every user was busy (raise -u, now %d)\n", n, f.users)
		},
	}
	runner := engine.NewRunner(test, cfg)
	stats.CountIterations(runner.Iterations)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// teardown() gets a context of its own: a Ctrl-C once the users are done, or a second one,
	// cuts it short so that the reports are not held back.
	tdCtx, tdCancel := context.WithCancel(context.Background())
	defer tdCancel()
	done := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		n := 0
		for {
			select {
			case <-sigs:
				n++
				select {
				case <-done:
					tdCancel()
					continue
				default:
				}
				if n == 1 {
					fmt.Fprintln(os.Stderr, "\ngust: stopping (running tasks get the stop timeout; Ctrl-C again to stop at once)")
					runner.Stop("interrupted")
				} else {
					runner.Kill("interrupted twice")
					tdCancel()
				}
			case <-ctx.Done():
				return
			}
		}
	}()

	if err := rep.startHistory(&f, stats); err != nil {
		return usageError("%v", err)
	}
	defer rep.close()
	live := newLive(out, runner, stats, &f)
	go func() { runner.Run(ctx); close(done) }()
	sampled := make(chan struct{})
	go func() { rep.history.Run(done, runner.Users); close(sampled) }()
	live.loop(done)
	<-sampled
	teardownCtx(tdCtx, test)
	code := finishRun(out, &f, stats.Snapshot(), runner, rep)
	printDropped(out, runner)
	return code
}

func usageError(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "gust: "+format+"\n", args...)
	return exitUsage
}

// checkRunFlags rejects values no run can use, naming the value.
func checkRunFlags(f *runFlags) error {
	switch {
	case f.users < 0:
		return fmt.Errorf("bad --users %d: it must be >= 0", f.users)
	case f.spawnRate < 0:
		return fmt.Errorf("bad --spawn-rate %v: it must be >= 0", f.spawnRate)
	case f.iterations < 0:
		return fmt.Errorf("bad --iterations %d: it must be >= 0", f.iterations)
	case f.rate < 0:
		return fmt.Errorf("bad --rate %v: it must be >= 0", f.rate)
	case f.host != "":
		return js.CheckHost(f.host)
	}
	return nil
}

// scriptEnv is the process environment overlaid with -e KEY=VAL.
func scriptEnv(pairs []string) (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("bad -e %q: want KEY=VAL", kv)
		}
		env[k] = v
	}
	return env, nil
}

func printRatios(w io.Writer, classes []js.ClassInfo) {
	total := 0
	for _, c := range classes {
		total += c.Weight
	}
	var walk func(ts []js.TaskInfo, share float64, indent string)
	walk = func(ts []js.TaskInfo, share float64, indent string) {
		for _, t := range ts {
			fmt.Fprintf(w, "%s%-6.1f%% %s\n", indent, 100*share*t.Ratio, t.Name)
			walk(t.Tasks, share*t.Ratio, indent+"    ")
		}
	}
	fmt.Fprintln(w, "Task ratio per User class (share of the class's task executions)")
	for _, c := range classes {
		share := 0.0
		if total > 0 {
			share = float64(c.Weight) / float64(total)
		}
		fmt.Fprintf(w, "%-6.1f%% %s\n", 100*share, c.Name)
		walk(c.Tasks, 1, "    ")
	}
}

// reportInputs is what the reports carry beside the final snapshot.
type reportInputs struct {
	// shape and openShape are the script's load profile (options.stages or shape()), which a
	// test started from the web UI follows too.
	shape      engine.Shape
	openShape  bool
	script     string
	thresholds []metrics.Threshold
	history    *metrics.History
	spool      *os.File // the history CSV as it is streamed, copied into place at the end
}

// prepareReports parses the thresholds (flags and options.thresholds both
// apply) and checks that the report files can be written, all before any
// request is sent, so that mistakes are exit 2.
func prepareReports(f *runFlags, options map[string]any, script string) (*reportInputs, error) {
	in := &reportInputs{script: script}
	fromScript, err := metrics.ThresholdsFromOptions(options["thresholds"])
	if err != nil {
		return nil, err
	}
	in.thresholds = fromScript
	for _, expr := range f.thresholds {
		t, err := metrics.ParseThreshold(expr)
		if err != nil {
			return nil, fmt.Errorf("%v (from --threshold)", err)
		}
		in.thresholds = append(in.thresholds, t)
	}
	for flag, path := range map[string]string{"--csv": f.csv, "--json": f.json, "--html": f.html} {
		if path == "" {
			continue
		}
		if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("bad %s %q: no directory %s", flag, path, filepath.Dir(path))
		}
	}
	return in, nil
}

// startHistory begins the stats history; with --csv its rows stream to a
// temporary file beside the final one, so no run is too long for memory.
func (in *reportInputs) startHistory(f *runFlags, stats *metrics.Stats) error {
	o := metrics.HistoryOptions{PerName: f.fullHistory}
	if f.csv != "" {
		path := f.csv + "_stats_history.csv"
		spool, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".spool.*")
		if err != nil {
			return fmt.Errorf("bad --csv %q: %w", f.csv, err)
		}
		in.spool, o.CSV = spool, spool
	}
	in.history = metrics.NewHistory(stats, o)
	return nil
}

func (in *reportInputs) close() {
	if in.spool != nil {
		in.spool.Close()
		os.Remove(in.spool.Name())
	}
}

// finishRun prints the summary and the threshold verdicts, writes the
// reports and returns the exit code, by precedence: 2 when a report could not
// be written, 3 when a threshold was crossed, else --exit-code-on-error (1)
// when requests failed or the script raised, else 0.
func finishRun(out io.Writer, f *runFlags, snap *metrics.Snapshot, runner *engine.Runner, in *reportInputs) int {
	snap.AddDropped(runner.Dropped())
	fmt.Fprintln(out)
	metrics.WriteSummary(out, snap)
	fmt.Fprintf(out, "Stopped: %s after %s.\n", runner.Reason(), snap.Now.Sub(snap.Start).Round(100*time.Millisecond))
	verdicts, passed := metrics.EvaluateAll(in.thresholds, snap)
	printVerdicts(out, verdicts)

	code := exitOK
	if snap.Total.Failures > 0 || len(snap.Exceptions) > 0 {
		code = f.exitOnError
	}
	if !passed {
		code = exitThreshold
	}
	if err := writeReports(f, snap, runner, in); err != nil {
		fmt.Fprintln(os.Stderr, "gust:", err)
		code = exitUsage
	}
	return code
}

// writeReports writes the requested files whole (temp file, then rename).
// in is optional: without it there are no thresholds, and the history CSV
// has its header alone.
func writeReports(f *runFlags, snap *metrics.Snapshot, runner *engine.Runner, inputs ...*reportInputs) error {
	in := &reportInputs{}
	if len(inputs) > 0 && inputs[0] != nil {
		in = inputs[0]
	}
	verdicts, _ := metrics.EvaluateAll(in.thresholds, snap)
	var rows []metrics.HistoryRow
	if in.history != nil {
		rows = in.history.Rows()
	}
	var errs []error
	if f.csv != "" {
		errs = append(errs,
			writeFile(f.csv+"_stats.csv", func(w io.Writer) error { return metrics.WriteStatsCSV(w, snap) }),
			writeFile(f.csv+"_stats_history.csv", func(w io.Writer) error { return in.copyHistory(w) }),
			writeFile(f.csv+"_failures.csv", func(w io.Writer) error { return metrics.WriteFailuresCSV(w, snap) }),
			writeFile(f.csv+"_exceptions.csv", func(w io.Writer) error { return metrics.WriteExceptionsCSV(w, snap) }),
		)
		if len(snap.Metrics) > 0 || len(snap.Checks) > 0 {
			errs = append(errs, writeFile(f.csv+"_metrics.csv", func(w io.Writer) error { return metrics.WriteMetricsCSV(w, snap) }))
		}
	}
	if f.json != "" {
		extra := map[string]any{
			"dropped":     runner.Dropped(),
			"run":         runInfo(f, runner, in.script),
			"thresholds":  append([]metrics.Verdict{}, verdicts...),
			"time_series": append([]metrics.HistoryRow{}, rows...),
		}
		errs = append(errs, writeFile(f.json, func(w io.Writer) error { return metrics.WriteJSON(w, snap, extra) }))
	}
	if f.html != "" {
		d := &report.Data{
			Run: report.Run{
				Script: in.script, Host: f.host, Users: f.users, SpawnRate: f.spawnRate, RunTime: f.runTime,
				Iterations: f.iterations, StopReason: runner.Reason(), Version: Version,
			},
			Snapshot: snap,
			History:  rows,
			Verdicts: verdicts,
		}
		errs = append(errs, writeFile(f.html, func(w io.Writer) error { return report.Write(w, d) }))
	}
	return errors.Join(errs...)
}

// copyHistory writes the streamed history CSV, or the header alone.
func (in *reportInputs) copyHistory(w io.Writer) error {
	if in.spool == nil || in.history == nil {
		return metrics.WriteHistoryCSV(w, nil)
	}
	if err := in.history.Err(); err != nil {
		return err
	}
	if _, err := in.spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, in.spool)
	if _, serr := in.spool.Seek(0, io.SeekEnd); err == nil {
		err = serr
	}
	return err
}

// runInfo is the "run" object of the JSON result: how the test was run.
func runInfo(f *runFlags, runner *engine.Runner, script string) map[string]any {
	return map[string]any{
		"script":          script,
		"host":            f.host,
		"users":           f.users,
		"spawn_rate":      f.spawnRate,
		"run_time_s":      f.runTime.Seconds(),
		"iterations":      f.iterations,
		"iterations_done": runner.Iterations(),
		"stop_reason":     runner.Reason(),
		"tags":            orEmpty(f.tags),
		"exclude_tags":    orEmpty(f.excludeTags),
		"gust_version":    Version,
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeFile writes path atomically, so that a reader never sees half a report.
func writeFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes the file private; a report is as readable as any file written plainly.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// userError reports an error that ended a user (a constructor or onStart that throws): on
// stderr, and under Exceptions, so that the run's exit code says a script raised.
func userError(stats *metrics.Stats) func(error) {
	rec := stats.Recorder() // only its Exception is used, which is safe from any goroutine
	return func(err error) {
		fmt.Fprintln(os.Stderr, "gust: user stopped:", err)
		rec.Exception(err.Error(), "")
	}
}
