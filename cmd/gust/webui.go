package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/js"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/report"
	"github.com/gustload/gust/web"
)

// webMain runs tests driven from the web UI (not headless): it serves the UI until SIGINT or
// SIGTERM, or, with --autostart and a run time or iteration limit, until that test ends. The
// reports the flags ask for are written at the end; inputs carry their thresholds and script
// (optional, as for writeReports).
func webMain(f *runFlags, test *js.Test, stats *metrics.Stats, out io.Writer, inputs ...*reportInputs) int {
	in := &reportInputs{}
	if len(inputs) > 0 && inputs[0] != nil {
		in = inputs[0]
	}
	if err := in.startHistory(f, stats); err != nil {
		return usageError("%v", err)
	}
	defer in.close()
	app := newWebApp(f, test, stats, out, in)
	ui, err := app.handler()
	if err != nil {
		return usageError("%v", err)
	}
	addr := net.JoinHostPort(f.webHost, strconv.Itoa(f.webPort))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageError("web UI: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			fmt.Fprintln(os.Stderr, "\ngust: quitting (running tasks get the stop timeout; Ctrl-C again to stop at once)")
			cancel()
		case <-ctx.Done():
			return
		}
		select {
		case <-sigs:
			app.kill()
		case <-app.quit:
		}
	}()
	return app.serve(ctx, ln, ui)
}

// webApp is the test the web UI drives (it implements web.Controller): one engine.Runner per
// start, sharing the statistics, which every start resets.
type webApp struct {
	f       *runFlags
	stats   *metrics.Stats
	out     io.Writer
	in      *reportInputs // thresholds, script and the history, for the reports
	classes []web.Class
	quit    chan struct{} // closed when serve returns

	mu       sync.Mutex
	ctx      context.Context // the process's: cancelling it stops the running test
	test     *js.Test
	host     string
	run      runFlags // the flags as the current test runs them: users, rate, host from the form
	runner   *engine.Runner
	done     chan struct{} // closed when runner's Run has returned
	sampled  chan struct{} // closed when the history has taken its last sample of the test
	quitting bool          // no more starts: serve is winding down
}

// scriptedTest is a js.Test that exposes its script: then the Current ratio tab lists tasks.
type scriptedTest interface {
	Script() *js.Script
}

// retargetable is a js.Test that can copy itself against another host (keeping what setup
// returned): then the start form may change the host.
type retargetable interface {
	WithHost(host string) (*js.Test, error)
}

func newWebApp(f *runFlags, test *js.Test, stats *metrics.Stats, out io.Writer, in *reportInputs) *webApp {
	a := &webApp{f: f, stats: stats, out: out, in: in, test: test, host: f.host, run: *f, quit: make(chan struct{}), ctx: context.Background()}
	if a.host == "" && len(test.Classes()) > 0 {
		a.host = test.Host(0)
	}
	a.run.host = a.host
	a.classes = webClasses(test)
	return a
}

// webClasses describes the test's classes for the Current ratio tab, with their tasks when the
// script is at hand.
func webClasses(test *js.Test) []web.Class {
	var infos map[string]js.ClassInfo
	if st, ok := any(test).(scriptedTest); ok {
		infos = map[string]js.ClassInfo{}
		for _, c := range st.Script().Classes() {
			infos[c.Name] = c
		}
	}
	var out []web.Class
	for _, c := range test.Classes() {
		out = append(out, web.Class{Name: c.Name, Weight: c.Weight, FixedCount: c.FixedCount, Tasks: webTasks(infos[c.Name].Tasks)})
	}
	return out
}

func webTasks(ts []js.TaskInfo) []web.Task {
	var out []web.Task
	for _, t := range ts {
		out = append(out, web.Task{Name: t.Name, Ratio: t.Ratio, Tasks: webTasks(t.Tasks)})
	}
	return out
}

// handler is the web UI over a.
func (a *webApp) handler() (http.Handler, error) {
	o := web.Options{
		Auth:      a.f.webAuth,
		Users:     a.f.users,
		SpawnRate: a.f.spawnRate,
		RunTime:   a.f.runTime,
		Version:   Version,
		Report:    a.writeReport,
	}
	if a.in.script != "" {
		o.Script = filepath.Base(a.in.script)
	}
	if a.in.history != nil {
		o.History = a.in.history.Rows
	}
	ui, err := web.New(a, o)
	if err != nil {
		return nil, fmt.Errorf("bad --web-auth: want user:pass")
	}
	return ui, nil
}

