package js

import (
	"fmt"
	"slices"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/engine"
)

type entryKind int

const (
	kindFunc    entryKind = iota // a method or a function, called with the owner as this
	kindTaskSet                  // a TaskSet class, pushed as a new frame
)

// entry is one line of a `tasks` table, resolved against one runtime.
type entry struct {
	kind   entryKind
	label  string        // method name, function name or TaskSet class name
	fn     goja.Callable // kindFunc
	ctor   *goja.Object  // kindTaskSet
	nested *table        // kindTaskSet
	weight int
	tags   []string
}

// table is the resolved `tasks` of a User or TaskSet class.
type table struct {
	owner      string
	ctor       *goja.Object
	entries    []entry
	picker     engine.Picker
	sequential bool
	order      []int // SequentialTaskSet: entry indexes repeated by weight, in listed order
}

// tagFilter is -T/--tags and -E/--exclude-tags.
type tagFilter struct{ include, exclude []string }

func (f tagFilter) keeps(tags []string) bool {
	for _, t := range tags {
		if slices.Contains(f.exclude, t) {
			return false
		}
	}
	if len(f.include) == 0 {
		return true
	}
	for _, t := range tags {
		if slices.Contains(f.include, t) {
			return true
		}
	}
	return false
}

// resolveTable reads a class's static `tasks` and turns it into a table, validating every
// name and weight; nested TaskSets are resolved too (cached per constructor).
func (v *vu) resolveTable(ctor *goja.Object, owner string, filter tagFilter, depth int) (*table, error) {
	if t, ok := v.tables[ctor]; ok {
		return t, nil
	}
	if depth > 16 {
		return nil, fmt.Errorf("%s: TaskSets nested more than 16 deep (a TaskSet that contains itself?)", owner)
	}
	rt := v.rt
	t := &table{owner: owner, ctor: ctor}
	proto := ctor.Get("prototype").ToObject(rt)
	t.sequential = v.isSequential(ctor)
	raw, err := v.taskList(ctor, owner)
	if err != nil {
		return nil, err
	}
	obj := raw.ToObject(rt)
	add := func(where string, val goja.Value, weight int, tags []string) error {
		if weight < 0 {
			return fmt.Errorf("%s.tasks: %s has weight %d; weights must be positive", owner, where, weight)
		}
		e, err := v.resolveEntry(proto, owner, where, val, filter, depth)
		if err != nil {
			return err
		}
		if e == nil {
			return nil
		}
		e.weight, e.tags = weight, tags
		switch {
		case e.kind == kindTaskSet && e.nested == nil:
			return nil // every task of the nested TaskSet was filtered out by tags
		case e.kind == kindTaskSet && len(tags) == 0:
			// An untagged TaskSet stays when some of its own tasks passed the filter.
		case !filter.keeps(tags):
			return nil
		}
		t.entries = append(t.entries, *e)
		return nil
	}
	if isArray(raw) {
		n := int(obj.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			item := obj.Get(fmt.Sprint(i))
			where := fmt.Sprintf("entry %d", i)
			weight, tags := 1, []string(nil)
			if o, ok := item.(*goja.Object); ok && o.Get("__gustTask") != nil && o.Get("__gustTask").ToBoolean() {
				var err error
				if weight, err = wholeNumber(fmt.Sprintf("%s.tasks: the weight of %s", owner, where), o.Get("weight")); err != nil {
					return nil, err
				}
				tags = toStrings(o.Get("tags"))
				item = o.Get("fn")
			}
			if err := add(where, item, weight, tags); err != nil {
				return nil, err
			}
		}
	} else {
		for _, key := range obj.Keys() {
			val := obj.Get(key)
			weight, tags := 0, []string(nil)
			what := fmt.Sprintf("%s.tasks.%s", owner, key)
			var err error
			switch {
			case isNumber(val):
				if weight, err = wholeNumber(what, val); err != nil {
					return nil, err
				}
			case isPlainObject(val):
				o := val.ToObject(rt)
				weight = 1
				if w := o.Get("weight"); w != nil && !goja.IsUndefined(w) {
					if weight, err = wholeNumber(what+".weight", w); err != nil {
						return nil, err
					}
				}
				tags = toStrings(o.Get("tags"))
			default:
				return nil, fmt.Errorf("%s.tasks.%s: the weight must be a number or { weight, tags }, not %s", owner, key, val.String())
			}
			if err := add(fmt.Sprintf("%q", key), rt.ToValue(key), weight, tags); err != nil {
				return nil, err
			}
		}
	}
	if len(t.entries) == 0 {
		if len(filter.include) > 0 || len(filter.exclude) > 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("%s", noTasks(owner))
	}
	weights := make([]int, len(t.entries))
	for i, e := range t.entries {
		weights[i] = e.weight
		for k := 0; t.sequential && k < e.weight; k++ {
			t.order = append(t.order, i)
		}
	}
	p, err := engine.NewPicker(weights)
	if err != nil {
		return nil, fmt.Errorf("%s.tasks: %v", owner, err)
	}
	t.picker = p
	if v.tables == nil {
		v.tables = map[*goja.Object]*table{}
	}
	v.tables[ctor] = t
	return t, nil
}

