package engine

import (
	"context"
	"math"
	"sync/atomic"
	"time"
)

// The open model (k6's arrival rate; Locust has none): task executions start on a schedule
// whatever the response times. A pacer hands each due arrival to a free user of a pool; an
// arrival that finds none is dropped and counted, never delayed, so that a slow target shows
// up as drops instead of a silently lower rate. The pool grows on its own goroutine, ahead of
// need, because building a user runs its script (about 100 µs) and the pacer must never wait.

// arrivals is the open model's state; the schedule fields are guarded by Runner.mu.
type arrivals struct {
	work     chan struct{} // unbuffered: a send succeeds only when a user is waiting for work
	rateKick chan struct{}
	building atomic.Int64 // users started but not yet waiting for their first arrival
	idle     atomic.Int64 // users waiting for an arrival
	dropped  atomic.Int64
	sent     atomic.Int64 // arrivals handed to a user

	// The schedule: x(t) = x0 + (t - since) * rate counts arrivals due since the first one,
	// which is due the moment the rate first becomes positive. Computing what is owed from
	// elapsed time, not from ticks, makes a late wake-up catch up instead of drifting
	// (vegeta's pacer).
	rate     float64
	since    time.Time
	x0       float64
	phase    float64 // x0 at the first arrival: a segment's offset in the whole schedule
	begun    bool
	deadline time.Time // arrivals stop just before the run time ends

	// The pacer's clock and hand-off: the real ones, or a fake clock and a counting hand in
	// tests, so that the schedule is checked exactly however busy the machine is.
	clock clock
	hand  func() bool // gives one arrival to a free user; false when none was free
}

func (a *arrivals) init() {
	a.work = make(chan struct{})
	a.rateKick = make(chan struct{}, 1)
	a.clock = realClock{}
	a.hand = a.toFreeUser
}

// toFreeUser hands an arrival to a user waiting for one, never waiting itself.
func (a *arrivals) toFreeUser() bool {
	select {
	case a.work <- struct{}{}:
		return true
	default:
		return false
	}
}

// clock is the pacer's time source.
type clock interface {
	Now() time.Time
	NewTimer(d time.Duration) timer
}

// timer is the part of *time.Timer the pacer uses.
type timer interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

// realClock is the machine's clock.
type realClock struct{}

func (realClock) Now() time.Time                 { return time.Now() }
func (realClock) NewTimer(d time.Duration) timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (t realTimer) C() <-chan time.Time   { return t.t.C }
func (t realTimer) Reset(d time.Duration) { t.t.Reset(d) }
func (t realTimer) Stop()                 { t.t.Stop() }

// start fixes the clock; the caller holds no lock because nothing else runs yet.
func (a *arrivals) start(now time.Time, runTime time.Duration, rate float64) {
	a.since = now
	if runTime > 0 {
		a.deadline = now.Add(runTime)
	}
	a.setRate(now, rate)
}

func (a *arrivals) setRate(now time.Time, rate float64) {
	if a.begun {
		a.x0 += now.Sub(a.since).Seconds() * a.rate
	}
	a.since, a.rate = now, max(rate, 0)
	if a.rate > 0 && !a.begun {
		a.begun, a.x0 = true, a.phase
	}
}

// owed is the number of arrivals due at t since the start.
func (a *arrivals) owed(t time.Time) int64 {
	if !a.begun {
		return 0
	}
	return int64(math.Floor(a.x0+t.Sub(a.since).Seconds()*a.rate)) + 1
}

// dueAt is when arrival n (counting from 1) is due; false when the current rate never gets
// there.
func (a *arrivals) dueAt(n int64) (time.Time, bool) {
	if !a.begun || a.rate <= 0 {
		return time.Time{}, false
	}
	need := float64(n-1) - a.x0
	if need <= 0 {
		return a.since, true
	}
	// Rounded up, and past any float error: at the time returned, owed must count arrival n,
	// or the pacer would wake, find nothing due and spin until the clock moves on.
	t := a.since.Add(time.Duration(math.Ceil(need / a.rate * float64(time.Second))))
	for i := 0; i < 4 && a.owed(t) < n; i++ {
		t = t.Add(time.Nanosecond << (4 * i))
	}
	return t, true
}

// headroom is how many free users the pool keeps ready: 50 ms worth of arrivals, at least 2.
func (a *arrivals) headroom() int {
	return max(2, int(math.Ceil(a.rate*0.05)))
}

// setRate changes the number of task executions started per second (open model). Arrivals
// already due stay due; the new rate applies from now.
func (r *Runner) setRate(rate float64) { r.setRateAt(r.arrivals.clock.Now(), rate) }

// setRateAt changes the rate from at, which may be a little in the past (a shape's tick that
// its goroutine received late): the pacer then catches up on what the new rate owes since.
func (r *Runner) setRateAt(at time.Time, rate float64) {
	r.mu.Lock()
	if at.Before(r.arrivals.since) {
		at = r.arrivals.since // not before the last change: the schedule's past stays as it was
	}
	r.arrivals.setRate(at, rate)
	r.mu.Unlock()
	select {
	case r.arrivals.rateKick <- struct{}{}:
	default:
	}
	r.poke()
}

// Rate is the open model's current arrival rate (0 in the closed model).
func (r *Runner) Rate() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.arrivals.rate
}