// serve serves ui on ln until ctx ends or, with --autostart and a limit, the test ends; then
// it stops the test, writes the reports the flags asked for and returns the exit code.
func (a *webApp) serve(ctx context.Context, ln net.Listener, ui http.Handler) int {
	defer close(a.quit)
	a.mu.Lock()
	a.ctx = ctx
	a.mu.Unlock()
	srv := &http.Server{Handler: ui, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(a.out, "gust: web UI on http://%s (Ctrl-C to quit)\n", ln.Addr())

	var autoquit <-chan struct{}
	if a.f.autostart {
		if err := a.Start(a.f.users, a.f.spawnRate, "", a.f.runTime); err != nil {
			srv.Close()
			return usageError("%v", err)
		}
		if a.f.runTime > 0 || a.f.iterations > 0 {
			a.mu.Lock()
			autoquit = a.done
			a.mu.Unlock()
		}
	}
	code := exitOK
	select {
	case <-ctx.Done():
	case <-autoquit:
	case err := <-served:
		fmt.Fprintln(os.Stderr, "gust: web UI:", err)
		code = exitUsage
	}
	a.mu.Lock()
	a.quitting = true
	a.mu.Unlock()
	a.Stop()
	a.wait()
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}

	a.mu.Lock()
	runner, rf := a.runner, a.run
	a.mu.Unlock()
	if runner == nil {
		// No test ran; the reports the flags asked for still say so, as Locust's do.
		if err := writeReports(&rf, a.stats.Snapshot(), engine.NewRunner(a.test, engine.Config{}), a.in); err != nil {
			fmt.Fprintln(os.Stderr, "gust:", err)
			return exitUsage
		}
		return code
	}
	if c := finishRun(a.out, &rf, a.stats.Snapshot(), runner, a.in); c != exitOK {
		code = c
	}
	return code
}

// wait waits for the current test to end: its running tasks get the stop timeout, and the
// runner gives up on stuck users soon after.
func (a *webApp) wait() {
	a.mu.Lock()
	done, sampled := a.done, a.sampled
	a.mu.Unlock()
	if done == nil {
		return
	}
	t := time.NewTimer(a.f.stopTimeout + 5*time.Second)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		return
	}
	select {
	case <-sampled:
	case <-t.C:
	}
}

// kill stops the current test at once (a second Ctrl-C).
func (a *webApp) kill() {
	a.mu.Lock()
	r := a.runner
	a.mu.Unlock()
	if r != nil {
		r.Kill("interrupted twice")
	}
}

// busyWait is how long a start waits for the previous test to finish stopping.
const busyWait = 5 * time.Second

// Start implements web.Controller.
func (a *webApp) Start(users int, rate float64, host string, runTime time.Duration) error {
	a.mu.Lock()
	prev, prevDone := a.runner, a.done
	a.mu.Unlock()
	if prev != nil && !isClosed(prevDone) {
		if prev.State() != engine.StateStopping {
			return fmt.Errorf("%w: stop it before starting a new one", web.ErrBusy)
		}
		t := time.NewTimer(busyWait)
		select {
		case <-prevDone:
			t.Stop()
		case <-t.C:
			return fmt.Errorf("%w: the last test is still stopping (running tasks get --stop-timeout %s)", web.ErrBusy, a.f.stopTimeout)
		}
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if a.runner != nil && !isClosed(a.done) {
		return fmt.Errorf("%w: stop it before starting a new one", web.ErrBusy)
	}
	if a.quitting {
		return errors.New("gust is quitting")
	}
	if host != "" && host != a.host {
		test, err := a.retarget(host)
		if err != nil {
			return err
		}
		a.test, a.host = test, host
	}
	a.stats.Reset()
	cfg := engine.Config{
		Users:       users,
		SpawnRate:   rate,
		RunTime:     runTime,
		Iterations:  a.f.iterations,
		StopTimeout: a.f.stopTimeout,
		OnUserError: userError(a.stats),
		// With --rate the form's user count caps the open model's pool of users.
		Rate: a.f.rate,
		// A script's stages or shape() drive the test as they do headless; the form's users
		// and spawn rate are then only where it starts.
		Shape: a.in.shape,
		Open:  a.in.openShape,
	}
	runner := engine.NewRunner(a.test, cfg)
	a.stats.CountIterations(runner.Iterations)
	done, sampled := make(chan struct{}), make(chan struct{})
	a.runner, a.done, a.sampled = runner, done, sampled
	a.run = *a.f
	a.run.host, a.run.users, a.run.spawnRate, a.run.runTime = a.host, users, rate, runTime
	ctx := a.ctx
	limit := ""
	if runTime > 0 {
		limit = " for " + runTime.String()
	}
	load := fmt.Sprintf("%d users at %g/s", users, rate)
	if a.in.shape != nil {
		load = "the script's load profile" // its stages or shape() set users and rates
	} else if a.f.rate > 0 {
		load = fmt.Sprintf("%g task executions/s on at most %d users", a.f.rate, users)
	}
	fmt.Fprintf(a.out, "gust: test started: %s against %s%s\n", load, a.host, limit)
	go func() {
		defer close(done)
		runner.Run(ctx)
		fmt.Fprintf(a.out, "gust: test stopped: %s\n", runner.Reason())
	}()
	go func() {
		defer close(sampled)
		if a.in.history != nil {
			a.in.history.Run(done, runner.Users)
		}
	}()
	return nil
}

// retarget is the test against host, when package js can make it.
func (a *webApp) retarget(host string) (*js.Test, error) {
	rt, ok := any(a.test).(retargetable)
	if !ok {
		return nil, fmt.Errorf("this build cannot change the host from the web UI: restart gust with -H %s", host)
	}
	return rt.WithHost(host)
}

func isClosed(c chan struct{}) bool {
	if c == nil {
		return true
	}
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Edit implements web.Controller.
func (a *webApp) Edit(users int, rate float64) error {
	a.mu.Lock()
	r, done := a.runner, a.done
	a.mu.Unlock()
	if r == nil || isClosed(done) {
		return errors.New("no test is running: start one")
	}
	// Run sets the users of its Config when it begins: an edit right after the start must come
	// after that, or Run would undo it.
	for i := 0; i < 100 && r.State() == engine.StateReady; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	r.SetUsers(users, rate)
	fmt.Fprintf(a.out, "gust: users set to %d at %g/s\n", users, rate)
	return nil
}

// Stop implements web.Controller.
func (a *webApp) Stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.runner != nil {
		a.runner.Stop("stopped from the web UI")
	}
}

// Reset implements web.Controller.
func (a *webApp) Reset() { a.stats.Reset() }

// State implements web.Controller.
func (a *webApp) State() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.runner == nil {
		return string(engine.StateReady)
	}
	s := a.runner.State()
	if s == engine.StateReady {
		// Started, and Run has not begun spawning yet.
		return string(engine.StateSpawning)
	}
	return string(s)
}

