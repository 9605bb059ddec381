package js

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/engine"
)

// user is an engine.User backed by one runtime: the instance of a User class and its stack of
// entered TaskSets.
type user struct {
	v     *vu
	inst  *goja.Object
	stack []*frame
}

// errInterrupted marks a task cut short by a hard stop.
var errInterrupted = errors.New("interrupted")

// Start runs onStart; StopUser or StopTest thrown there reach the engine as such.
func (u *user) Start(ctx context.Context) error {
	u.v.ctx = ctx
	err := u.hook(u.inst, "onStart")
	var flow *flowError
	if errors.As(err, &flow) {
		switch flow.kind {
		case flowStopUser:
			return engine.ErrStopUser
		case flowStopTest:
			return flow.stopTest()
		}
		return nil // RescheduleTask or interrupt() in onStart: nothing to leave, tasks start
	}
	return err
}

// hook calls an optional lifecycle method (onStart/onStop) on obj.
func (u *user) hook(obj *goja.Object, name string) error {
	fn, ok := goja.AssertFunction(obj.Get(name))
	if !ok {
		return nil
	}
	_, err := u.v.call(fn, obj)
	return u.v.settle(err)
}

// Step picks the next task from the innermost frame, entering TaskSets as they are picked,
// runs it and returns the wait of the frame it ran in.
func (u *user) Step(ctx context.Context) (time.Duration, error) {
	u.v.ctx = ctx
	for depth := 0; ; depth++ {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		f := u.stack[len(u.stack)-1]
		e := f.next()
		if e.kind == kindTaskSet {
			if depth > 32 {
				return 0, fmt.Errorf("%s: entered TaskSets 32 times without running a task", f.tab.owner)
			}
			if err := u.enter(f, e); err != nil {
				return u.after(f, 0, err)
			}
			continue
		}
		start := time.Since(epoch)
		u.v.arg[0] = f.obj
		_, err := u.v.call(e.fn, f.obj, u.v.arg[:]...)
		return u.after(f, time.Since(epoch)-start, u.v.settle(err))
	}
}

// enter pushes a new frame for the TaskSet class of e, built with the current frame's object
// as its parent, and runs its onStart.
func (u *user) enter(parent *frame, e *entry) error {
	obj, err := u.v.rt.New(e.ctor, parent.obj)
	if err != nil {
		return u.v.settle(err)
	}
	f := &frame{obj: obj, tab: e.nested, wait: u.v.waitOf(e.ctor, obj, parent.wait)}
	u.stack = append(u.stack, f)
	return u.hook(obj, "onStart")
}

// epoch is the reference of the task timings: time.Since(epoch) reads only the monotonic
// clock, one read where time.Now takes two.
var epoch = time.Now()

// asFlow returns err's flow-control error, if any. A function of its own, because the
// target errors.As takes escapes: declared in after, it was allocated on every task.
func asFlow(err error) *flowError {
	if err == nil {
		return nil
	}
	var flow *flowError
	if errors.As(err, &flow) {
		return flow
	}
	return nil
}

// after turns the outcome of a task into the wait before the next one and flow control.
func (u *user) after(f *frame, took time.Duration, err error) (time.Duration, error) {
	if flow := asFlow(err); flow != nil {
		switch flow.kind {
		case flowInterrupt:
			return u.leave(flow.reschedule)
		case flowReschedule:
			err = nil
		case flowStopUser:
			return 0, engine.ErrStopUser
		case flowStopTest:
			return 0, flow.stopTest()
		}
	}
	if err != nil {
		// The user ends here (an interrupt at the stop timeout): what it recorded must not
		// stay in its buffer.
		u.v.rec.Flush()
		return 0, err
	}
	wait := f.wait(took)
	if wait >= 50*time.Millisecond {
		u.v.rec.Flush()
	}
	return wait, nil
}

// leave pops the innermost TaskSet (this.interrupt()), running its onStop.
func (u *user) leave(reschedule bool) (time.Duration, error) {
	if len(u.stack) == 1 {
		return 0, nil // interrupt() on the user itself: nothing to leave
	}
	f := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	if err := u.hook(f.obj, "onStop"); err != nil {
		return u.after(u.stack[len(u.stack)-1], 0, err)
	}
	if !reschedule {
		return 0, nil
	}
	parent := u.stack[len(u.stack)-1]
	return parent.wait(0), nil
}

