package js

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
)

// A user's event loop. A runtime is used by its user's goroutine only, so whatever finishes on
// another goroutine (a timer, an async request, a WebSocket frame) posts a callback here, and
// the user's goroutine runs the callbacks once its task has returned, until nothing it started
// is left: the user awaits an async task, with every timer and promise it started, before its
// wait time. The loop is built by the first timer, async request or socket: a user whose tasks
// are synchronous has none and pays nothing.

// eventLoop holds a user's pending operations and the callbacks posted for it.
type eventLoop struct {
	mu    sync.Mutex
	queue []func()      // posted from any goroutine, run on the user's
	wake  chan struct{} // signalled (without blocking) when queue gets a callback

	// Touched only on the user's goroutine:
	pending   int              // timers, requests and sockets started and not finished
	timers    map[int64]*timer // live timers by id
	nextID    int64
	flow      error            // a flow-control exception a callback threw: it ends the task
	unhandled []*goja.Promise  // rejected promises nobody handled (yet)
	task      *goja.Promise    // the running task's own promise: its rejection is the task's error
	lanes     []*client.Client // idle lanes for concurrent requests (gust_client_async.go)
	ev        userEvents       // the script's listeners and custom metrics (gust_events.go, gust_metrics.go)

	// Guarded by mu, used by abort from another goroutine:
	aborts  map[any]func() // how to cut each operation in flight short (a lane, a socket)
	aborted bool
}

// timer is one setTimeout or setInterval.
type timer struct {
	t        *time.Timer
	fn       goja.Callable
	args     []goja.Value
	interval time.Duration // 0 for a timeout
}

// loopOf returns v's event loop, building it on first use.
func (v *vu) loopOf() *eventLoop {
	if v.evl() == nil {
		v.loop.Store(&eventLoop{wake: make(chan struct{}, 1)})
		// A promise rejected with no handler is an exception too, unless a handler comes
		// before the task ends (an await later in the task).
		v.rt.SetPromiseRejectionTracker(func(p *goja.Promise, op goja.PromiseRejectionOperation) {
			l := v.evl()
			switch op {
			case goja.PromiseRejectionReject:
				l.unhandled = append(l.unhandled, p)
			case goja.PromiseRejectionHandle:
				for i, q := range l.unhandled {
					if q == p {
						l.unhandled = append(l.unhandled[:i], l.unhandled[i+1:]...)
						break
					}
				}
			}
		})
	}
	return v.evl()
}

// evl is the user's event loop, nil until something needed one.
func (v *vu) evl() *eventLoop { return v.loop.Load() }

