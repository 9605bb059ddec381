package js

import (
	"slices"

	"github.com/dop251/goja"
)

// gustExports are the names importable from "gust".
var gustExports = []string{
	"User", "HttpUser", "FastHttpUser", "TaskSet", "SequentialTaskSet", "task", "tag",
	"StopUser", "StopTest", "RescheduleTask", "InterruptTaskSet",
	"between", "constant", "constantPacing", "constantThroughput",
	"sleep", "open", "env", "__ENV", "SharedArray", "csv", "client", "setupData",
	"record", "events", "WebSocket", "check", "Counter", "Trend", "Rate", "Gauge",
}

// globalNames are the globals a script sees besides JavaScript's own.
var globalNames = append([]string{"client", "sleep", "open", "env", "__ENV", "console", "setupData"}, webGlobals...)

// native builds, on first use, the values of the "gust" module and the globals; the module's
// JavaScript parts call it as native(name) to reach each other. Building lazily keeps an idle
// runtime small.
func (v *vu) native(name string) goja.Value {
	if name == "setupData" {
		return v.environment().ToObject(v.rt).Get("setupData")
	}
	if name == "environment" {
		return v.environment()
	}
	if val := v.cached(name); val != nil {
		return val
	}
	var val goja.Value
	switch name {
	case "User", "FastHttpUser":
		// Locust's FastHttpUser is its faster client; gust has one client, so it is HttpUser.
		val = v.native("HttpUser")
	case "HttpUser", "TaskSet", "SequentialTaskSet", "GustFlow", "StopUser", "StopTest",
		"RescheduleTask", "InterruptTaskSet", "task", "SharedArray",
		"tag", "__decor", "__decorate", "__decorated":
		val = v.buildGust(name)
	case "between", "constant", "constantPacing", "constantThroughput":
		val = v.waitFactory(name)
	case "sleep":
		val = v.rt.ToValue(v.sleep)
	case "open":
		val = v.rt.ToValue(v.open)
	case "env", "__ENV":
		if e := v.cached("env"); e != nil {
			val = e
		} else {
			val = v.rt.NewDynamicObject(readOnlyEnv{v.rt, v.s.env})
		}
	case "client":
		if v.clientObj == nil {
			v.clientObj = v.newClientObject()
		}
		val = v.clientObj
	case "console":
		val = v.newConsole()
	case "__sharedArray":
		val = v.rt.ToValue(v.sharedArrayNative)
	case "csv":
		val = v.rt.ToValue(v.csvNative)
	case "record":
		val = v.rt.ToValue(v.recordNative)
	case "check":
		val = v.rt.ToValue(v.checkNative)
	case "Counter", "Trend", "Rate", "Gauge":
		val = v.metricClass(name)
	case "__metricRegister":
		val = v.rt.ToValue(v.metricRegister)
	case "__metricAdd":
		val = v.rt.ToValue(v.metricAdd)
	case "events":
		val = v.eventsObject()
	default:
		if val = v.webNative(name); val == nil {
			return goja.Undefined()
		}
	}
	v.natives = append(v.natives, namedValue{name, val})
	return val
}

// namedValue is one built native. A runtime builds a handful, so a slice searched in order
// costs less than a map (10,000 runtimes hold one each).
type namedValue struct {
	name string
	val  goja.Value
}

func (v *vu) cached(name string) goja.Value {
	for _, n := range v.natives {
		if n.name == name {
			return n.val
		}
	}
	return nil
}

// gustModule is the object require("gust") returns: each export is built on first access.
type gustModule struct{ v *vu }

func (m *gustModule) Get(key string) goja.Value {
	if _, ok := gustModules[key]; ok {
		// An ES-module import of "gust/crypto" reads __gust["gust/crypto"] (build_esm.go).
		return m.v.native(key)
	}
	if !slices.Contains(gustExports, key) {
		return nil
	}
	return m.v.native(key)
}
func (m *gustModule) Set(string, goja.Value) bool { return false }
func (m *gustModule) Has(key string) bool         { return slices.Contains(gustExports, key) }
func (m *gustModule) Delete(string) bool          { return false }
func (m *gustModule) Keys() []string              { return gustExports }

// globalScope sits between the global object and Object.prototype, so that a script's free
// names (client, sleep, open, env, __ENV, console, setupData) resolve to natives built on first
// use. Assigning such a name in a script creates an ordinary global that shadows it.
type globalScope struct{ v *vu }

func (g globalScope) Get(key string) goja.Value {
	if !slices.Contains(globalNames, key) {
		return nil
	}
	return g.v.native(key)
}
func (g globalScope) Set(string, goja.Value) bool { return false }
func (g globalScope) Has(key string) bool         { return slices.Contains(globalNames, key) }
func (g globalScope) Delete(string) bool          { return false }
func (g globalScope) Keys() []string              { return nil }

// parseJSON is the runtime's JSON.parse, looked up on first use.
func (v *vu) parseJSON(s string) (goja.Value, error) {
	if v.jsonParse == nil {
		parse, _ := goja.AssertFunction(v.rt.GlobalObject().Get("JSON").ToObject(v.rt).Get("parse"))
		v.jsonParse = parse
	}
	return v.jsonParse(goja.Undefined(), v.rt.ToValue(s))
}

// marked reports whether a class's prototype carries one of gust's markers (gustMarkers).
func marked(val goja.Value, marker string) bool {
	o, ok := val.(*goja.Object)
	if !ok {
		return false
	}
	p, ok := o.Get("prototype").(*goja.Object)
	if !ok {
		return false
	}
	m := p.Get(marker)
	return m != nil && m.ToBoolean()
}

// mark puts a marker on a gust class's prototype, where Go looks for it (a marker
// is a hidden data property: not enumerable, not writable). User and TaskSet prototypes also
// get userProps under them, which serves `client` and `environment` to every instance.
func (v *vu) mark(cls goja.Value, key string, value goja.Value) goja.Value {
	proto := cls.ToObject(v.rt).Get("prototype").ToObject(v.rt)
	must(proto.DefineDataProperty(key, value, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE))
	if key == "__gustUser" || key == "__gustTaskSet" {
		props := v.rt.NewDynamicObject(userProps{v})
		must(props.SetPrototype(proto.Prototype()))
		must(proto.SetPrototype(props))
	}
	return cls
}

// userProps answers `this.client`, `this.environment` and `this.id` for users and TaskSets,
// in place of getter functions on each class and an own property on each instance (each costs
// hundreds of bytes per runtime).
type userProps struct{ v *vu }

func (p userProps) Get(key string) goja.Value {
	switch key {
	case "client":
		return p.v.native("client")
	case "environment":
		return p.v.environment()
	case "id":
		if p.v.t != nil {
			return p.v.rt.ToValue(p.v.id)
		}
	}
	return nil
}
func (p userProps) Set(string, goja.Value) bool { return false }
func (p userProps) Has(key string) bool {
	return key == "client" || key == "environment" || key == "id" && p.v.t != nil
}
func (p userProps) Delete(string) bool { return false }
func (p userProps) Keys() []string     { return nil }

// nativeFn is native() as a JS function, for the module's JavaScript parts; built once per
// runtime.
func (v *vu) nativeFn() goja.Value {
	if v.nativeVal == nil {
		v.nativeVal = v.rt.ToValue(func(call goja.FunctionCall) goja.Value {
			return v.native(call.Argument(0).String())
		}).ToObject(v.rt)
	}
	return v.nativeVal
}
