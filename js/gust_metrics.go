package js

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dop251/goja"
	"github.com/gustload/gust/metrics"
)

// Custom metrics (k6's Counter, Trend, Rate, Gauge) and check(), bound to the metrics
// package: a metric is registered on the run's Stats once (the first runtime that creates it)
// and every user records into its own Recorder, lock-free, as it records requests.

// metricKinds are the classes by name.
var metricKinds = map[string]metrics.MetricKind{"Counter": metrics.Counter, "Trend": metrics.Trend, "Rate": metrics.Rate, "Gauge": metrics.Gauge}

// metricDecl is a custom metric a script creates, as the probe saw it.
type metricDecl struct {
	name   string
	kind   metrics.MetricKind
	isTime bool
}

// metricSource defines the four classes over two natives; one program, built when a script
// first uses any of them.
const metricSource = `(function (native) {
  const register = native("__metricRegister"), add = native("__metricAdd");
  const make = (kind) => class {
    #id; #name;
    constructor(name, isTime) {
      this.#name = String(name);
      this.#id = register(kind, this.#name, !!isTime);
    }
    get name() { return this.#name; }
    add(value, tags) { add(this.#id, value, tags); }
  };
  const out = {};
  for (const kind of ["Counter", "Trend", "Rate", "Gauge"]) {
    out[kind] = make(kind);
    Object.defineProperty(out[kind], "name", { value: kind });
  }
  return out;
})`

var metricProgram = goja.MustCompile("gust:metrics", metricSource, true)

// metricClass returns Counter, Trend, Rate or Gauge.
func (v *vu) metricClass(kind string) goja.Value {
	all := v.cached("__metricClasses")
	if all == nil {
		val, err := v.rt.RunProgram(metricProgram)
		if err != nil {
			panic(err)
		}
		fn, _ := goja.AssertFunction(val)
		if all, err = fn(goja.Undefined(), v.nativeFn()); err != nil {
			panic(err)
		}
		v.natives = append(v.natives, namedValue{"__metricClasses", all})
	}
	return all.ToObject(v.rt).Get(kind)
}

// checkMetricName refuses what cannot be a custom metric's name.
func checkMetricName(name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("a metric needs a name")
	}
	if strings.ContainsAny(name, "{}") {
		return fmt.Errorf("metric name %q: { and } are kept for a threshold's tag selector (name{tag:value})", name)
	}
	if slices.Contains(metrics.BuiltinMetrics, name) || slices.Contains(wsMetricNames[:], name) {
		return fmt.Errorf("metric name %q is built in: choose another", name)
	}
	return nil
}

// metricRegister is __metricRegister(kind, name, isTime): the metric's index in this runtime.
// In the probe it is noted (Script.metrics) and checked against the others; in a user it is
// registered on the run's Stats.
func (v *vu) metricRegister(call goja.FunctionCall) goja.Value {
	rt := v.rt
	kindName, name, isTime := call.Argument(0).String(), call.Argument(1).String(), call.Argument(2).ToBoolean()
	kind := metricKinds[kindName]
	if kind != metrics.Trend {
		isTime = false
	}
	if err := checkMetricName(name); err != nil {
		panic(rt.NewTypeError(fmt.Sprintf("new %s(%q): %v", kindName, name, err)))
	}
	if v.t == nil {
		// The probe: two classes under one name is an error at load.
		for _, d := range v.s.metrics {
			if d.name == name && (d.kind != kind || d.isTime != isTime) {
				panic(rt.NewTypeError(fmt.Sprintf("new %s(%q): the script already has a %s of that name", kindName, name, d.kind)))
			}
		}
		v.s.metrics = append(v.s.metrics, metricDecl{name, kind, isTime})
		x := v.extras()
		x.metrics = append(x.metrics, nil)
		return rt.ToValue(len(x.metrics) - 1)
	}
	m, err := v.t.cfg.Stats.Metric(name, kind, isTime)
	if err != nil {
		panic(rt.NewTypeError(fmt.Sprintf("new %s(%q): %v", kindName, name, err)))
	}
	x := v.extras()
	x.metrics = append(x.metrics, m)
	return rt.ToValue(len(x.metrics) - 1)
}

