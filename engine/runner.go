package engine

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// State is where a test is in its life, with Locust's words.
type State string

// The states a Runner goes through.
const (
	StateReady    State = "ready"
	StateSpawning State = "spawning"
	StateRunning  State = "running"
	StateStopping State = "stopping"
	StateStopped  State = "stopped"
)

// Config is what a run needs. With Rate (or Open) set the run follows the open model: Rate
// task executions start every second on a pool of at most Users users; otherwise the closed
// model: Users users each loop task, wait.
type Config struct {
	Users       int           // closed model: users to reach; open model: the most users the pool may hold
	SpawnRate   float64       // closed model: users started (or stopped) per second; <= 0 means all at once
	Rate        float64       // open model: task executions started per second
	Open        bool          // open model even while the rate is 0 (a shape or stages that start paused)
	RunTime     time.Duration // stop after this long; 0 means until stopped
	Iterations  int64         // stop after this many task executions in total; 0 means no limit
	StopTimeout time.Duration // how long running tasks get to finish once stopping
	Shape       Shape         // when set, drives users/rate over time and ends the test
	// Phase is where the open model's arrival count starts (Segment.ArrivalPhase): a segment's
	// arrivals are then its own slots of the whole test's schedule. 0 for a whole test.
	Phase float64
	// OnUserError is told about errors that end a user (a constructor that throws, say).
	OnUserError func(err error)
	// OnDrop is told, at most once a second, how many arrivals found no free user since the
	// last call (open model).
	OnDrop func(n int64)
	// OnSpawned is told each time the closed model's users reach their count (the end of a
	// ramp-up, as Locust's spawning_complete), from the spawner's goroutine.
	OnSpawned func()
}

// Runner runs one test: it owns the users and stops them all before Run returns.
type Runner struct {
	test    Test
	cfg     Config
	classes []UserClass

	mu        sync.Mutex
	active    [][]*vu // per class, users not asked to stop
	nextID    int
	target    int
	rate      float64
	rampStart time.Time
	rampDone  int // users started or stopped since rampStart
	kick      chan struct{}
	only      []bool // classes allowed by the shape; nil means all

	open     bool // the open model: see arrivals.go
	arrivals arrivals

	quit     chan struct{} // closed on graceful stop: no new tasks, waits end
	stopOnce sync.Once
	reason   atomic.Value // string: why the test stopped
	hardCtx  context.Context
	hardStop context.CancelFunc
	wg       sync.WaitGroup
	all      sync.Map // id -> *vu, every user still alive (for Interrupt)

	iterTaken atomic.Int64
	iterDone  atomic.Int64
	state     atomic.Value // State
	started   atomic.Int64 // unix nanos of Run's start
}

type vu struct {
	id, class int
	quit      chan struct{}
	user      atomic.Value // User, once built
	// timer resumes a waiting user of the closed model (see loop); nil in the open model.
	timer *time.Timer
	// baton hands the user from the goroutine that parked it to the one that resumes it: a
	// timer's firing or Stop is no synchronisation in Go's memory model, so without it the
	// user's own state (a JavaScript runtime) would be shared unordered between the two.
	baton atomic.Uint64
}

// wake resumes v at once if it is waiting, so that it sees a stop. Whoever stops the armed
// timer (wake or loop itself) resumes the user; a timer that already fired resumes it anyway.
func (r *Runner) wake(v *vu) {
	if v.timer != nil && v.timer.Stop() {
		go r.resume(v)
	}
}

// resume goes on with v's loop once its wait is over, on the timer's own goroutine. It first
// yields: users whose responses have arrived go before new tasks start, so that a burst of
// users waking together (10,000 users spawned in one second) delays the start of tasks, like
// any busy generator, instead of inflating the response times of those in flight.
func (r *Runner) resume(v *vu) {
	v.baton.Load() // after everything the parking goroutine did with the user
	runtime.Gosched()
	r.loop(v)
}

// NewRunner prepares a run; nothing starts before Run.
func NewRunner(test Test, cfg Config) *Runner {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{
		test:     test,
		cfg:      cfg,
		classes:  test.Classes(),
		kick:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		hardCtx:  ctx,
		hardStop: cancel,
	}
	r.active = make([][]*vu, len(r.classes))
	r.state.Store(StateReady)
	r.open = cfg.Open || cfg.Rate > 0
	r.arrivals.init()
	r.arrivals.phase = cfg.Phase
	return r
}

