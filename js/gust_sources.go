package js

import (
	"fmt"

	"github.com/dop251/goja"
)

// The "gust" module's JavaScript parts: each class or helper is a tiny program compiled once
// per process and run in a runtime only when its script first reaches for it, so that a
// runtime holds just what its script uses (at 10,000 users every function object costs 8 MB).
// A program that needs another part of the module gets native(name), which builds it on
// demand; a class that extends another gets its base directly.
var gustSources = map[string]string{
	// One kind of simulated user, with its HTTP client (Locust's HttpUser). Every gust user has
	// a client, so User is the same class: one class less in each of 10,000 runtimes.
	"HttpUser": `(class HttpUser {})`,
	// A group of tasks with its own tasks, waitTime and onStart/onStop (Locust's TaskSet).
	"TaskSet": `(function (native) {
  return class TaskSet {
    constructor(parent) {
      this.parent = parent;
      this.user = parent.__gustUser ? parent : parent.user;
    }
    // Returns to the parent; with reschedule (the default) the parent waits first.
    interrupt(reschedule = true) { throw new (native("InterruptTaskSet"))(reschedule); }
  };
})`,
	// A TaskSet whose tasks run in the order they are listed (Locust's SequentialTaskSet).
	"SequentialTaskSet": `(function (Base) { return class SequentialTaskSet extends Base {}; })`,
	// The base of the flow-control errors: an Error whose name is its class's.
	"GustFlow": `(class GustFlow extends Error {
  constructor(message) {
    super(message === undefined ? "" : String(message));
    this.name = new.target.name;
  }
})`,
	"StopUser":       flowSource("StopUser"),       // stops this user (Locust's StopUser)
	"StopTest":       flowSource("StopTest"),       // stops the whole test gracefully
	"RescheduleTask": flowSource("RescheduleTask"), // ends the task early; the user waits and goes on
	// Thrown by TaskSet.interrupt() to hand control back to the parent.
	"InterruptTaskSet": `(function (Base) {
  return class InterruptTaskSet extends Base {
    constructor(reschedule) {
      super("interrupt");
      this.reschedule = reschedule !== false;
    }
  };
})`,
	// task([weight,] fnOrNameOrTaskSet [, {tags}]): an entry of a tasks list. As a decorator on
	// a method, @task or @task(weight) (Locust's): it records the weight on the method, where
	// decoratedTasks finds it when the class has no static tasks.
	"task": `(function (native) {
  const decorate = native("__decorate");
  return function task(weight, fn, opts) {
    if (decorate(arguments, "task", (d) => { d.weight = 1; })) return undefined;
    if (arguments.length === 0 || (arguments.length === 1 && typeof weight === "number")) {
      const w = arguments.length === 0 ? 1 : weight;
      return function () {
        if (!decorate(arguments, "task", (d) => { d.weight = w; })) {
          throw new TypeError("@task(" + w + ") decorates a method of a User or TaskSet class");
        }
      };
    }
    if (typeof weight !== "number") {
      opts = fn;
      fn = weight;
      weight = 1;
    }
    return { __gustTask: true, weight, fn, tags: (opts && opts.tags) || [] };
  };
})`,
	// @tag("a", ...) on a method (Locust's @tag): -T/-E select the tasks by these.
	"tag": `(function (native) {
  const decorate = native("__decorate");
  return function tag(...names) {
    if (decorate(arguments, "tag", () => {})) {
      throw new TypeError("@tag needs the tag names: @tag(\"name\")");
    }
    for (let i = 0; i < names.length; i++) {
      if (typeof names[i] !== "string" || names[i] === "") {
        throw new TypeError("tag(): the tag names must be non-empty strings, not " + String(names[i]));
      }
    }
    const add = (d) => { for (let i = 0; i < names.length; i++) d.tags.push(names[i]); };
    return function () {
      if (!decorate(arguments, "tag", add)) {
        throw new TypeError("@tag(...) decorates a method of a User or TaskSet class");
      }
    };
  };
})`,
	// __decor(fn): the record of the decorators on a method, made on first use; a hidden own
	// property, so that an override never shares its base's.
	"__decor": `(function __decor(fn) {
  if (!Object.prototype.hasOwnProperty.call(fn, "__gustDecor")) {
    Object.defineProperty(fn, "__gustDecor", { value: { weight: undefined, tags: [] }, configurable: true });
  }
  return fn.__gustDecor;
})`,
	// __decorate(args, what, update): when args are a decorator's arguments, updates the record
	// of the decorated method and reports true. Both of esbuild's forms:
	// standard decorators (JS, and TS without experimentalDecorators) get (value, context);
	// TypeScript's experimentalDecorators get (prototype, key, descriptor).
	"__decorate": `(function (native) {
  return function __decorate(args, what, update) {
    const a = args[0], b = args[1], c = args[2];
    if (args.length === 2 && b !== null && typeof b === "object" && typeof b.kind === "string" && typeof b.addInitializer === "function") {
      if (b.kind !== "method") {
        throw new TypeError("@" + what + " decorates a method, not a " + b.kind + (b.name ? " (" + String(b.name) + ")" : ""));
      }
      update(native("__decor")(a));
      return true;
    }
    if (args.length === 3 && a !== null && (typeof a === "object" || typeof a === "function") &&
        (typeof b === "string" || typeof b === "symbol") && c !== null && typeof c === "object") {
      if (typeof c.value !== "function") {
        throw new TypeError("@" + what + " decorates a method, not " + String(b));
      }
      update(native("__decor")(c.value));
      return true;
    }
    return false;
  };
})`,
	// __decorated(ctor): the methods that @task marked on ctor and its bases, as a tasks list
	// (base classes' first, as Locust orders them; an override hides its base's method), or
	// undefined. Index loops only: for-of would build iterator prototypes in every runtime.
	"__decorated": `(function __decorated(ctor) {
  const seen = Object.create(null);
  let out = [];
  for (let p = ctor.prototype; p !== null && typeof p === "object" && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const names = Object.getOwnPropertyNames(p), level = [];
    for (let i = 0; i < names.length; i++) {
      const k = names[i];
      if (k === "constructor" || seen[k]) continue;
      seen[k] = true;
      const d = Object.getOwnPropertyDescriptor(p, k);
      const m = d && typeof d.value === "function" && Object.prototype.hasOwnProperty.call(d.value, "__gustDecor") ? d.value.__gustDecor : undefined;
      if (m && m.weight !== undefined) level.push({ __gustTask: true, weight: m.weight, fn: k, tags: m.tags.slice() });
    }
    out = level.concat(out);
  }
  return out.length ? out : undefined;
})`,
	// SharedArray(name, loader): data loaded once per process and shared read-only by every
	// user; a function so that it works with and without new.
	"SharedArray": `(function (native) {
  return function SharedArray(name, loader) { return native("__sharedArray")(name, loader); };
})`,
}