// metricAdd is __metricAdd(id, value, tags).
func (v *vu) metricAdd(call goja.FunctionCall) goja.Value {
	m := v.evl().ev.metrics[call.Argument(0).ToInteger()]
	if m == nil || v.rec == nil {
		return goja.Undefined() // the probe, or the module's top level: nothing is recorded
	}
	val := call.Argument(1)
	var x float64
	switch e := val.Export().(type) {
	case bool:
		if e {
			x = 1
		}
	case int64:
		x = float64(e)
	case float64:
		x = e
	default:
		if m.Kind() != metrics.Rate {
			panic(v.rt.NewTypeError(fmt.Sprintf("%s.add(value): want a number, not %s", m.Name(), val.String())))
		}
		if val.ToBoolean() {
			x = 1
		}
	}
	if tags, ok := call.Argument(2).(*goja.Object); ok {
		t := metrics.Tags{}
		for _, k := range tags.Keys() {
			t[k] = tags.Get(k).String()
		}
		v.rec.AddTagged(m, x, t)
		return goja.Undefined()
	}
	v.rec.Add(m, x)
	return goja.Undefined()
}

// checkNative is check(value, { name: fn }, tags?): each predicate runs on value (a value
// that is not a function is itself the outcome); every outcome is counted under its name.
// It returns whether all passed. An exception in a predicate propagates, as in k6.
func (v *vu) checkNative(call goja.FunctionCall) goja.Value {
	rt := v.rt
	value := call.Argument(0)
	set, ok := call.Argument(1).(*goja.Object)
	if !ok {
		panic(rt.NewTypeError("check(value, checks): checks must be an object of { name: (value) => boolean }"))
	}
	all := true
	for _, name := range set.Keys() {
		c := set.Get(name)
		passed := c.ToBoolean()
		if fn, ok := goja.AssertFunction(c); ok {
			res, err := fn(goja.Undefined(), value)
			if err != nil {
				panic(err)
			}
			passed = res.ToBoolean()
		}
		if v.rec != nil {
			v.rec.Check(name, passed)
		}
		all = all && passed
	}
	return rt.ToValue(all)
}

// wsMetricNames are the built-in counters of WebSocket traffic.
var wsMetricNames = [4]string{"ws_msgs_sent", "ws_msgs_received", "ws_bytes_sent", "ws_bytes_received"}

// wsCount counts one WebSocket message sent or received, and its bytes.
func (v *vu) wsCount(sent bool, n int) {
	ms := v.t.wsMetrics()
	if ms[0] == nil || v.rec == nil {
		return
	}
	i := 1
	if sent {
		i = 0
	}
	v.rec.Add(ms[i], 1)
	v.rec.Add(ms[i+2], float64(n))
}

// registerMetrics registers on the run's Stats the metrics the probe saw, so that they are
// reported (at zero) even if no user adds to them, and sub-metrics for the thresholds that
// select tags (cart_value{region:eu}); a threshold that asks a metric for what it does not
// have (a Counter's p(95)) is an error naming it.
func (t *Test) registerMetrics(thresholds []metrics.Threshold) error {
	st := t.cfg.Stats
	if st == nil {
		return nil
	}
	byName := map[string]*metrics.Metric{}
	for _, d := range t.s.metrics {
		m, err := st.Metric(d.name, d.kind, d.isTime)
		if err != nil {
			return err
		}
		byName[d.name] = m
	}
	for _, th := range thresholds {
		if base, tags, ok, err := metrics.ParseSubMetric(th.Name); err != nil {
			return err
		} else if ok {
			m := byName[base]
			if _, isReq := reqMetrics[base]; isReq {
				if err := t.registerReqSub(base, tags, th.Expr); err != nil {
					return err
				}
				if err := st.CheckThreshold(th); err != nil {
					return err
				}
				continue
			}
			if m == nil && slices.Contains(metrics.BuiltinMetrics, base) {
				return fmt.Errorf("bad threshold %q: %s has no tags to select (tags select http_req_duration, http_req_failed and http_reqs)", th.Expr, base)
			}
			if m == nil {
				return fmt.Errorf("bad threshold %q: %s is not a custom metric of the script", th.Expr, base)
			}
			if _, err := st.SubMetric(m, tags); err != nil {
				return err
			}
		}
		if err := st.CheckThreshold(th); err != nil {
			return err
		}
	}
	return nil
}