// Run starts the users and blocks until the test has stopped and every user has ended (or
// been abandoned after the stop timeout). Cancelling ctx stops the test gracefully.
func (r *Runner) Run(ctx context.Context) {
	r.started.Store(time.Now().UnixNano())
	first := Load{Users: r.cfg.Users, SpawnRate: r.cfg.SpawnRate, Rate: r.cfg.Rate}
	if r.cfg.Shape != nil {
		l, ok := r.cfg.Shape.Tick(0, 0)
		if !ok {
			r.Stop("load shape ended")
			r.state.Store(StateStopped)
			return
		}
		first = l
		if l.Rate > 0 {
			r.open = true
		}
		r.setClasses(l.Classes)
	}

	var bg sync.WaitGroup
	if r.open {
		r.state.Store(StateSpawning)
		if !r.prepareOpen(ctx, first) {
			r.Stop("interrupted")
		}
		// The pool grows on demand from here on: nothing else moves the open model to running.
		r.state.CompareAndSwap(StateSpawning, StateRunning)
		// The clock starts once the first users are ready, so that run time and rate are
		// measured from the first arrival.
		r.started.Store(time.Now().UnixNano())
	} else {
		r.SetUsers(first.Users, first.SpawnRate)
	}
	var deadline <-chan time.Time
	if r.cfg.RunTime > 0 {
		t := time.NewTimer(r.cfg.RunTime)
		defer t.Stop()
		deadline = t.C
	}
	if r.open {
		r.arrivals.start(r.Started(), r.cfg.RunTime, first.Rate)
		// Stages end at a known time: no arrival is due after it, however late the shape's
		// goroutine notices.
		if st, ok := r.cfg.Shape.(Stages); ok {
			if end := r.Started().Add(st.Total()); r.arrivals.deadline.IsZero() || end.Before(r.arrivals.deadline) {
				r.arrivals.deadline = end
			}
		}
		bg.Add(2)
		go func() { defer bg.Done(); r.pace() }()
		go func() { defer bg.Done(); r.grow() }()
	} else {
		bg.Add(1)
		go func() { defer bg.Done(); r.spawner() }()
	}
	if r.cfg.Shape != nil {
		bg.Add(1)
		go func() { defer bg.Done(); r.control(first) }()
	}

	select {
	case <-deadline:
		r.Stop("run time reached")
	case <-ctx.Done():
		r.Stop("interrupted")
	case <-r.quit:
	}
	bg.Wait()
	r.drain()
	r.state.Store(StateStopped)
}

// control consults the shape every shapeInterval and applies what changed; a shape that
// returns no load ends the test.
func (r *Runner) control(last Load) {
	tick := time.NewTicker(shapeInterval)
	defer tick.Stop()
	for {
		// The tick's time is when it was due, however late this goroutine runs on a busy
		// machine: the shape is consulted, and the open model's rate and end applied, as of then.
		var at time.Time
		select {
		case <-r.quit:
			return
		case at = <-tick.C:
		}
		l, ok := r.cfg.Shape.Tick(at.Sub(r.Started()), r.Users())
		if !ok {
			if r.open {
				r.mu.Lock()
				if a := &r.arrivals; a.deadline.IsZero() || at.Before(a.deadline) {
					a.deadline = at // no arrival due after the shape ended
				}
				r.mu.Unlock()
			}
			r.Stop("load shape ended")
			return
		}
		if l.equal(last) {
			continue
		}
		if !slices.Equal(l.Classes, last.Classes) {
			r.setClasses(l.Classes)
		}
		if r.open {
			if l.Users > 0 {
				r.SetUsers(l.Users, 0)
			}
			r.setRateAt(at, l.Rate)
		} else {
			r.SetUsers(l.Users, l.SpawnRate)
		}
		last = l
	}
}

// setClasses limits the users to the named classes (a shape's userClasses): users of other
// classes are stopped as the count is adjusted. Nil or empty allows every class; unknown names
// are ignored.
func (r *Runner) setClasses(names []string) {
	r.mu.Lock()
	if len(names) == 0 {
		r.only = nil
	} else {
		r.only = make([]bool, len(r.classes))
		for i, c := range r.classes {
			r.only[i] = slices.Contains(names, c.Name)
		}
	}
	r.rampStart = time.Now()
	r.rampDone = 0
	r.mu.Unlock()
	r.poke()
}

// want is how many users of each class the target calls for; the caller holds r.mu.
func (r *Runner) want(n int) []int {
	if r.only == nil {
		return distribute(r.classes, n)
	}
	cs := slices.Clone(r.classes)
	for i := range cs {
		if !r.only[i] {
			cs[i].Weight, cs[i].FixedCount = 0, 0
		}
	}
	return distribute(cs, n)
}

