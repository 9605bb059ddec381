package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gustload/gust/capacity"
	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/js"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/session"
	"github.com/gustload/gust/srcaddr"
	"github.com/gustload/gust/tsout"
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
	scriptPath, classNames, err := js.ScriptArgs(f.locustfile, fs.Args(), os.Getenv)
	if err != nil {
		return usageError("%v", err)
	}
	env, err := js.Environ(f.env)
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
		js.WriteTaskRatios(os.Stdout, script.Classes())
		return exitOK
	}
	conf, err := readConfig(fs, &f)
	if err != nil {
		return usageError("%v", err)
	}
	if err := applyDefaults(fs, script.Options(), conf); err != nil {
		return usageError("%v", err)
	}
	var optionKeys []string
	fs.VisitAll(func(fl *pflag.Flag) { optionKeys = append(optionKeys, camel(fl.Name)) })
	level, err := js.LogLevel(0), script.CheckOptionKeys(optionKeys)
	if err == nil {
		level, err = js.ParseLogLevel(f.loglevel)
	}
	if err != nil {
		return usageError("%v", err)
	}
	script.SetLogLevel(level)
	usersGiven := given(fs, conf, script.Options(), "users")
	if over != nil && over.host != "" {
		f.host = over.host
	}
	copts, err := f.client.Options(f.timeout)
	if err != nil {
		return usageError("%v", err)
	}
	cfg, err := runConfig(&f, script.Options(), scriptPath)
	if err != nil {
		return usageError("%v", err)
	}
	out := io.Writer(os.Stdout)
	if over != nil && over.stdout != nil {
		out = over.stdout
	}

	warn := func(msg string) {
		if script.Logs(js.LevelWarning) {
			fmt.Fprintln(os.Stderr, "gust: warning:", msg)
		}
	}
	cfg.Warn = warn
	stats := metrics.New(metrics.Options{
		OnWarn:      warn,
		NameWindows: f.fullHistory && f.csv != "", // per-name current percentiles for the history CSV
	})
	if copts.LocalAddr, err = srcaddr.Flag(f.localIPs); err != nil {
		return usageError("%v", err)
	}
	tcfg := js.TestConfig{
		Host:         f.host,
		Classes:      classNames,
		Tags:         f.tags,
		ExcludeTags:  f.excludeTags,
		Stats:        stats,
		Client:       copts,
		OutsideLimit: outsideLimit(&f),
		Environment: map[string]any{
			"host": f.host, "users": f.users, "spawnRate": f.spawnRate, "runTime": f.runTime.Seconds(),
			"iterations": f.iterations, "tags": f.tags, "excludeTags": f.excludeTags, "script": scriptPath,
			"options": script.Options(), "rate": f.rate, "segment": cfg.Segment.String(),
		},
	}
	if f.singleUser {
		tcfg.Trace = out
	} else {
		tcfg.Exceptions = os.Stderr // each new exception once, as Locust logs them
	}
	tcfg.Thresholds = cfg.Thresholds // those on custom metrics are checked against them at load
	test, err := js.NewTest(script, tcfg)
	if err != nil {
		return usageError("%v", err)
	}
	shape, openShape, err := js.LoadShape(test, func(err error) {
		fmt.Fprintln(os.Stderr, "gust: the load shape ended the test:", err)
	})
	if err != nil {
		return usageError("%v", err)
	}
	if err := checkSomethingToRun(&f, shape); err != nil {
		return usageError("%v", err)
	}
	guard := session.GuardOutside(test, os.Stderr)
	defer guard.Stop()
	if err := test.Setup(context.Background()); err != nil {
		return setupFailed(err)
	}
	if guard.Signalled() {
		teardown(context.Background(), test)
		fmt.Fprintln(os.Stderr, "gust: interrupted during setup() (the test did not start)")
		return exitFailures
	}
	if f.singleUser {
		defer teardown(context.Background(), test)
		return singleUser(test, stats, out)
	}
	// A shape() decides between the models at its first tick, so it gets the open model's
	// default pool too; a closed-model shape sets its own users and ignores it.
	if (f.rate > 0 || openShape || script.HasShape() || f.capacity.On) && !usersGiven {
		f.users = session.OpenPool(f.rate, shape)
	}
	cfg.Users, cfg.Shape, cfg.Open = f.users, shape, openShape
	outs, closeOutputs, err := outputs(&f, &cfg, out)
	if err != nil {
		return usageError("%v", err)
	}
	if script.HasHandleSummary() {
		outs = append(outs, session.ScriptSummary(out, test.HandleSummary))
	}
	defer closeOutputs()
	cfg.Outputs = outs
	if !f.headless {
		defer teardown(context.Background(), test)
		return webMain(&f, test, stats, cfg, out)
	}
	sess := session.New(test, stats, cfg)
	res, err := sess.Run(func(ctx context.Context) { teardown(ctx, test) })
	return exitCode(&f, res, err)
}

