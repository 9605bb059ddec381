package js

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/dop251/goja"
)

// The script's plain globals and this.environment: open(), console, env and __ENV (readOnlyEnv).

// open is open(name[, "b"]): a file next to the script, as text or an ArrayBuffer.
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