// Open reports whether the runner follows the open model.
func (r *Runner) Open() bool { return r.open }

// Dropped is the number of arrivals that found no free user (open model).
func (r *Runner) Dropped() int64 { return r.arrivals.dropped.Load() }

// prepareOpen builds the first users of the pool and waits until they are ready for work, so
// that the first arrivals are not dropped for want of a user that is still loading. It
// reports false when ctx ended first.
func (r *Runner) prepareOpen(ctx context.Context, first Load) bool {
	r.mu.Lock()
	r.target = r.cfg.Users
	if first.Users > 0 {
		r.target = first.Users
	}
	r.arrivals.rate = first.Rate
	n := min(r.target, max(r.arrivals.headroom(), int(math.Ceil(first.Rate*0.1))))
	r.startUsers(n)
	r.mu.Unlock()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for r.arrivals.building.Load() > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-r.quit:
			return true
		case <-tick.C:
		}
	}
	return true
}

// startUsers starts n users of the classes furthest below their share; the caller holds r.mu.
func (r *Runner) startUsers(n int) {
	want := r.want(r.target)
	for i := 0; i < n; i++ {
		r.startUser(pickShort(want, r.active))
	}
}

// pace hands out arrivals as they fall due until the test stops, the iterations are all
// handed out, or the run time ends.
func (r *Runner) pace() {
	a := &r.arrivals
	timer := a.clock.NewTimer(0)
	defer timer.Stop()
	var handled int64 // arrivals dispatched or dropped
	var reported int64
	lastReport := a.clock.Now()
	for {
		select {
		case <-r.quit:
			r.missed(handled)
			return
		case <-timer.C():
		case <-a.rateKick:
		}
		owed, now := r.owedNow()
		for ; handled < owed; handled++ {
			if r.cfg.Iterations > 0 && a.sent.Load() >= r.cfg.Iterations {
				return
			}
			if a.hand() {
				a.sent.Add(1)
			} else {
				a.dropped.Add(1)
				r.poke()
			}
		}
		if d := a.dropped.Load(); d > reported && r.cfg.OnDrop != nil && now.Sub(lastReport) >= time.Second {
			r.cfg.OnDrop(d - reported)
			reported, lastReport = d, now
		}
		r.mu.Lock()
		next, ok := a.dueAt(handled + 1)
		if !a.deadline.IsZero() && !next.Before(a.deadline) {
			ok = false // no arrival is due before the run time ends
		}
		r.mu.Unlock()
		wait := 50 * time.Millisecond // rechecks the drop report and notices a rate change
		if ok {
			wait = min(wait, next.Sub(a.clock.Now()))
		}
		timer.Reset(max(wait, 0))
	}
}

// owedNow is how many arrivals are due now, the run time's end being the latest moment any is
// due, and that moment.
func (r *Runner) owedNow() (int64, time.Time) {
	a := &r.arrivals
	now := a.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if !a.deadline.IsZero() && !now.Before(a.deadline) {
		now = a.deadline.Add(-time.Nanosecond)
	}
	return a.owed(now), now
}

// missed counts as dropped the arrivals that fell due before the stop (or the run time's end)
// but were never handed out: a pacer that a busy machine woke late has them still owed when the
// test ends. They never started, as k6's dropped iterations, so every arrival of the schedule
// is either run or dropped whatever the scheduler's latency. With an iteration limit the
// schedule's tail is not owed, so nothing is added.
func (r *Runner) missed(handled int64) {
	a := &r.arrivals
	if r.cfg.Iterations > 0 {
		return
	}
	owed, _ := r.owedNow()
	if owed > handled {
		a.dropped.Add(owed - handled)
	}
}

// grow keeps the pool at headroom free users (up to the user cap) and shrinks it when the cap
// is lowered; it wakes on a 10 ms tick and whenever an arrival is dropped.
func (r *Runner) grow() {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		r.mu.Lock()
		select {
		case <-r.quit:
			// Stop takes r.mu too, so no user starts once the test is stopping.
			r.mu.Unlock()
			return
		default:
		}
		pool := 0
		for _, c := range r.active {
			pool += len(c)
		}
		if pool > r.target {
			want := r.want(r.target)
			for i := pool; i > r.target; i-- {
				r.stopUser(pickLong(want, r.active))
			}
		} else {
			free := int(r.arrivals.idle.Load() + r.arrivals.building.Load())
			r.startUsers(min(r.arrivals.headroom()-free, r.target-pool))
		}
		r.mu.Unlock()
		select {
		case <-r.quit:
			return
		case <-tick.C:
		case <-r.kick:
		}
	}
}

// serve is a pool user's life in the open model: wait for an arrival, run one task, repeat.
// The task's wait is ignored: the schedule, not the user, decides when the next task starts.
func (r *Runner) serve(v *vu, u User) {
	a := &r.arrivals
	first := true
	for {
		a.idle.Add(1)
		if first {
			a.building.Add(-1)
			first = false
		}
		select {
		case <-a.work:
			a.idle.Add(-1)
		case <-v.quit:
			a.idle.Add(-1)
			return
		case <-r.quit:
			a.idle.Add(-1)
			return
		}
		if _, goOn := r.step(u); !goOn {
			return
		}
	}
}
