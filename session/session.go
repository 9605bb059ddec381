// Package session owns a run: given a loaded test and a Config it builds the engine, starts and
// stops tests, handles SIGINT/SIGTERM, and at every stop hands the final result to every
// Output. `gust run --headless` runs one test through Run; the web UI starts, edits and stops
// tests through Start, Edit and Stop (the web package's Controller), and Serve ties it to the
// process's signals.
package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gustload/gust/capacity"
	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// Test is the loaded test a session runs; *js.Test implements it.
type Test interface {
	engine.Test
	// Host is the base URL of the i-th class of Classes.
	Host(i int) string
}

// Config is how a session runs its tests.
type Config struct {
	// Users, SpawnRate, RunTime are the test's defaults (the web UI's form may change them);
	// Rate > 0 runs the open model, Users then capping its pool.
	Users       int
	SpawnRate   float64
	Rate        float64
	RunTime     time.Duration
	Iterations  int64
	StopTimeout time.Duration
	// Shape is the script's load profile (options.stages or shape()); Open says it is
	// open-model from the start.
	Shape engine.Shape
	Open  bool
	// Thresholds are judged at every stop.
	Thresholds []metrics.Threshold
	// Outputs receive every test's start, snapshots and final result, in this order.
	Outputs []Output
	// MaxMemory stops a test at once when gust's memory in use crosses it (0: no limit).
	MaxMemory uint64
	// FullHistory adds per-name rows to the history an output streams (--csv-full-history).
	FullHistory bool
	// Segment is the part of the whole test this process runs (--segment I/N); the zero
	// value is the whole test. Users, rates, iterations and the shape above are the whole
	// test's: the session runs and records the segment's share of them.
	Segment engine.Segment
	// TestID labels the live metrics' series (--test-id); the summary and the JSON result
	// show it when set.
	TestID string
	// Metrics serves the live series at the web UI's /metrics (nil: not served).
	Metrics http.Handler
	// StartAt makes a headless run wait until then before it starts (--start-at), so that
	// the segments of one test start together; zero starts at once.
	StartAt time.Time

	// Host is the base URL given with -H; "" means the test's own (options.host, static host).
	Host string
	// Script, Tags, ExcludeTags and Version are recorded in the results.
	Script      string
	Tags        []string
	ExcludeTags []string
	Version     string

	// Classes describes the test's User classes for the web UI's Current ratio tab.
	Classes []Class
	// Retarget is the test against another host (the web UI's start form); nil refuses.
	Retarget func(host string) (Test, error)
	// Autostart starts a test as Serve begins (--autostart).
	Autostart bool
	// AutoQuit makes Serve return AutoQuitAfter after a test ends, unless another starts
	// meanwhile (--autoquit, Locust's).
	AutoQuit      bool
	AutoQuitAfter time.Duration
	// ResetStats resets the statistics when a test's first ramp-up completes (--reset-stats).
	ResetStats bool
	// FindCapacity, when set, runs the test as a capacity search (--find-capacity): the open
	// model's rate steps up until Thresholds break, and the result carries the rate found.
	// Its Users, Thresholds, Stats and Log are the session's.
	FindCapacity *capacity.Options

	// Out hears what the session does ("test started"); Log hears warnings. Both default to
	// os.Stderr.
	Out, Log io.Writer
	// Warn reports a warning; nil writes it to Log. --loglevel above warning silences them.
	Warn func(msg string)
}

// Class is one User class as the web UI's Current ratio tab shows it.
type Class struct {
	Name       string
	Weight     int
	FixedCount int
	Tasks      []Task
}

// Task is one task of a class with its share of the class's picks; a TaskSet has its own tasks.
type Task struct {
	Name  string
	Ratio float64
	Tasks []Task
}

// ErrBusy is wrapped by Start when a test is still running or stopping.
var ErrBusy = errors.New("a test is still running")

// Session runs the tests of one gust process, one at a time, sharing the statistics, which
// every start resets.
type Session struct {
	cfg     Config
	search  *capacity.Search // FindCapacity's search of the test running or last run
	stats   *metrics.Stats
	history *metrics.History
	spools  []io.Closer

	mu        sync.Mutex
	ctx       context.Context // cancelling it stops the running test
	test      Test
	host      string
	run       *Run            // the test running or last run; nil before the first start
	done      chan struct{}   // closed when run's runner has returned
	sampled   chan struct{}   // closed when the history has taken run's last sample
	finished  chan struct{}   // closed when the outputs have run's result
	ticks     *sync.WaitGroup // done when the outputs' last Snapshot of run has returned
	last      *Result         // the result of the last test that stopped
	lastErr   error           // what the outputs said about it
	quitting  bool            // no more starts: the process is winding down
	memoryHit bool            // the memory watchdog stopped the current test
}

// historySink is an output that streams the history as it is sampled (the CSV set).
type historySink interface {
	historyCSV() io.Writer
	attach(h *metrics.History) // the history that streams there, whose write errors count
}

