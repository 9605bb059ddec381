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
	if fs.NArg() < 1 {
		return usageError("no script given (usage: gust run [flags] SCRIPT [UserClass...])")
	}
	scriptPath, classNames := fs.Arg(0), fs.Args()[1:]
	env, err := scriptEnv(f.env)
	if err != nil {
		return usageError("%v", err)
	}
	script, err := js.Load(scriptPath, js.LoadOptions{Env: env})
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
	if err := applyDefaults(fs, script.Options()); err != nil {
		return usageError("%v", err)
	}
	if over != nil && over.host != "" {
		f.host = over.host
	}
	if err := checkRunFlags(&f); err != nil {
		return usageError("%v", err)
	}
	out := io.Writer(os.Stdout)
	if over != nil && over.stdout != nil {
		out = over.stdout
	}

	stats := metrics.New(metrics.Options{OnWarn: func(msg string) { fmt.Fprintln(os.Stderr, "gust: warning:", msg) }})
	tcfg := js.TestConfig{
		Host:        f.host,
		Classes:     classNames,
		Tags:        f.tags,
		ExcludeTags: f.excludeTags,
		Stats:       stats,
		Client:      client.Options{Timeout: f.timeout},
		Environment: map[string]any{
			"host": f.host, "users": f.users, "spawnRate": f.spawnRate, "runTime": f.runTime.Seconds(),
			"iterations": f.iterations, "tags": f.tags, "excludeTags": f.excludeTags, "script": scriptPath,
			"options": script.Options(),
		},
	}
	if f.singleUser {
		tcfg.Trace = out
	}
	test, err := js.NewTest(script, tcfg)
	if err != nil {
		return usageError("%v", err)
	}
	if f.singleUser {
		return singleUser(test, stats, out)
	}
	if !f.headless {
		return webMain(&f, test, stats, out)
	}

	cfg := engine.Config{
		Users:       f.users,
		SpawnRate:   f.spawnRate,
		RunTime:     f.runTime,
		Iterations:  f.iterations,
		StopTimeout: f.stopTimeout,
		OnUserError: func(err error) { fmt.Fprintln(os.Stderr, "gust: user stopped:", err) },
	}
	runner := engine.NewRunner(test, cfg)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		n := 0
		for {
			select {
			case <-sigs:
				n++
				if n == 1 {
					fmt.Fprintln(os.Stderr, "\ngust: stopping (running tasks get the stop timeout; Ctrl-C again to stop at once)")
					runner.Stop("interrupted")
				} else {
					runner.Kill("interrupted twice")
				}
			case <-ctx.Done():
				return
			}
		}
	}()

	live := newLive(out, runner, stats, &f)
	done := make(chan struct{})
	go func() { runner.Run(ctx); close(done) }()
	live.loop(done)

	snap := stats.Snapshot()
	if !f.onlySummary || true {
		fmt.Fprintln(out)
		metrics.WriteSummary(out, snap)
	}
	fmt.Fprintf(out, "\nStopped: %s after %s.\n", runner.Reason(), snap.Now.Sub(snap.Start).Round(100*time.Millisecond))
	code := exitOK
	if err := writeReports(&f, snap, runner); err != nil {
		fmt.Fprintln(os.Stderr, "gust:", err)
		code = exitUsage
	}
	if code == exitOK && (snap.Total.Failures > 0 || len(snap.Exceptions) > 0) {
		code = f.exitOnError
	}
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

// writeReports writes the requested files whole (temp file, then rename).
func writeReports(f *runFlags, snap *metrics.Snapshot, runner *engine.Runner) error {
	var errs []error
	if f.csv != "" {
		errs = append(errs,
			writeFile(f.csv+"_stats.csv", func(w io.Writer) error { return metrics.WriteStatsCSV(w, snap) }),
			writeFile(f.csv+"_failures.csv", func(w io.Writer) error { return metrics.WriteFailuresCSV(w, snap) }),
			writeFile(f.csv+"_exceptions.csv", func(w io.Writer) error { return metrics.WriteExceptionsCSV(w, snap) }),
		)
	}
	if f.json != "" {
		extra := map[string]any{"stop_reason": runner.Reason(), "iterations": runner.Iterations()}
		errs = append(errs, writeFile(f.json, func(w io.Writer) error { return metrics.WriteJSON(w, snap, extra) }))
	}
	return errors.Join(errs...)
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