// post queues fn to run on the user's goroutine; safe from any goroutine.
func (l *eventLoop) post(fn func()) {
	l.mu.Lock()
	l.queue = append(l.queue, fn)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// take removes and returns the queued callbacks.
func (l *eventLoop) take() []func() {
	l.mu.Lock()
	q := l.queue
	l.queue = nil
	l.mu.Unlock()
	return q
}

// onAbort registers how to cut an operation short on a hard stop; the returned function
// unregisters it. If the loop was aborted already, cut runs at once.
func (l *eventLoop) onAbort(key any, cut func()) {
	l.mu.Lock()
	if l.aborted {
		l.mu.Unlock()
		cut()
		return
	}
	if l.aborts == nil {
		l.aborts = map[any]func(){}
	}
	l.aborts[key] = cut
	l.mu.Unlock()
}

func (l *eventLoop) offAbort(key any) {
	l.mu.Lock()
	delete(l.aborts, key)
	l.mu.Unlock()
}

// abort cuts every operation in flight short; safe from any goroutine (Interrupt).
func (l *eventLoop) abort() {
	l.mu.Lock()
	l.aborted = true
	cuts := l.aborts
	l.aborts = nil
	l.mu.Unlock()
	for _, cut := range cuts {
		cut()
	}
}

// run runs posted callbacks until nothing is pending, a callback throws flow control, or ctx
// ends (a hard stop: errInterrupted). Exceptions thrown by callbacks are recorded and the loop
// goes on, as after a sync task's exception.
func (v *vu) runLoop(ctx context.Context) error {
	l := v.evl()
	if l == nil {
		return nil
	}
	for {
		for _, fn := range l.take() {
			fn()
			if l.flow != nil {
				err := l.flow
				l.flow = nil
				v.clearTimers()
				return err
			}
		}
		if l.pending == 0 {
			l.mu.Lock()
			empty := len(l.queue) == 0
			l.mu.Unlock()
			if !empty {
				continue
			}
			// Rejections still unhandled now that the task is over are exceptions; one the task
			// handled later (an await after a while) is not.
			if v.reportUnhandled(); l.flow != nil {
				err := l.flow
				l.flow = nil
				return err
			}
			return nil
		}
		select {
		case <-l.wake:
		case <-ctx.Done():
			v.clearTimers()
			l.abort()
			return errInterrupted
		}
	}
}

// callback calls a script function from the loop: an exception is recorded like a task's, a
// flow-control exception (StopUser, StopTest, ...) ends the task that started it.
func (v *vu) callback(fn goja.Callable, this goja.Value, args ...goja.Value) {
	_, err := fn(this, args...)
	if err == nil {
		return
	}
	if err = v.classify(err); err != nil && v.evl() != nil && v.evl().flow == nil {
		v.evl().flow = err
	}
}

// reportUnhandled records the rejections no handler took as exceptions.
func (v *vu) reportUnhandled() {
	l := v.evl()
	for _, p := range l.unhandled {
		if p == l.task {
			continue // the task's own rejection is its error (await)
		}
		if err := v.classify(&rejectedError{p.Result()}); err != nil && l.flow == nil {
			l.flow = err
		}
	}
	l.unhandled = l.unhandled[:0]
}

// clearTimers stops every timer: the task is over (flow control) or the user is stopping.
func (v *vu) clearTimers() {
	l := v.evl()
	for id, t := range l.timers {
		t.t.Stop()
		delete(l.timers, id)
		l.pending--
	}
}

// timerNative builds setTimeout/setInterval/clearTimeout/clearInterval.
func (v *vu) timerNative(name string) goja.Value {
	rt := v.rt
	switch name {
	case "clearTimeout", "clearInterval":
		return rt.ToValue(func(call goja.FunctionCall) goja.Value {
			if v.evl() == nil {
				return goja.Undefined()
			}
			id := call.Argument(0).ToInteger()
			if t, ok := v.evl().timers[id]; ok {
				t.t.Stop()
				delete(v.evl().timers, id)
				v.evl().pending--
			}
			return goja.Undefined()
		})
	}
	repeat := name == "setInterval"
	return rt.ToValue(func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(rt.NewTypeError(fmt.Sprintf("%s(callback, ms): the callback must be a function, not %s", name, call.Argument(0).String())))
		}
		ms := call.Argument(1).ToFloat()
		if !(ms > 0) { // NaN and negatives are 0, as in browsers
			ms = 0
		}
		d := time.Duration(ms * float64(time.Millisecond))
		if repeat && d < time.Millisecond {
			d = time.Millisecond // an interval of 0 would spin
		}
		l := v.loopOf()
		l.nextID++
		id := l.nextID
		t := &timer{fn: fn}
		if len(call.Arguments) > 2 {
			t.args = append([]goja.Value(nil), call.Arguments[2:]...)
		}
		if repeat {
			t.interval = d
		}
		if l.timers == nil {
			l.timers = map[int64]*timer{}
		}
		l.timers[id] = t
		l.pending++
		t.t = time.AfterFunc(d, func() { l.post(func() { v.fire(id) }) })
		return rt.ToValue(id)
	})
}

// fire runs timer id's callback, if it is still set, and re-arms an interval.
func (v *vu) fire(id int64) {
	l := v.evl()
	t, ok := l.timers[id]
	if !ok {
		return // cleared after it had fired
	}
	if t.interval == 0 {
		delete(l.timers, id)
		l.pending--
	}
	v.callback(t.fn, goja.Undefined(), t.args...)
	if t.interval > 0 {
		if _, still := l.timers[id]; still {
			t.t.Reset(t.interval)
		}
	}
}

// promiseType is what a Promise exports as; comparing types allocates nothing, where
// exporting any other object would build a map.
var promiseType = reflect.TypeOf((*goja.Promise)(nil))

// await finishes a call into a script function. When the user has an event loop, the loop
// runs until everything the call started is done; a promise the function returned that ends
// rejected is an error like a throw (an async task's exception, with its stack).
func (v *vu) await(res goja.Value, err error) (goja.Value, error) {
	if err != nil {
		return res, err
	}
	var p *goja.Promise
	if o, ok := res.(*goja.Object); ok && o.ExportType() == promiseType {
		p, _ = o.Export().(*goja.Promise)
	}
	if l := v.evl(); l != nil {
		outer := l.task
		if p != nil {
			l.task = p
		}
		lerr := v.runLoop(v.ctx)
		l.task = outer
		if lerr != nil {
			return res, lerr
		}
	}
	if p != nil && p.State() == goja.PromiseStateRejected {
		return res, &rejectedError{p.Result()}
	}
	return res, nil
}

// closeLoop releases what the loop holds when the user stops: timers, lanes, sockets.
func (v *vu) closeLoop() {
	l := v.evl()
	if l == nil {
		return
	}
	v.clearTimers()
	v.closeLanes()
	l.abort()
}
