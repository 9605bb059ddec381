package js

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
	"github.com/gustload/gust/engine"
)

// The test-level hooks run outside the users, in one runtime of their own (with its own client
// and stats recorder, so that setup() can log in or create data over HTTP): onTestStart, then
// setup() before any user starts; teardown(data), then onTestStop once the users have ended.

// SetupError is a failing onTestStart or setup(): the test must not start.
type SetupError struct {
	Hook string
	Err  error
}

func (e *SetupError) Error() string { return e.Hook + "() failed: " + e.Err.Error() }

func (e *SetupError) Unwrap() error { return e.Err }

// lifeVU builds the hooks' runtime on first use.
func (t *Test) lifeVU() (*vu, error) {
	if t.life != nil {
		return t.life, nil
	}
	v, err := newVU(t.s, t, 0)
	if err != nil {
		return nil, err
	}
	v.host = t.hosts[0]
	v.client = client.New(t.cfg.Client)
	v.rec = t.cfg.Stats.Recorder()
	v.trace = t.cfg.Trace
	t.life = v
	return v, nil
}

// Setup runs onTestStart() and setup(); setup's result, which must be JSON-serializable,
// becomes this.environment.setupData (and the global setupData) in every user. Call it once,
// before any user starts.
func (t *Test) Setup(ctx context.Context) error {
	if !t.s.hooks["onTestStart"] && !t.s.hooks["setup"] && !t.s.testEvents {
		return nil
	}
	v, err := t.lifeVU()
	if err != nil {
		return err
	}
	v.ctx = ctx
	defer v.rec.Flush()
	if _, err := t.callOutside(v, "onTestStart"); err != nil {
		return &SetupError{"onTestStart", err}
	}
	if err := v.runTestEvents(true); err != nil {
		return &SetupError{"events.testStart", err}
	}
	res, err := t.callOutside(v, "setup")
	if err != nil {
		return &SetupError{"setup", err}
	}
	if res == nil || goja.IsUndefined(res) {
		return nil
	}
	b, err := v.stringify(res)
	if err != nil {
		return &SetupError{"setup", fmt.Errorf("its result is not JSON-serializable: %v", err)}
	}
	t.setupJSON = []byte(b)
	return nil
}

// Teardown runs teardown(data) with setup()'s result, then onTestStop(); both run even if the
// other fails. Call it once, after the users have ended.
func (t *Test) Teardown(ctx context.Context) error {
	if !t.s.hooks["teardown"] && !t.s.hooks["onTestStop"] && !t.s.testEvents {
		if t.life != nil {
			t.life.client.Close()
		}
		return nil
	}
	v, err := t.lifeVU()
	if err != nil {
		return err
	}
	v.ctx = ctx
	defer v.client.Close()
	defer v.rec.Flush()
	// Cancelling ctx (a Ctrl-C) interrupts the hooks' JavaScript and requests too.
	defer context.AfterFunc(ctx, func() {
		v.rt.Interrupt(errInterrupted)
		v.client.Abort()
	})()
	data := goja.Undefined()
	if t.setupJSON != nil {
		if data, err = v.parseJSON(string(t.setupJSON)); err != nil {
			return err
		}
	}
	var errs []error
	for _, h := range []string{"teardown", "onTestStop"} {
		args := []goja.Value{data}
		if h == "onTestStop" {
			args = nil
		}
		if _, err := t.callOutside(v, h, args...); err != nil {
			// Counted like any script exception, so that the exit code says the run was not clean.
			v.rec.Exception(h+"() failed: "+err.Error(), "")
			errs = append(errs, fmt.Errorf("%s() failed: %w", h, err))
		}
	}
	if err := v.runTestEvents(false); err != nil {
		v.rec.Exception("events.testStop listener failed: "+err.Error(), "")
		errs = append(errs, fmt.Errorf("events.testStop: %w", err))
	}
	return errors.Join(errs...)
}

// callOutside is callHook, bounded by the test's OutsideLimit and InterruptOutside.
func (t *Test) callOutside(v *vu, name string, args ...goja.Value) (res goja.Value, err error) {
	if _, ok := goja.AssertFunction(v.exports.Get(name)); !ok {
		return nil, nil
	}
	err = t.s.outside(v, name+"()", t.cfg.OutsideLimit, func() error {
		res, err = v.callHook(name, args...)
		return err
	})
	return res, err
}

