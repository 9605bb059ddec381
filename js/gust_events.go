package js

import (
	"fmt"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/metrics"
)

// record() and events: Locust's events.request.fire for custom clients (gRPC, a database, a
// queue), events.request.on to see every request the user makes, and events.testStart /
// events.testStop. Listeners live in the runtime that added them: a listener added at a
// module's top level is added in every user, and is called there for that user's requests.

// userEvents are a runtime's event listeners; nil until a script adds one, so that a request
// costs one nil check when nobody listens.
type userEvents struct {
	request   []goja.Callable
	testStart []goja.Callable
	testStop  []goja.Callable
	metrics   []*metrics.Metric // the custom metrics this runtime created, by id (gust_metrics.go)
}

// extras returns the runtime's listeners and metrics, built on first use.
func (v *vu) extras() *userEvents { return &v.loopOf().ev }

// listeners returns the runtime's listeners and metrics, nil when it has none.
func (v *vu) listeners() *userEvents {
	if l := v.evl(); l != nil {
		return &l.ev
	}
	return nil
}

// eventsObject builds `events`: { request: { fire, on }, testStart: { on }, testStop: { on } }.
func (v *vu) eventsObject() goja.Value {
	rt := v.rt
	on := func(kind string) goja.Value {
		return rt.ToValue(func(call goja.FunctionCall) goja.Value {
			fn, ok := goja.AssertFunction(call.Argument(0))
			if !ok {
				panic(rt.NewTypeError(fmt.Sprintf("events.%s.on(listener): the listener must be a function", kind)))
			}
			x := v.extras()
			switch kind {
			case "request":
				x.request = append(x.request, fn)
			case "testStart":
				x.testStart = append(x.testStart, fn)
			case "testStop":
				x.testStop = append(x.testStop, fn)
			}
			if kind != "request" && v.t == nil {
				v.s.testEvents = true // seen by the probe: the hooks' runtime must run
			}
			return goja.Undefined()
		})
	}
	ev := rt.NewObject()
	req := rt.NewObject()
	must(req.Set("fire", v.native("record")))
	must(req.Set("on", on("request")))
	must(ev.Set("request", req))
	for _, k := range []string{"testStart", "testStop"} {
		o := rt.NewObject()
		must(o.Set("on", on(k)))
		must(ev.Set(k, o))
	}
	return ev
}

// recordNative is record({ type, name, ms, bytes, error }): a sample of a custom client in the
// request stats, failures and every report.
func (v *vu) recordNative(call goja.FunctionCall) goja.Value {
	rt := v.rt
	o, ok := call.Argument(0).(*goja.Object)
	if !ok {
		panic(rt.NewTypeError("record(sample): want { type, name, ms, bytes?, error? }"))
	}
	if v.rec == nil {
		panic(rt.NewTypeError("record() can only be called from tasks, onStart/onStop and setup/teardown, not while the script loads"))
	}
	str := func(k string) string {
		x := o.Get(k)
		if x == nil || goja.IsUndefined(x) || goja.IsNull(x) {
			panic(rt.NewTypeError(fmt.Sprintf("record(sample): %s is missing", k)))
		}
		return x.String()
	}
	typ, name := str("type"), str("name")
	ms := o.Get("ms")
	if ms == nil || !isNumber(ms) || ms.ToFloat() < 0 {
		panic(rt.NewTypeError(fmt.Sprintf("record(sample): ms must be a number of milliseconds >= 0, not %v", ms)))
	}
	var size int64
	if b := o.Get("bytes"); b != nil && !goja.IsUndefined(b) && !goja.IsNull(b) {
		size = b.ToInteger()
	}
	errMsg := ""
	if e := o.Get("error"); e != nil && !goja.IsUndefined(e) && !goja.IsNull(e) && e.String() != "" {
		errMsg = e.String()
		if eo, ok := e.(*goja.Object); ok {
			if m := eo.Get("message"); m != nil && !goja.IsUndefined(m) {
				errMsg = m.String()
			}
		}
	}
	elapsed := time.Duration(ms.ToFloat() * float64(time.Millisecond))
	v.rec.Record(typ, name, time.Now(), elapsed, size, errMsg)
	v.fireRequest(typ, name, elapsed, size, errMsg, "", 0)
	return goja.Undefined()
}

// fireRequest calls the request listeners with one sample's fields.
func (v *vu) fireRequest(typ, name string, elapsed time.Duration, size int64, errMsg, url string, status int) {
	x := v.listeners()
	if x == nil || len(x.request) == 0 {
		return
	}
	rt := v.rt
	ev := rt.NewObject()
	must(ev.Set("type", typ))
	must(ev.Set("name", name))
	must(ev.Set("ms", ms(elapsed)))
	must(ev.Set("bytes", size))
	if errMsg != "" {
		must(ev.Set("error", errMsg))
	} else {
		must(ev.Set("error", goja.Null()))
	}
	if url != "" {
		must(ev.Set("url", url))
		must(ev.Set("status", status))
	}
	for _, fn := range x.request {
		v.callback(fn, goja.Undefined(), ev)
	}
}

// runTestEvents calls the testStart or testStop listeners of the hooks' runtime.
func (v *vu) runTestEvents(start bool) error {
	x := v.listeners()
	if x == nil {
		return nil
	}
	list := x.testStop
	if start {
		list = x.testStart
	}
	for _, fn := range list {
		if _, err := v.call(fn, goja.Undefined()); err != nil {
			return v.hookError(err)
		}
	}
	return nil
}