// outputs are the run's outputs as the flags ask for them, in the order they report at a
// stop. A new output is one line here.
func outputs(f *runFlags, cfg *session.Config, out io.Writer) ([]session.Output, func(), error) {
	var outs []session.Output
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			_ = c()
		}
	}
	if f.headless {
		outs = append(outs, newLive(out, f))
	}
	outs = append(outs, session.Summary(out))
	if f.csv != "" {
		c, err := session.NewCSV(f.csv)
		if err != nil {
			return nil, nil, err
		}
		outs, closers = append(outs, c), append(closers, c.Close)
	}
	if f.json != "" {
		outs = append(outs, session.JSON(f.json))
	}
	if f.html != "" {
		outs = append(outs, session.HTML(f.html))
	}
	// Live metrics last: a slow database holds back no report.
	live, err := tsout.FromFlags(tsout.Flags{Out: f.out, Interval: f.outInterval, MetricsAddr: f.metricsAddr, WebUI: !f.headless,
		Labels: tsout.Labels{Test: cfg.TestID, Segment: cfg.Segment.String()}}, os.Getenv)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	outs, closers, cfg.Metrics = append(outs, live.Outputs...), append(closers, live.Close), live.Handler
	return outs, closeAll, nil
}

// exitCode is the run's exit code, by precedence: 2 when a report could not be written, 3
// when a threshold was crossed, else --exit-code-on-error (1) when requests failed or the
// script raised, else 0.
func exitCode(f *runFlags, res *session.Result, err error) int {
	code := exitOK
	if res != nil && res.Failed() {
		code = f.exitOnError
	}
	if res != nil && res.MemoryLimit {
		code = exitFailures
	}
	if res != nil && !res.Passed {
		code = exitThreshold
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gust:", err)
		code = exitUsage
	}
	return code
}

// outsideLimit bounds each call of JavaScript outside the tasks (the module's top level,
// setup(), teardown(), shape()): the run time + the stop timeout; no bound without a run time.
func outsideLimit(f *runFlags) time.Duration {
	if f.runTime <= 0 {
		return 0
	}
	return f.runTime + f.stopTimeout
}

// setupFailed reports a failing setup(): JavaScript stuck there and interrupted is a run that
// went wrong (exit 1), any other failure means the test could not start (exit 2).
func setupFailed(err error) int {
	var stuck *js.StuckError
	if errors.As(err, &stuck) {
		fmt.Fprintf(os.Stderr, "gust: %v (the test did not start)\n", err)
		return exitFailures
	}
	return usageError("%v (the test did not start)", err)
}

// checkSomethingToRun rejects a headless run with no users and no load profile: it would
// start nothing and end at once.
func checkSomethingToRun(f *runFlags, shape engine.Shape) error {
	if f.users == 0 && f.rate == 0 && shape == nil && (f.headless || f.autostart) && !f.singleUser {
		return fmt.Errorf("bad --users 0: with no options.stages, shape() or --rate, no user would start")
	}
	if f.users == 0 && f.rate > 0 && shape == nil && (f.headless || f.autostart) && !f.singleUser {
		// k6 refuses a constant-arrival-rate without VUs alike.
		return fmt.Errorf("bad --users 0 with --rate %v: the executions run on at most -u users, so every one would be dropped", f.rate)
	}
	return nil
}

func usageError(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "gust: "+format+"\n", args...)
	return exitUsage
}

// runConfig is the session's Config from the flags (less the outputs and the load shape). It
// parses the thresholds (flags and options.thresholds both apply) and checks that the report
// files can be written, all before any request is sent, so that mistakes are exit 2.
func runConfig(f *runFlags, options map[string]any, script string) (session.Config, error) {
	cfg := session.Config{
		Users: f.users, SpawnRate: f.spawnRate, Rate: f.rate, RunTime: f.runTime, Iterations: f.iterations,
		StopTimeout: f.stopTimeout, FullHistory: f.fullHistory, Host: f.host, Script: script, Tags: f.tags,
		ExcludeTags: f.excludeTags, Version: Version, Autostart: f.autostart, ResetStats: f.resetStats,
		AutoQuit: f.autoquit != -1, AutoQuitAfter: time.Duration(f.autoquit) * time.Second,
	}
	err := cfg.Check()
	if err == nil {
		cfg.MaxMemory, err = session.MaxMemory(f.maxMemory)
	}
	if err == nil {
		cfg.Thresholds, err = session.ParseThresholds(options["thresholds"], f.thresholds)
	}
	if err == nil {
		cfg.Segment, err = session.SegmentOf(f.segment, os.Getenv)
	}
	if err == nil {
		cfg.StartAt, err = session.StartAt(f.startAt, time.Now())
	}
	if err == nil {
		cfg.FindCapacity, err = f.capacity.Options(capacity.Run{Headless: f.headless, Iterations: f.iterations, Segment: f.segment, Rate: f.rate, Thresholds: cfg.Thresholds})
	}
	if cfg.TestID = f.testID; cfg.TestID == "" && (len(f.out) > 0 || f.metricsAddr != "" || !f.headless) {
		cfg.TestID = tsout.NewTestID(time.Now())
	}
	if err != nil {
		return cfg, err
	}
	for flag, path := range map[string]string{"--csv": f.csv, "--json": f.json, "--html": f.html} {
		if path != "" {
			if err := session.CheckReportPath(flag, path); err != nil {
				return cfg, err
			}
		}
	}
	return cfg, nil
}