// callHook calls an exported function if the script has it; an exception comes back as an
// error naming the user's file:line.
func (v *vu) callHook(name string, args ...goja.Value) (goja.Value, error) {
	fn, ok := goja.AssertFunction(v.exports.Get(name))
	if !ok {
		return nil, nil
	}
	res, err := v.call(fn, goja.Undefined(), args...)
	v.settlePending()
	if err != nil {
		return nil, v.hookError(err)
	}
	return res, nil
}

// hookError formats an exception from a hook with the position it was thrown at.
func (v *vu) hookError(err error) error {
	var ex *goja.Exception
	var re *rejectedError
	var msg, tb string
	switch {
	case errors.As(err, &ex):
		msg, tb = exceptionMessage(ex), traceback(ex)
	case errors.As(err, &re):
		msg, tb = rejection(re.reason)
	default:
		return err
	}
	if tb != "" {
		msg += "\n    " + tb
	}
	return errors.New(msg)
}

// Shape is the script's exported shape(ctx) as an engine.Shape. It runs in a runtime of its
// own; the engine calls it from one goroutine at a time.
type Shape struct {
	v       *vu
	fn      goja.Callable
	onError func(error)
}

// NewShape prepares the script's shape(ctx); onError is told why a shape ended the test by
// throwing or returning something unusable.
func NewShape(t *Test, onError func(error)) (*Shape, error) {
	if !t.s.hooks["shape"] {
		return nil, fmt.Errorf("%s exports no shape function", t.s.Path)
	}
	v, err := newVU(t.s, t, 0)
	if err != nil {
		return nil, err
	}
	fn, _ := goja.AssertFunction(v.exports.Get("shape"))
	return &Shape{v: v, fn: fn, onError: onError}, nil
}

// Tick implements engine.Shape: it calls shape({runTime, userCount}) and reads
// {users, spawnRate, rate, userClasses}; null or undefined ends the test.
func (s *Shape) Tick(runTime time.Duration, users int) (engine.Load, bool) {
	rt := s.v.rt
	ctx := rt.NewObject()
	must(ctx.Set("runTime", runTime.Seconds()))
	must(ctx.Set("userCount", users))
	var res goja.Value
	err := s.v.s.outside(s.v, "shape()", s.v.t.cfg.OutsideLimit, func() (err error) {
		res, err = s.fn(goja.Undefined(), ctx)
		return err
	})
	var stuck *StuckError
	if errors.As(err, &stuck) {
		if st := s.v.t.cfg.Stats; st != nil {
			// Counted as a script exception, so that the run's exit code says it was not clean.
			st.Recorder().Exception(stuck.Error(), "")
		}
		return s.fail(stuck)
	}
	if err != nil {
		return s.fail(fmt.Errorf("shape() threw: %w", s.v.hookError(err)))
	}
	if res == nil || goja.IsUndefined(res) || goja.IsNull(res) {
		return engine.Load{}, false
	}
	o, ok := res.(*goja.Object)
	if !ok {
		return s.fail(fmt.Errorf("shape() returned %s; want {users, spawnRate} or null", res.String()))
	}
	num := func(name string) (float64, error) {
		x := o.Get(name)
		if x == nil || goja.IsUndefined(x) || goja.IsNull(x) {
			return 0, nil
		}
		f := x.ToFloat()
		if !isNumber(x) || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("shape() returned %s = %s; want a number >= 0", name, x.String())
		}
		return f, nil
	}
	var l engine.Load
	var u float64
	if u, err = num("users"); err != nil {
		return s.fail(err)
	}
	l.Users = int(u)
	if l.SpawnRate, err = num("spawnRate"); err != nil {
		return s.fail(err)
	}
	if l.Rate, err = num("rate"); err != nil {
		return s.fail(err)
	}
	l.Classes = toStrings(o.Get("userClasses"))
	for _, name := range l.Classes {
		if !s.v.t.hasClass(name) {
			return s.fail(fmt.Errorf("shape() returned userClasses with %q, which is not a User class of this test", name))
		}
	}
	return l, true
}

func (s *Shape) fail(err error) (engine.Load, bool) {
	if s.onError != nil {
		s.onError(err)
	}
	return engine.Load{}, false
}

// hasClass reports whether name is a User class taking part in the test.
func (t *Test) hasClass(name string) bool {
	for _, c := range t.classes {
		if c.Name == name {
			return true
		}
	}
	return false
}