// Stop runs the onStop of every entered TaskSet, innermost first, then the user's.
func (u *user) Stop(ctx context.Context) {
	u.v.ctx = ctx
	for i := len(u.stack) - 1; i >= 0; i-- {
		_ = u.hook(u.stack[i].obj, "onStop")
	}
	u.v.rec.Flush()
	u.v.client.Close()
	u.v.closeLoop()
}

// Interrupt aborts the running JavaScript and any request in flight.
func (u *user) Interrupt() {
	u.v.rt.Interrupt(errInterrupted)
	u.v.client.Abort()
	if l := u.v.evl(); l != nil {
		l.abort()
	}
}

type flowKind int

const (
	flowStopUser flowKind = iota
	flowStopTest
	flowReschedule
	flowInterrupt
)

// flowError is a flow-control exception a script threw.
type flowError struct {
	kind       flowKind
	reschedule bool
	msg        string // StopTest("msg"): the test's stop reason
}

func (e *flowError) Error() string { return "flow control" }

// call runs a JS function; Go panics inside natives surface as errors. An async function
// that threw returns a rejected promise: that is an exception too (rejectedError), as if it
// had been thrown synchronously.
func (v *vu) call(fn goja.Callable, this goja.Value, args ...goja.Value) (goja.Value, error) {
	res, err := fn(this, args...)
	return v.await(res, err)
}

// rejectedError is a promise an async task or hook returned rejected; reason is what it threw.
type rejectedError struct{ reason goja.Value }

func (e *rejectedError) Error() string {
	msg, _ := rejection(e.reason)
	return msg
}

// thrown is the value an error carries from JavaScript: the thrown value, or the rejection.
func thrown(err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	var re *rejectedError
	if errors.As(err, &re) {
		return re.reason
	}
	return nil
}

// stopTest is the engine's StopTest, with the script's message when it gave one.
func (e *flowError) stopTest() error {
	if e.msg != "" {
		return engine.StopTestReason(e.msg)
	}
	return engine.ErrStopTest
}

// settle settles pending catchResponse responses, then classifies err: flow control becomes
// a flowError, an interruption passes through, any other exception is recorded (with its
// stack) and swallowed so that the user goes on, like Locust.
func (v *vu) settle(err error) error {
	v.settlePending()
	return v.classify(err)
}

// classify turns an error from JavaScript into flow control or errInterrupted; any other
// exception is recorded and becomes nil.
func (v *vu) classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, errInterrupted) {
		return errInterrupted
	}
	if asFlow(err) != nil {
		return err // classified already (a callback's flow control, passed on by the loop)
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return errInterrupted
	}
	if val := thrown(err); val != nil {
		if o, ok := val.(*goja.Object); ok {
			if kind := o.Get("__gustFlow"); kind != nil {
				switch kind.String() {
				case "InterruptTaskSet":
					return &flowError{kind: flowInterrupt, reschedule: o.Get("reschedule").ToBoolean()}
				case "StopUser":
					return &flowError{kind: flowStopUser}
				case "StopTest":
					f := &flowError{kind: flowStopTest}
					if m := o.Get("message"); m != nil && !goja.IsUndefined(m) && !goja.IsNull(m) {
						f.msg = m.String()
					}
					return f
				case "RescheduleTask":
					return &flowError{kind: flowReschedule}
				}
			}
		}

	}
	v.exception(err)
	return nil
}

// exception records a script error under Exceptions.
func (v *vu) exception(err error) {
	msg, tb := err.Error(), ""
	var ex *goja.Exception
	var re *rejectedError
	switch {
	case errors.As(err, &ex):
		msg, tb = exceptionMessage(ex), traceback(ex)
	case errors.As(err, &re):
		msg, tb = rejection(re.reason)
	}
	if v.rec != nil {
		v.rec.Exception(msg, tb)
	}
	if v.t != nil && v.s.Logs(LevelError) {
		v.t.excLog.show(msg, tb)
	}
	if v.trace != nil {
		fmt.Fprintf(v.trace, "exception: %s\n%s\n", msg, tb)
	}
}