// taskList is a class's tasks as written: its static `tasks`, else the methods marked with
// @task (as a tasks list). The load-time probe also refuses a class that has both, since one
// of them would be silently ignored.
func (v *vu) taskList(ctor *goja.Object, owner string) (goja.Value, error) {
	raw := ctor.Get("tasks")
	if raw != nil && !goja.IsUndefined(raw) && !goja.IsNull(raw) {
		if v.t == nil && v.decoratedTasks(ctor) != nil {
			return nil, fmt.Errorf("%s has both `static tasks` and @task methods: use one of them", owner)
		}
		return raw, nil
	}
	if raw = v.decoratedTasks(ctor); raw != nil {
		return raw, nil
	}
	return nil, fmt.Errorf("%s", noTasks(owner))
}

func noTasks(owner string) string {
	return fmt.Sprintf("no tasks defined on %s: set `static tasks = { methodName: weight }` or mark methods with @task", owner)
}

// decoratedTasks is the tasks list of the methods @task marked on ctor and its bases, or nil.
func (v *vu) decoratedTasks(ctor *goja.Object) goja.Value {
	fn, ok := goja.AssertFunction(v.native("__decorated"))
	if !ok {
		return nil
	}
	val, err := fn(goja.Undefined(), ctor)
	if err != nil || val == nil || goja.IsUndefined(val) {
		return nil
	}
	return val
}

// resolveEntry turns one task reference (a method name, a function, a TaskSet class) into an
// entry; it returns nil for a TaskSet left empty by the tag filter.
func (v *vu) resolveEntry(proto *goja.Object, owner, where string, val goja.Value, filter tagFilter, depth int) (*entry, error) {
	rt := v.rt
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return nil, fmt.Errorf("%s.tasks: %s is undefined", owner, where)
	}
	if s, ok := val.Export().(string); ok {
		m := proto.Get(s)
		fn, ok := goja.AssertFunction(m)
		if !ok {
			return nil, fmt.Errorf("%s.tasks: unknown task %q: %s has no method of that name", owner, s, owner)
		}
		return &entry{kind: kindFunc, label: s, fn: fn}, nil
	}
	o, ok := val.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("%s.tasks: %s must be a method name, a function or a TaskSet class, not %s", owner, where, val.String())
	}
	if v.isTaskSetClass(o) {
		name := className(o)
		nested, err := v.resolveTable(o, name, filter, depth+1)
		if err != nil {
			return nil, err
		}
		return &entry{kind: kindTaskSet, label: name, ctor: o, nested: nested}, nil
	}
	fn, ok := goja.AssertFunction(o)
	if !ok {
		return nil, fmt.Errorf("%s.tasks: %s must be a method name, a function or a TaskSet class", owner, where)
	}
	label := o.Get("name").String()
	if label == "" {
		label = "<anonymous>"
	}
	_ = rt
	return &entry{kind: kindFunc, label: label, fn: fn}, nil
}

func (v *vu) isTaskSetClass(o *goja.Object) bool {
	return marked(o, "__gustTaskSet")
}

func (v *vu) isSequential(ctor *goja.Object) bool {
	return marked(ctor, "__gustSequential")
}

func isArray(val goja.Value) bool {
	o, ok := val.(*goja.Object)
	return ok && o.ClassName() == "Array"
}

func isNumber(val goja.Value) bool {
	switch val.Export().(type) {
	case int64, float64:
		return true
	}
	return false
}

func isPlainObject(val goja.Value) bool {
	o, ok := val.(*goja.Object)
	return ok && o.ClassName() == "Object"
}

func toStrings(val goja.Value) []string {
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return nil
	}
	var out []string
	switch x := val.Export().(type) {
	case []any:
		for _, s := range x {
			out = append(out, fmt.Sprint(s))
		}
	case string:
		out = append(out, x)
	}
	return out
}

func className(o *goja.Object) string {
	if n := o.Get("name"); n != nil && n.String() != "" {
		return n.String()
	}
	return "<anonymous class>"
}

// frame is one level of a user's task stack: the user itself, or a TaskSet it entered.
type frame struct {
	obj  *goja.Object
	tab  *table
	wait func(taskTime time.Duration) time.Duration
	pos  int // SequentialTaskSet position
}

func (f *frame) next() *entry {
	if f.tab.sequential {
		i := f.tab.order[f.pos%len(f.tab.order)]
		f.pos++
		return &f.tab.entries[i]
	}
	return &f.tab.entries[f.tab.picker.Pick()]
}
