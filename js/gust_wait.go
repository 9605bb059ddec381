package js

import (
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/engine"
)

// The "gust" module's wait functions (between, constant, constantPacing, constantThroughput),
// a class's waitTime, and sleep().

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
