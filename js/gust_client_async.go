package js

import (
	"fmt"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
)

// Concurrent requests within one user: getAsync/.../requestAsync return a Promise of the
// usual response, and batch([...]) sends several at once and returns them in order. Each
// request in flight takes a lane: a sibling of the user's client (the user's cookies; over
// HTTP/1.1 connections of its own, over HTTP/2 one connection the lanes share, their requests
// multiplexed on it), kept idle for the user's next concurrent request. A user that never asks
// has no lanes.

// asyncMethods are the client's concurrent methods, built on first use like the others.
var asyncMethods = []string{"getAsync", "postAsync", "putAsync", "patchAsync", "deleteAsync", "headAsync", "optionsAsync", "requestAsync", "batch"}

// asyncMethod builds one of asyncMethods.
func (v *vu) asyncMethod(name string) func(goja.FunctionCall) goja.Value {
	if name == "batch" {
		return v.batch
	}
	if name == "requestAsync" {
		return func(call goja.FunctionCall) goja.Value {
			return v.requestAsync(strings.ToUpper(call.Argument(0).String()), call.Argument(1), call.Argument(2))
		}
	}
	method := strings.ToUpper(strings.TrimSuffix(name, "Async"))
	return func(call goja.FunctionCall) goja.Value {
		return v.requestAsync(method, call.Argument(0), call.Argument(1))
	}
}

// prepare builds a request of its own (not the user's reused one) from a script's arguments.
func (v *vu) prepare(method string, urlArg, optsArg goja.Value, what string) (req *client.Request, name string, catch bool) {
	rt := v.rt
	if v.client == nil {
		panic(rt.NewTypeError("requests can only be sent from tasks, onStart/onStop and setup/teardown, not while the script loads"))
	}
	if urlArg == nil || goja.IsUndefined(urlArg) {
		panic(rt.NewTypeError(fmt.Sprintf("client.%s: the url is missing", what)))
	}
	raw := urlArg.String()
	req = &client.Request{Method: method, URL: v.urls.join(v.host, raw), Redirects: -1}
	name, catch = v.readOptions(req, optsArg, raw)
	if v.reqClient != nil {
		// A variant client is one per user and per setting: it cannot serve requests at once.
		v.reqClient = nil
		panic(rt.NewTypeError(fmt.Sprintf("client.%s: a request's own tls or proxy option works on synchronous requests only; set it on the class (static tls, static proxy) for concurrent ones", what)))
	}
	return req, name, catch
}

// takeLane returns an idle lane of the user, or a new one.
func (l *eventLoop) takeLane(v *vu) *client.Client {
	if n := len(l.lanes); n > 0 {
		c := l.lanes[n-1]
		l.lanes = l.lanes[:n-1]
		return c
	}
	opts := v.t.cfg.Client
	if v.cc != nil {
		opts = v.cc.opts // the class's own settings (tls, http2, proxy, ...)
	}
	return v.client.Sibling(opts)
}

// finish settles a response from a lane as the sync path does: recorded now, or left to the
// script with catchResponse. It reports false when the request was cut by a hard stop.
func (v *vu) finish(res *response, catch bool) bool {
	if v.trace != nil {
		res.print(v.trace)
	}
	if res.r.Err == client.ErrAborted {
		v.rec.Interrupted()
		return false
	}
	if catch {
		res.pending = true
		v.pending = append(v.pending, res)
	} else {
		res.record(res.defaultError())
	}
	return true
}

// requestAsync sends a request on a lane and returns a Promise of its response, settled on the
// user's event loop.
func (v *vu) requestAsync(method string, urlArg, optsArg goja.Value) goja.Value {
	rt := v.rt
	req, name, catch := v.prepare(method, urlArg, optsArg, strings.ToLower(method)+"Async(url, opts)")
	res := &response{v: v, method: method, name: name, subs: v.tagMask}
	p, resolve, reject := rt.NewPromise()
	l := v.loopOf()
	c := l.takeLane(v)
	l.pending++
	l.onAbort(c, c.Abort)
	go func() {
		c.Do(req, &res.r)
		l.post(func() {
			l.pending--
			l.offAbort(c)
			var err error
			if v.finish(res, catch) {
				l.lanes = append(l.lanes, c)
				err = resolve(rt.NewDynamicObject(res))
			} else {
				err = reject(rt.NewGoError(errInterrupted))
			}
			if err != nil && l.flow == nil {
				l.flow = errInterrupted // only uncatchable errors come back here
			}
		})
	}()
	return rt.ToValue(p)
}

// batch sends every request at once, each on a lane, waits for all of them and returns their
// responses in the same order (k6's http.batch). Each request is a URL (GET), a [method, url,
// opts] array or a { method, url, options } object.
func (v *vu) batch(call goja.FunctionCall) goja.Value {
	rt := v.rt
	list, ok := call.Argument(0).(*goja.Object)
	if !ok || !isArray(list) {
		panic(rt.NewTypeError("client.batch(requests): requests must be an array"))
	}
	n := int(list.Get("length").ToInteger())
	type item struct {
		req   *client.Request
		res   *response
		catch bool
		c     *client.Client
	}
	items := make([]item, n)
	for i := range items {
		method, u, opts := "GET", goja.Value(nil), goja.Value(nil)
		el := list.Get(fmt.Sprint(i))
		switch o := el.(type) {
		case *goja.Object:
			if isArray(o) {
				method, u, opts = strings.ToUpper(o.Get("0").String()), o.Get("1"), o.Get("2")
			} else {
				if m := o.Get("method"); m != nil && !goja.IsUndefined(m) {
					method = strings.ToUpper(m.String())
				}
				u, opts = o.Get("url"), o.Get("options")
			}
		default:
			u = el
		}
		req, name, catch := v.prepare(method, u, opts, fmt.Sprintf("batch: request %d", i))
		items[i] = item{req: req, res: &response{v: v, method: method, name: name, subs: v.tagMask}, catch: catch}
	}
	l := v.loopOf()
	var wg sync.WaitGroup
	for i := range items {
		it := &items[i]
		it.c = l.takeLane(v)
		l.onAbort(it.c, it.c.Abort)
		wg.Add(1)
		go func() {
			defer wg.Done()
			it.c.Do(it.req, &it.res.r)
		}()
	}
	wg.Wait() // a hard stop aborts the lanes, which ends every Do at once
	out := make([]any, n)
	interrupted := false
	for i := range items {
		it := &items[i]
		l.offAbort(it.c)
		if !v.finish(it.res, it.catch) {
			interrupted = true
			continue
		}
		l.lanes = append(l.lanes, it.c)
		out[i] = rt.NewDynamicObject(it.res)
	}
	if interrupted {
		panic(rt.NewGoError(errInterrupted))
	}
	return rt.ToValue(out)
}

// closeLanes closes the idle lanes' connections when the user stops.
func (v *vu) closeLanes() {
	if v.evl() == nil {
		return
	}
	for _, c := range v.evl().lanes {
		c.Close()
	}
	v.evl().lanes = nil
}