// poke wakes whichever goroutine adjusts the number of users.
func (r *Runner) poke() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// drain waits for the users to finish their current task, interrupts those still running at
// the stop timeout, and gives the interrupted ones a moment to unwind.
func (r *Runner) drain() {
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	timeout := time.NewTimer(r.cfg.StopTimeout)
	defer timeout.Stop()
	select {
	case <-done:
		return
	case <-timeout.C:
	case <-r.hardCtx.Done():
	}
	r.interruptAll()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		// A user stuck in a Go call that ignores interruption must not hold the reports back.
	}
}

func (r *Runner) interruptAll() {
	r.hardStop()
	r.all.Range(func(_, v any) bool {
		if u, ok := v.(*vu).user.Load().(User); ok {
			u.Interrupt()
		}
		return true
	})
}

// Stop stops the test gracefully: no new tasks, running tasks get the stop timeout.
// It is safe to call many times and from any goroutine; the first reason is kept.
func (r *Runner) Stop(reason string) {
	r.stopOnce.Do(func() {
		// Under r.mu, so that adjust, which checks quit under r.mu too, cannot store
		// "spawning" or "running" over "stopping".
		r.mu.Lock()
		defer r.mu.Unlock()
		r.reason.Store(reason)
		r.state.Store(StateStopping)
		close(r.quit)
		r.all.Range(func(_, v any) bool {
			r.wake(v.(*vu))
			return true
		})
	})
}

// Kill stops the test at once: running tasks are interrupted without waiting.
func (r *Runner) Kill(reason string) {
	r.Stop(reason)
	r.interruptAll()
}

// Reason says why the test stopped ("" while it runs).
func (r *Runner) Reason() string {
	s, _ := r.reason.Load().(string)
	return s
}

// State reports where the test is.
func (r *Runner) State() State { return r.state.Load().(State) }

// Started is when Run began (zero before).
func (r *Runner) Started() time.Time {
	n := r.started.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// Iterations is the number of task executions finished so far.
func (r *Runner) Iterations() int64 { return r.iterDone.Load() }

// Target is the number of users the runner is heading for.
func (r *Runner) Target() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.target
}

// Users is the number of users running (started and not asked to stop).
func (r *Runner) Users() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.active {
		n += len(c)
	}
	return n
}

// ClassCounts is the number of running users per class, in Classes order.
func (r *Runner) ClassCounts() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int, len(r.active))
	for i, c := range r.active {
		out[i] = len(c)
	}
	return out
}

// SetUsers changes the number of users to reach and the rate to get there (Locust's Edit,
// shapes and stages). Ramping down stops users gracefully: their current task finishes. In the
// open model it sets the most users the pool may hold, and rate is unused.
func (r *Runner) SetUsers(users int, rate float64) {
	if users < 0 {
		users = 0
	}
	r.mu.Lock()
	r.target = users
	r.rate = rate
	r.rampStart = time.Now()
	r.rampDone = 0
	r.mu.Unlock()
	r.poke()
}

// spawner moves the number of users toward the target at the spawn rate. A 10 ms tick keeps
// spawning smooth at any rate, and each tick computes what is due from the elapsed time, so a
// late tick catches up instead of drifting.
func (r *Runner) spawner() {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		pending, spawned := r.adjust()
		if spawned && r.cfg.OnSpawned != nil {
			r.cfg.OnSpawned()
		}
		if pending {
			select {
			case <-r.quit:
				return
			case <-tick.C:
			}
			continue
		}
		select {
		case <-r.quit:
			return
		case <-r.kick:
		}
	}
}

// adjust starts or stops the users due now and reports whether more changes are pending, and
// whether this call completed a change (spawning turned to running).
func (r *Runner) adjust() (pending, spawned bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-r.quit:
		return false, false
	default:
	}
	current := 0
	for _, c := range r.active {
		current += len(c)
	}
	want := r.want(r.target)
	// Changes still to make: users to add or remove, plus the swaps that fix the mix of
	// classes after a shape changed userClasses.
	todo := abs(r.target - current)
	if todo == 0 {
		for i, w := range want {
			todo += max(len(r.active[i])-w, 0)
		}
	}
	if todo == 0 {
		return false, r.state.CompareAndSwap(StateSpawning, StateRunning)
	}
	r.state.Store(StateSpawning)
	n := todo
	if r.rate > 0 {
		due := int(math.Floor(time.Since(r.rampStart).Seconds()*r.rate)) + 1 - r.rampDone
		n = min(n, max(due, 0))
	}
	for i := 0; i < n; i++ {
		switch {
		case current < r.target:
			r.startUser(pickShort(want, r.active))
			current++
		case current > r.target:
			r.stopUser(pickLong(want, r.active))
			current--
		default:
			r.stopUser(pickLong(want, r.active))
			r.startUser(pickShort(want, r.active))
		}
	}
	r.rampDone += n
	if n == todo {
		r.state.Store(StateRunning)
		return false, true
	}
	return true, false
}
