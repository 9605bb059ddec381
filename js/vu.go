package js

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// vu is one JavaScript runtime with the script loaded in it: a virtual user, or the probe
// that inspects the script at load time.
type vu struct {
	s  *Script
	t  *Test // nil in the probe
	rt *goja.Runtime
	id int

	exports   *goja.Object
	natives   []namedValue // built by native(), on first use
	nativeVal *goja.Object // native() as a JS function (gust.go)

	waits  []objectWait            // the wait functions built by between() and the like
	tables map[*goja.Object]*table // while resolving task tables; nil in a running user

	// Only in a virtual user:
	ctx       context.Context
	client    *client.Client
	clientObj *goja.Object
	req       client.Request
	urls      urlCache      // the last URLs joined to host (http.go)
	arg       [1]goja.Value // a task's argument: a variadic list would be allocated per task
	rec       *metrics.Recorder
	host      string
	pending   []*response // catchResponse responses not settled yet
	trace     io.Writer   // --single-user: every request printed
	envObj    goja.Value  // this.environment, built on first use

	// The client's settings from the class's statics, and requests' own (clientopts.go).
	auth      string // Authorization from static auth
	cc        *classClient
	variants  map[string]*client.Client // clients for requests with their own tls or proxy
	reqClient *client.Client            // set by applyOptions when the request needs a variant
	tagMask   uint32                    // set by applyOptions: the tag selectors the request matches (reqtags.go)

	jsonParse goja.Callable // the runtime's JSON.parse, for shared data materialized on access
	// loop holds timers, async requests, sockets, event listeners and custom metrics; nil
	// until the script uses one (loop.go). Atomic because Interrupt, on another goroutine,
	// aborts what it holds.
	loop atomic.Pointer[eventLoop]
}

