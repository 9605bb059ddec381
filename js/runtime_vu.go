package js

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
	"github.com/gustload/gust/metrics"
)

// vu is one JavaScript runtime with the script loaded in it: a virtual user, or the probe
// that inspects the script at load time. Its state is grouped by room (see doc.go), each group
// a type of its own embedded here, so that the hot path reads its fields directly with no
// indirection or extra allocation.
type vu struct {
	s  *Script
	t  *Test // nil in the probe
	rt *goja.Runtime
	id int

	moduleState // the "gust" module and the script's globals as built in this runtime
	taskState   // the wait functions and task tables the script's classes declare

	// Only in a virtual user:
	ctx context.Context
	arg [1]goja.Value // a task's argument: a variadic list would be allocated per task
	rec *metrics.Recorder

	clientBinding // this.client: the user's HTTP client and each request's scratch

	// loop holds timers, async requests, sockets, event listeners and custom metrics; nil
	// until the script uses one (runtime_loop.go). Atomic because Interrupt, on another
	// goroutine, aborts what it holds.
	loop atomic.Pointer[eventLoop]
}

// moduleState is what the "gust" module and the globals have built in one runtime
// (natives.go, gust_sources.go, gust_globals.go).
type moduleState struct {
	exports   *goja.Object
	natives   []namedValue  // built by native(), on first use
	nativeVal *goja.Object  // native() as a JS function (gust_sources.go)
	jsonParse goja.Callable // the runtime's JSON.parse, for shared data materialized on access
	envObj    goja.Value    // this.environment, built on first use
}

// taskState is what the classes' declarations leave in a runtime (gust_wait.go, gust_tasks.go).
type taskState struct {
	waits  []objectWait            // the wait functions built by between() and the like
	tables map[*goja.Object]*table // while resolving task tables; nil in a running user
}

// clientBinding is this.client's state in one virtual user (gust_client*.go): the user's own
// client, the request reused by every call, and the settings from the class's statics.
type clientBinding struct {
	client    *client.Client
	clientObj *goja.Object
	req       client.Request
	urls      urlCache // the last URLs joined to host (gust_client.go)
	host      string
	pending   []*response // catchResponse responses not settled yet
	trace     io.Writer   // --single-user: every request printed

	// The client's settings from the class's statics, and requests' own (gust_client_class.go).
	auth      string // Authorization from static auth
	cc        *classClient
	variants  map[string]*client.Client // clients for requests with their own tls or proxy
	reqClient *client.Client            // set by applyOptions when the request needs a variant
	tagMask   uint32                    // set by applyOptions: the tag selectors the request matches (gust_client_tags.go)
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