// New is a session running test, whose users record into stats.
func New(test Test, stats *metrics.Stats, cfg Config) *Session {
	if cfg.Out == nil {
		cfg.Out = os.Stderr
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	if cfg.Warn == nil {
		log := cfg.Log
		cfg.Warn = func(msg string) { fmt.Fprintln(log, "gust: warning:", msg) }
	}
	s := &Session{cfg: cfg, stats: stats, test: test, host: cfg.Host, ctx: context.Background()}
	if s.host == "" {
		s.host = testHost(test)
	}
	o := metrics.HistoryOptions{PerName: cfg.FullHistory}
	for _, out := range cfg.Outputs {
		if h, ok := out.(historySink); ok {
			o.CSV = h.historyCSV()
		}
	}
	s.history = metrics.NewHistory(stats, o)
	for _, out := range cfg.Outputs {
		if h, ok := out.(historySink); ok {
			h.attach(s.history)
		}
	}
	return s
}

// testHost is the host the test's classes target: the one they share, or each, listed.
func testHost(t Test) string {
	var hosts []string
	for i := range t.Classes() {
		if h := t.Host(i); !contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return strings.Join(hosts, " ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Start begins a new test with fresh statistics: users at rate per second against host ("":
// the current one) for runTime (0: until stopped). When it stops, the outputs get its result.
func (s *Session) Start(users int, rate float64, host string, runTime time.Duration) error {
	return s.start(users, rate, host, runTime, true)
}

// busyWait is how long a start waits for the previous test to finish stopping.
const busyWait = 5 * time.Second

func (s *Session) start(users int, rate float64, host string, runTime time.Duration, deliver bool) error {
	s.mu.Lock()
	prev, prevDone, prevFinished := s.run, s.done, s.finished
	s.mu.Unlock()
	if prev != nil && !isClosed(prevDone) {
		if prev.State() != engine.StateStopping {
			return fmt.Errorf("%w: stop it before starting a new one", ErrBusy)
		}
		t := time.NewTimer(busyWait)
		select {
		case <-prevDone:
			t.Stop()
		case <-t.C:
			return fmt.Errorf("%w: the last test is still stopping (running tasks get --stop-timeout %s)", ErrBusy, s.cfg.StopTimeout)
		}
	}
	if prevFinished != nil && isClosed(prevDone) {
		// The last test's outputs first: a new start must not reset the statistics under them.
		<-prevFinished
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run != nil && !isClosed(s.done) {
		return fmt.Errorf("%w: stop it before starting a new one", ErrBusy)
	}
	if s.quitting {
		return errors.New("gust is quitting")
	}
	if host != "" && host != s.host {
		if s.cfg.Retarget == nil {
			return fmt.Errorf("this test cannot change its host: restart gust with -H %s", host)
		}
		test, err := s.cfg.Retarget(host)
		if err != nil {
			return err
		}
		s.test, s.host = test, host
	}
	s.stats.Reset()
	rc := s.cfg
	rc.Users, rc.SpawnRate, rc.RunTime, rc.Host = users, rate, runTime, s.host
	if rc.FindCapacity != nil && rc.Shape != nil {
		return fmt.Errorf("--find-capacity sets the rate itself: it cannot follow options.stages or shape()")
	}
	if rc.FindCapacity != nil {
		o := *rc.FindCapacity
		o.Users, o.Thresholds, o.Stats, o.Log = users, rc.Thresholds, s.stats, s.cfg.Out
		s.search = capacity.New(o)
		rc.Shape, rc.Open = s.search, true
	}
	ec, _ := s.engineConfig(rc)
	// The run records the segment's own share (run.users, run.iterations in the JSON result).
	rc.Users, rc.SpawnRate, rc.Rate, rc.Iterations = ec.Users, ec.SpawnRate, ec.Rate, ec.Iterations
	run := &Run{Config: rc, Stats: s.stats}
	run.runner = engine.NewRunner(rc.Segment.Test(s.test), ec)
	s.stats.CountIterations(run.runner.Iterations)
	if rc.FindCapacity != nil {
		s.search.CountDropped(run.runner.Dropped)
	}
	done, sampled := make(chan struct{}), make(chan struct{})
	s.run, s.done, s.sampled, s.finished, s.memoryHit = run, done, sampled, nil, false
	tickers := s.startOutputs(run, done)
	s.ticks = tickers
	ctx := s.ctx
	go func() {
		defer close(done)
		run.runner.Run(ctx)
	}()
	go func() {
		defer close(sampled)
		s.history.Run(done, run.runner.Users)
	}()
	if rc.MaxMemory > 0 {
		go s.watchMemory(run, rc.MaxMemory, done)
	}
	if deliver {
		fmt.Fprintf(s.cfg.Out, "gust: test started: %s against %s%s\n", describeLoad(rc), s.host, limit(runTime))
		finished := make(chan struct{})
		s.finished = finished
		go func() {
			<-done
			fmt.Fprintf(s.cfg.Out, "gust: test stopped: %s\n", run.runner.Reason())
			<-sampled
			tickers.Wait()
			s.finish(run)
			close(finished)
		}()
	}
	return nil
}

// engineConfig is the engine's configuration for a test run with c, split for c.Segment;
// busy is false when the segment has nothing to do (SplitConfig).
func (s *Session) engineConfig(c Config) (ec engine.Config, busy bool) {
	users := c.Users
	ec = engine.Config{
		Users:       c.Users,
		SpawnRate:   c.SpawnRate,
		RunTime:     c.RunTime,
		Iterations:  c.Iterations,
		StopTimeout: c.StopTimeout,
		OnUserError: s.userError(),
		// With --rate the user count caps the open model's pool of users.
		Rate: c.Rate,
		// A script's stages or shape() drive the test; users and spawn rate are then only
		// where it starts.
		Shape: c.Shape,
		Open:  c.Open,
	}
	ec, busy = c.Segment.SplitConfig(ec)
	ec.Phase = c.Segment.ArrivalPhase()
	ec.OnSpawned = s.resetOnce(c.ResetStats)
	ec.OnDrop = func(n int64) {
		s.cfg.Warn(fmt.Sprintf("%d arrivals dropped: every user was busy (raise -u, now %d)", n, users))
	}
	return ec, busy
}

// resetOnce is the engine's OnSpawned for --reset-stats: the first completed ramp-up resets
// the statistics, as Locust's --reset-stats does, so that the results leave the ramp out.
func (s *Session) resetOnce(on bool) func() {
	if !on {
		return nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.stats.Reset()
			fmt.Fprintln(s.cfg.Out, "gust: ramp-up complete: statistics reset (--reset-stats)")
		})
	}
}

// describeLoad says what load a test started from the web UI runs.
func describeLoad(c Config) string {
	switch {
	case c.Shape != nil:
		return "the script's load profile" // its stages or shape() set users and rates
	case c.Rate > 0:
		return fmt.Sprintf("%g task executions/s on at most %d users", c.Rate, c.Users)
	}
	return fmt.Sprintf("%d users at %g/s", c.Users, c.SpawnRate)
}

func limit(runTime time.Duration) string {
	if runTime > 0 {
		return " for " + runTime.String()
	}
	return ""
}

// startOutputs tells every output that run starts and ticks those that asked for snapshots
// until done closes; the returned group is done when the last tick has returned.
func (s *Session) startOutputs(run *Run, done <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, o := range s.cfg.Outputs {
		every, err := o.Start(run)
		if err != nil {
			s.cfg.Warn(err.Error())
		}
		if every <= 0 {
			continue
		}
		wg.Add(1)
		go func(o Output) {
			defer wg.Done()
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					o.Snapshot(run)
				}
			}
		}(o)
	}
	return &wg
}

// finish hands run's final result to every output and keeps it for Wait.
func (s *Session) finish(run *Run) {
	_, _ = s.deliver(s.result(run, s.Snapshot()))
}

// result is the result of run as of snap (which has the dropped arrivals already); run may
// be nil (no test ran).
func (s *Session) result(run *Run, snap *metrics.Snapshot) *Result {
	rc := s.cfg
	rc.Host = s.host
	res := &Result{Snapshot: snap}
	if run != nil {
		rc = run.Config
		res.Started = true
		res.Dropped, res.Open = run.runner.Dropped(), run.runner.Open()
		res.Run.IterationsDone = run.runner.Iterations()
		res.Run.StopReason = run.runner.Reason()
		s.mu.Lock()
		res.MemoryLimit = s.memoryHit
		s.mu.Unlock()
	}
	res.Run.Script, res.Run.Host, res.Run.Version = rc.Script, rc.Host, rc.Version
	res.Run.Users, res.Run.SpawnRate, res.Run.Iterations = rc.Users, rc.SpawnRate, rc.Iterations
	res.Run.RunTime, res.Run.RunTimeS = rc.RunTime, rc.RunTime.Seconds()
	res.Run.Tags, res.Run.ExcludeTags = orEmpty(rc.Tags), orEmpty(rc.ExcludeTags)
	res.Run.TestID = rc.TestID
	if !rc.Segment.Whole() {
		res.Run.Segment = rc.Segment.String()
	}
	res.Verdicts, res.Passed = metrics.EvaluateAll(rc.Thresholds, snap)
	res.Verdicts = orEmpty(res.Verdicts)
	res.TimeSeries = orEmpty(s.history.Rows())
	if run != nil && s.search != nil {
		c := s.search.Result()
		res.Capacity = &c
		// The search's verdict is the run's (the thresholds are its criteria, judged at every
		// step): a rate held, or none did.
		res.Passed = c.Rate > 0
	}
	return res
}

// userError reports an error that ended a user (a constructor or onStart that throws): on
// the log, and under Exceptions, so that the run's exit code says a script raised.
func (s *Session) userError() func(error) {
	rec := s.stats.Recorder() // only its Exception is used, which is safe from any goroutine
	return func(err error) {
		fmt.Fprintln(s.cfg.Log, "gust: user stopped:", err)
		rec.Exception(err.Error(), "")
	}
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