// newVU builds a runtime, installs the "gust" module and runs the script's module body in it.
func newVU(s *Script, t *Test, id int) (*vu, error) {
	rt := goja.New()
	v := &vu{s: s, t: t, rt: rt, id: id, ctx: context.Background()}
	gust := rt.NewDynamicObject(&gustModule{v: v})

	// Free names resolve through the global object's prototype chain: a lazy scope there,
	// then Object.prototype as before.
	scope := rt.NewDynamicObject(globalScope{v})
	must(scope.SetPrototype(rt.GlobalObject().Prototype()))
	must(rt.GlobalObject().SetPrototype(scope))

	mv, err := rt.RunProgram(s.program)
	if err != nil {
		return nil, s.jsError(err)
	}
	mf, _ := goja.AssertFunction(mv)
	if s.esm {
		// The ES-module form takes the module and returns its exports: no module, exports or
		// require objects in the runtime.
		var ex goja.Value
		err := s.outside(v, "the module's top level", v.topLimit(), func() (err error) {
			ex, err = mf(goja.Undefined(), gust)
			return err
		})
		if err != nil {
			return nil, s.jsError(err)
		}
		if goja.IsUndefined(ex) {
			ex = rt.NewObject()
		}
		v.exports = ex.ToObject(rt)
		return v, nil
	}
	module := rt.NewObject()
	exports := rt.NewObject()
	must(module.Set("exports", exports))
	require := func(call goja.FunctionCall) goja.Value {
		name := call.Argument(0).String()
		if name == "gust" {
			return gust
		}
		return v.requireModule(name)
	}
	err = s.outside(v, "the module's top level", v.topLimit(), func() error {
		_, err := mf(goja.Undefined(), exports, rt.ToValue(require), module)
		return err
	})
	if err != nil {
		return nil, s.jsError(err)
	}
	v.exports = module.Get("exports").ToObject(rt)
	if s.multi {
		if v.exports, err = v.mergeFiles(v.exports); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// topLimit bounds the module's top level: at load by LoadOptions.Limit, in a running test by
// its OutsideLimit.
func (v *vu) topLimit() time.Duration {
	if v.t == nil {
		return v.s.loadLimit
	}
	return v.t.cfg.OutsideLimit
}

// testLevel names the exports gust itself calls; two files may not both define one.
var testLevel = []string{"options", "setup", "teardown", "shape", "onTestStart", "onTestStop", "handleSummary"}

// mergeFiles flattens the per-file namespaces of a composed test into one exports object.
// Two files exporting the same User class or test-level function is an error naming both;
// other clashing names (helpers gust never calls) keep the first file's.
func (v *vu) mergeFiles(entry *goja.Object) (*goja.Object, error) {
	rt := v.rt
	merged := rt.NewObject()
	from := map[string]string{}
	list := entry.Get("__gustFiles").ToObject(rt)
	n := int(list.Get("length").ToInteger())
	for i := 0; i < n; i++ {
		pair := list.Get(fmt.Sprint(i)).ToObject(rt)
		file, ns := pair.Get("0").String(), pair.Get("1").ToObject(rt)
		for _, k := range ns.Keys() {
			val := ns.Get(k)
			if prev, ok := from[k]; ok {
				if v.isUserClass(val) || slices.Contains(testLevel, k) {
					return nil, fmt.Errorf("%s is exported by both %s and %s: rename one", k, prev, file)
				}
				continue
			}
			from[k] = file
			must(merged.Set(k, val))
		}
	}
	return merged, nil
}

// isUserClass reports whether val is a class extending User.
func (v *vu) isUserClass(val goja.Value) bool {
	o, ok := val.(*goja.Object)
	if !ok {
		return false
	}
	return marked(o, "__gustUser")
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// objectWait pairs a wait function a script holds with the Go wait it stands for.
type objectWait struct {
	fn *goja.Object
	w  engine.Wait
}

// waitArgs is how many numbers each wait-time factory takes.
var waitArgs = map[string]int{"between": 2, "constant": 1, "constantPacing": 1, "constantThroughput": 1}

// waitFactory builds between/constant/constantPacing/constantThroughput. Each returns a JS
// function (callable from scripts) that the VU also knows as a Go engine.Wait, so that the
// loop never calls into JS to compute a wait.
func (v *vu) waitFactory(name string) goja.Value {
	rt := v.rt
	args := waitArgs[name]
	return rt.ToValue(func(call goja.FunctionCall) goja.Value {
		a := make([]float64, args)
		for i := range a {
			x := call.Argument(i)
			if goja.IsUndefined(x) || !isNumber(x) {
				panic(rt.NewTypeError(fmt.Sprintf("%s() takes %d number(s) of seconds, got %s", name, args, x.String())))
			}
			a[i] = x.ToFloat()
			if a[i] < 0 {
				panic(rt.NewTypeError(fmt.Sprintf("%s(): %v is negative", name, a[i])))
			}
		}
		w, err := buildWait(name, a)
		if err != nil {
			panic(rt.NewTypeError(err.Error()))
		}
		f := rt.ToValue(func(goja.FunctionCall) goja.Value {
			return rt.ToValue(w.Next(0).Seconds())
		}).ToObject(rt)
		v.waits = append(v.waits, objectWait{f, w})
		return f
	})
}

func buildWait(name string, a []float64) (engine.Wait, error) {
	switch name {
	case "between":
		if a[1] < a[0] {
			return nil, fmt.Errorf("between(%v, %v): the minimum is above the maximum", a[0], a[1])
		}
		return engine.Between{Min: seconds(a[0]), Max: seconds(a[1])}, nil
	case "constant":
		return engine.Constant(seconds(a[0])), nil
	case "constantPacing":
		return engine.ConstantPacing(seconds(a[0])), nil
	default:
		if a[0] == 0 {
			return nil, errors.New("constantThroughput(0): the rate must be positive")
		}
		return engine.NewConstantThroughput(a[0]), nil
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// waitOf builds the wait function of a frame from its class's waitTime.
func (v *vu) waitOf(ctor, obj *goja.Object, parent func(time.Duration) time.Duration) func(time.Duration) time.Duration {
	wt := ctor.Get("waitTime")
	if wt == nil || goja.IsUndefined(wt) || goja.IsNull(wt) {
		if parent != nil {
			return parent
		}
		return func(time.Duration) time.Duration { return 0 }
	}
	if isNumber(wt) {
		d := seconds(wt.ToFloat())
		return func(time.Duration) time.Duration { return d }
	}
	o := wt.ToObject(v.rt)
	for _, ow := range v.waits {
		if ow.fn == o {
			return ow.w.Next
		}
	}
	fn, ok := goja.AssertFunction(wt)
	if !ok {
		return func(time.Duration) time.Duration { return 0 }
	}
	return func(time.Duration) time.Duration {
		r, err := fn(obj)
		if err != nil {
			v.exception(err)
			return 0
		}
		return seconds(r.ToFloat())
	}
}

// sleep pauses this user only; a hard stop cuts it short.
func (v *vu) sleep(call goja.FunctionCall) goja.Value {
	d := seconds(call.Argument(0).ToFloat())
	if d <= 0 {
		return goja.Undefined()
	}
	if v.rec != nil && d >= 50*time.Millisecond {
		v.rec.Flush()
	}
	t := time.NewTimer(d)
	select {
	case <-t.C:
	case <-v.ctx.Done():
		t.Stop()
	}
	return goja.Undefined()
}

func (v *vu) open(call goja.FunctionCall) goja.Value {
	name := call.Argument(0).String()
	c, err := v.s.readFile(name)
	if err != nil {
		panic(v.rt.NewGoError(err))
	}
	if call.Argument(1).String() == "b" {
		return v.rt.ToValue(v.rt.NewArrayBuffer([]byte(c)))
	}
	return v.rt.ToValue(c)
}

// environment is this.environment: the run's settings and setup()'s result, as plain JS
// values of this runtime's own (parsed from JSON), so that no VU can change what another sees.
func (v *vu) environment() goja.Value {
	if v.envObj == nil {
		if v.t == nil {
			v.envObj = v.rt.NewObject()
			return v.envObj
		}
		env, setup := v.t.environmentJSON()
		obj, err := v.parseJSON(string(env))
		if err != nil {
			panic(err)
		}
		if setup != nil {
			data, err := v.parseJSON(string(setup))
			if err != nil {
				panic(err)
			}
			must(obj.ToObject(v.rt).Set("setupData", data))
		}
		v.envObj = obj
	}
	return v.envObj
}

var consoleMu sync.Mutex

// consoleMethods are console's methods; each is built on first use (see lazyMethods).
var consoleMethods = []string{"log", "info", "warn", "error", "debug"}

func (v *vu) newConsole() *goja.Object {
	logf := func(level string) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			if !v.s.Logs(consoleLevel[level]) {
				return goja.Undefined()
			}
			parts := make([]string, len(call.Arguments))
			for i, a := range call.Arguments {
				parts[i] = v.show(a)
			}
			consoleMu.Lock()
			fmt.Fprintf(os.Stderr, "[%s] user %d: %s\n", level, v.id, terminalSafe(strings.Join(parts, " ")))
			consoleMu.Unlock()
			return goja.Undefined()
		}
	}
	return v.rt.NewDynamicObject(&lazyMethods{rt: v.rt, names: consoleMethods, build: logf})
}

// show formats a value for console output: objects as JSON, the rest as strings.
func (v *vu) show(a goja.Value) string {
	if o, ok := a.(*goja.Object); ok && o.ClassName() != "Function" && o.ClassName() != "Error" {
		if b, err := o.MarshalJSON(); err == nil {
			return string(b)
		}
	}
	return a.String()
}

// readOnlyEnv exposes the shared env map to one runtime without copying it; writes are
// ignored so that no VU can change what another sees.
type readOnlyEnv struct {
	rt *goja.Runtime
	m  map[string]string
}

func (e readOnlyEnv) Get(k string) goja.Value {
	if s, ok := e.m[k]; ok {
		return e.rt.ToValue(s)
	}
	return nil
}
func (e readOnlyEnv) Set(string, goja.Value) bool { return false }
func (e readOnlyEnv) Has(k string) bool           { _, ok := e.m[k]; return ok }
func (e readOnlyEnv) Delete(string) bool          { return false }
func (e readOnlyEnv) Keys() []string {
	out := make([]string, 0, len(e.m))
	for k := range e.m {
		out = append(out, k)
	}
	return out
}