func flowSource(name string) string {
	return fmt.Sprintf(`(function (Base) { return class %s extends Base {}; })`, name)
}

// gustMarkers are the prototype markers by which Go recognizes gust's classes, never by
// identity, so that nothing has to be built just to be compared against.
var gustMarkers = map[string][2]any{
	"HttpUser":          {"__gustUser", true},
	"TaskSet":           {"__gustTaskSet", true},
	"SequentialTaskSet": {"__gustSequential", true},
	"StopUser":          {"__gustFlow", "StopUser"},
	"StopTest":          {"__gustFlow", "StopTest"},
	"RescheduleTask":    {"__gustFlow", "RescheduleTask"},
	"InterruptTaskSet":  {"__gustFlow", "InterruptTaskSet"},
}

// gustPrograms holds gustSources compiled; it is filled at init and only read afterwards.
var gustPrograms = func() map[string]*goja.Program {
	out := make(map[string]*goja.Program, len(gustSources))
	for name, src := range gustSources {
		out[name] = goja.MustCompile("gust:"+name, src, true)
	}
	return out
}()

// buildGust runs the program of one part of the module in v's runtime; the caller caches it.
func (v *vu) buildGust(name string) goja.Value {
	prog, ok := gustPrograms[name]
	if !ok {
		return nil
	}
	val, err := v.rt.RunProgram(prog)
	if err != nil {
		panic(err)
	}
	if base, ok := gustBases[name]; ok {
		// The program is a function that takes the part's base class, or native().
		arg := v.nativeFn()
		if base != "" {
			arg = v.native(base)
		}
		fn, _ := goja.AssertFunction(val)
		if val, err = fn(goja.Undefined(), arg); err != nil {
			panic(err)
		}
	}
	if m, ok := gustMarkers[name]; ok {
		v.mark(val, m[0].(string), v.rt.ToValue(m[1]))
	}
	return val
}

// gustBases lists the parts whose program is a function: it takes the named base class, or
// native() where the name is "". The other programs are the part itself.
var gustBases = map[string]string{
	"TaskSet":           "",
	"SequentialTaskSet": "TaskSet",
	"StopUser":          "GustFlow",
	"StopTest":          "GustFlow",
	"RescheduleTask":    "GustFlow",
	"InterruptTaskSet":  "GustFlow",
	"SharedArray":       "",
	"task":              "",
	"tag":               "",
	"__decorate":        "",
}