// Users implements web.Controller.
func (a *webApp) Users() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.runner == nil {
		return 0
	}
	return a.runner.Users()
}

// ClassCounts implements web.Controller.
func (a *webApp) ClassCounts() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]int, len(a.classes))
	if a.runner == nil {
		return out
	}
	for i, n := range a.runner.ClassCounts() {
		if i < len(a.classes) {
			out[a.classes[i].Name] = n
		}
	}
	return out
}

// Classes implements web.Controller.
func (a *webApp) Classes() []web.Class { return a.classes }

// Host implements web.Controller.
func (a *webApp) Host() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.host
}

// Snapshot implements web.Controller.
func (a *webApp) Snapshot() *metrics.Snapshot {
	snap := a.stats.Snapshot()
	if r, _ := a.current(); r != nil {
		snap.AddDropped(r.Dropped())
	}
	return snap
}

// CurrentPercentiles implements web.Controller.
func (a *webApp) CurrentPercentiles(ps ...float64) []time.Duration {
	return a.stats.CurrentPercentiles(ps...)
}

// current is the test running or last run (nil before the first start) and its flags.
func (a *webApp) current() (*engine.Runner, runFlags) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.runner
	if r == nil {
		r = engine.NewRunner(a.test, engine.Config{})
	}
	return r, a.run
}

// Result implements web.Controller: the keys a headless run adds to its JSON result.
func (a *webApp) Result(snap *metrics.Snapshot) map[string]any {
	runner, rf := a.current()
	verdicts, _ := metrics.EvaluateAll(a.in.thresholds, snap)
	var rows []metrics.HistoryRow
	if a.in.history != nil {
		rows = a.in.history.Rows()
	}
	return map[string]any{
		"run":         runInfo(&rf, runner, a.in.script),
		"thresholds":  append([]metrics.Verdict{}, verdicts...),
		"time_series": append([]metrics.HistoryRow{}, rows...),
	}
}

// writeReport writes the HTML report of snap, as --html does at the end of a run.
func (a *webApp) writeReport(w io.Writer, snap *metrics.Snapshot) error {
	runner, rf := a.current()
	verdicts, _ := metrics.EvaluateAll(a.in.thresholds, snap)
	d := &report.Data{
		Run: report.Run{
			Script: a.in.script, Host: rf.host, Users: rf.users, SpawnRate: rf.spawnRate, RunTime: rf.runTime,
			Iterations: rf.iterations, StopReason: runner.Reason(), Version: Version,
		},
		Snapshot: snap,
		Verdicts: verdicts,
	}
	if a.in.history != nil {
		d.History = a.in.history.Rows()
	}
	return report.Write(w, d)
}
