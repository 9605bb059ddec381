package engine

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when the test says so. Every time the pacer re-arms its
// timer, armed receives a signal: the pacer has finished handling a wake-up and is about to
// wait, so the test can check what it handed out.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	armed  chan struct{}
}

type fakeTimer struct {
	c  *fakeClock
	ch chan time.Time
	at time.Time
	on bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Unix(1_000_000, 0), armed: make(chan struct{}, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) timer {
	t := &fakeTimer{c: c, ch: make(chan time.Time, 1)}
	c.mu.Lock()
	c.timers = append(c.timers, t)
	t.at, t.on = c.now.Add(d), true
	t.fireIfDue()
	c.mu.Unlock()
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Reset(d time.Duration) {
	t.c.mu.Lock()
	t.at, t.on = t.c.now.Add(d), true
	t.fireIfDue()
	t.c.mu.Unlock()
	t.c.armed <- struct{}{}
}

func (t *fakeTimer) Stop() {
	t.c.mu.Lock()
	t.on = false
	t.c.mu.Unlock()
}

// fireIfDue sends on the channel when the timer is due; the caller holds c.mu.
func (t *fakeTimer) fireIfDue() {
	if t.on && !t.at.After(t.c.now) {
		t.on = false
		select {
		case t.ch <- t.c.now:
		default:
		}
	}
}

// advance moves the clock by d (0: to the next armed timer) and fires what fell due.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	if d == 0 {
		for _, t := range c.timers {
			if t.on {
				c.now = t.at
			}
		}
	} else {
		c.now = c.now.Add(d)
	}
	for _, t := range c.timers {
		t.fireIfDue()
	}
	c.mu.Unlock()
}

// waitArmed waits until the pacer has handled a wake-up.
func (c *fakeClock) waitArmed(t *testing.T) {
	t.Helper()
	select {
	case <-c.armed:
	case <-time.After(10 * time.Second):
		t.Fatal("the pacer did not wake up")
	}
}

// fakePacer is a runner whose pacer runs on a fake clock and hands arrivals to take.
func fakePacer(t *testing.T, cfg Config, take func() bool) (*Runner, *fakeClock, func()) {
	t.Helper()
	r := NewRunner(&fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}, cfg)
	c := newFakeClock()
	r.arrivals.clock, r.arrivals.hand = c, take
	r.arrivals.start(c.Now(), cfg.RunTime, cfg.Rate)
	done := make(chan struct{})
	go func() { r.pace(); close(done) }()
	c.waitArmed(t) // the first timer, due at once
	stop := func() {
		r.Stop("test over")
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the pacer did not stop")
		}
	}
	return r, c, stop
}

func TestPacerFollowsTheScheduleOnAFakeClock(t *testing.T) {
	r, c, stop := fakePacer(t, Config{Rate: 200, RunTime: time.Second}, func() bool { return true })
	defer stop()
	a := &r.arrivals
	start := c.Now()
	for i := 0; i < 1000 && c.Now().Sub(start) < 1200*time.Millisecond; i++ {
		c.advance(0)
		c.waitArmed(t)
		at := c.Now()
		if end := start.Add(time.Second - time.Nanosecond); at.After(end) {
			at = end
		}
		if got, want := a.sent.Load(), a.owed(at); got != want {
			t.Fatalf("at %v: %d arrivals handed out, want %d", c.Now().Sub(start), got, want)
		}
	}
	// 200/s for 1 s: arrivals at 0, 5 ms, ... 995 ms; none past the run time.
	if got := a.sent.Load(); got != 200 || a.dropped.Load() != 0 {
		t.Errorf("handed out %d (dropped %d), want exactly 200", got, a.dropped.Load())
	}
}

func TestPacerCatchesUpAfterALateWakeUp(t *testing.T) {
	r, c, stop := fakePacer(t, Config{Rate: 200, RunTime: 10 * time.Second}, func() bool { return true })
	defer stop()
	if got := r.arrivals.sent.Load(); got != 1 {
		t.Fatalf("at 0: %d arrivals, want the first one", got)
	}
	c.advance(300 * time.Millisecond) // the machine was busy: one wake-up 300 ms on
	c.waitArmed(t)
	if got := r.arrivals.sent.Load(); got != 61 {
		t.Errorf("after a 300 ms late wake-up: %d arrivals, want 61 (every one that fell due)", got)
	}
}

func TestPacerDropsAndReportsOnAFakeClock(t *testing.T) {
	var n atomic.Int64
	var reported atomic.Int64
	busyEveryOther := func() bool { return n.Add(1)%2 == 0 }
	r, c, stop := fakePacer(t, Config{Rate: 100, RunTime: 3 * time.Second, OnDrop: func(k int64) { reported.Add(k) }}, busyEveryOther)
	defer stop()
	for i := 0; i < 25; i++ { // 2.5 s in 100 ms wake-ups
		c.advance(100 * time.Millisecond)
		c.waitArmed(t)
	}
	a := &r.arrivals
	if a.sent.Load()+a.dropped.Load() != 251 || a.dropped.Load() != 126 {
		t.Errorf("sent %d + dropped %d, want 125 + 126", a.sent.Load(), a.dropped.Load())
	}
	// Reported at most once a second of the clock: at 1 s and 2 s.
	if got := reported.Load(); got < 90 || got > a.dropped.Load() {
		t.Errorf("reported %d of %d drops", got, a.dropped.Load())
	}
}

func TestPacerRateChangeAndIterationsOnAFakeClock(t *testing.T) {
	r, c, stop := fakePacer(t, Config{Rate: 10, Iterations: 30}, func() bool { return true })
	defer stop()
	c.advance(time.Second) // 10 due by then, plus the one at 0
	c.waitArmed(t)
	r.setRate(100) // from now on, one every 10 ms
	c.waitArmed(t)
	a := &r.arrivals
	c.advance(100 * time.Millisecond)
	c.waitArmed(t)
	if got := a.sent.Load(); got != 21 {
		t.Errorf("100 ms after raising the rate: %d arrivals, want 21", got)
	}
	c.advance(time.Second)
	select { // the 30th arrival ends the pacer: it arms no timer again
	case <-c.armed:
	case <-time.After(200 * time.Millisecond):
	}
	if got := a.sent.Load(); got != 30 {
		t.Errorf("with -i 30: %d arrivals, want 30", got)
	}
}

// A rate change a late goroutine applies counts from the time it was due: the pacer catches up.
func TestPacerLateRateChangeCountsFromItsTick(t *testing.T) {
	r, c, stop := fakePacer(t, Config{Rate: 10}, func() bool { return true })
	defer stop()
	start := c.Now()
	c.advance(1200 * time.Millisecond) // 13 due at 10/s
	c.waitArmed(t)
	if got := r.arrivals.sent.Load(); got != 13 {
		t.Fatalf("at 1.2 s: %d arrivals, want 13", got)
	}
	r.setRateAt(start.Add(time.Second), 100) // the change was due at 1 s
	c.waitArmed(t)
	if got := r.arrivals.sent.Load(); got != 31 {
		t.Errorf("after a change to 100/s due at 1 s, at 1.2 s: %d arrivals, want 11 + 20", got)
	}
}
