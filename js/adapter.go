package js

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// classInfo is what the probe learned about one exported User class.
type classInfo struct {
	Name       string
	Weight     int
	FixedCount int
	Host       string
	tab        *table // in the probe runtime
}

// ClassInfo describes an exported User class for listings.
type ClassInfo struct {
	Name       string
	Weight     int
	FixedCount int
	Host       string
	Tasks      []TaskInfo
}

// TaskInfo is one task of a class, with its share of the class's picks; TaskSets carry their
// own tasks.
type TaskInfo struct {
	Name  string
	Ratio float64
	Tasks []TaskInfo
}

// probe runs the script once to find its exported User classes, options and hooks.
func (s *Script) probe() error {
	v, err := newVU(s, nil, 0)
	if err != nil {
		return err
	}
	for _, k := range v.exports.Keys() {
		val := v.exports.Get(k)
		o, ok := val.(*goja.Object)
		if !ok {
			continue
		}
		switch k {
		case "options":
			opts, err := exportJSON(val)
			if err != nil {
				return fmt.Errorf("%s: options: %v", s.Path, err)
			}
			if m, ok := opts.(map[string]any); ok {
				s.options = m
			} else if opts != nil {
				return fmt.Errorf("%s: options must be an object", s.Path)
			}
			continue
		}
		if _, ok := goja.AssertFunction(val); ok && slices.Contains(testLevel, k) {
			s.hooks[k] = true
			continue
		}
		p := o.Get("prototype")
		if p == nil || !marked(o, "__gustUser") {
			continue
		}
		ci := &classInfo{Name: k, Weight: 1}
		if w := o.Get("weight"); w != nil && !goja.IsUndefined(w) {
			if ci.Weight, err = wholeNumber(k+".weight", w); err != nil {
				return fmt.Errorf("%s: %v", s.Path, err)
			}
		}
		if f := o.Get("fixedCount"); f != nil && !goja.IsUndefined(f) {
			if ci.FixedCount, err = wholeNumber(k+".fixedCount", f); err != nil {
				return fmt.Errorf("%s: %v", s.Path, err)
			}
		}
		if h := o.Get("host"); h != nil && !goja.IsUndefined(h) && !goja.IsNull(h) {
			ci.Host = h.String()
		}
		tab, err := v.resolveTable(o, k, tagFilter{}, 0)
		if err != nil {
			return fmt.Errorf("%s: %v", s.Path, err)
		}
		ci.tab = tab
		s.classes = append(s.classes, ci)
	}
	if len(s.classes) == 0 {
		return fmt.Errorf("%s: no User class found: export a class that extends HttpUser", s.Path)
	}
	return nil
}

// Classes describes the exported User classes, in export order.
func (s *Script) Classes() []ClassInfo {
	out := make([]ClassInfo, len(s.classes))
	for i, c := range s.classes {
		out[i] = ClassInfo{Name: c.Name, Weight: c.Weight, FixedCount: c.FixedCount, Host: c.Host, Tasks: taskInfos(c.tab)}
	}
	return out
}

func taskInfos(t *table) []TaskInfo {
	if t == nil {
		return nil
	}
	out := make([]TaskInfo, len(t.entries))
	total := float64(t.picker.Total())
	for i, e := range t.entries {
		out[i] = TaskInfo{Name: e.label, Ratio: float64(e.weight) / total}
		if e.kind == kindTaskSet {
			out[i].Tasks = taskInfos(e.nested)
		}
	}
	return out
}

// TestConfig is how a loaded script is run.
type TestConfig struct {
	Host        string   // -H/--host; overrides options.host and each class's static host
	Classes     []string // User classes named on the command line; empty means all
	Tags        []string // -T: run only tasks with one of these tags
	ExcludeTags []string // -E: never run tasks with these tags
	Stats       *metrics.Stats
	Client      client.Options
	Environment map[string]any // this.environment
	Trace       io.Writer      // when set, every request is printed (--single-user)
	// Thresholds are the run's thresholds: those on a custom metric are checked against it at
	// NewTest, and a tag selector (cart_value{region:eu}) registers its sub-metric.
	Thresholds []metrics.Threshold
	// Exceptions, when set, shows each distinct script exception once, rate-limited (the
	// terminal's stderr in a headless run).
	Exceptions io.Writer
	// OutsideLimit, when > 0, bounds every call of JavaScript outside the tasks (setup(),
	// teardown(), shape(), a runtime's module top level): past it, the call is interrupted
	// with a *StuckError. The run time + the stop timeout.
	OutsideLimit time.Duration
}

// Test is a script ready to run: it implements engine.Test.
type Test struct {
	s       *Script
	cfg     TestConfig
	classes []*classInfo
	hosts   []string
	filter  tagFilter

	envJSON   []byte // cfg.Environment, parsed by each runtime that reads this.environment
	setupJSON []byte // setup()'s result; set before any user starts
	life      *vu    // the runtime of onTestStart, setup, teardown and onTestStop
	excLog    *exceptionLog
	ws        *wsShared // shared by the copies WithHost makes
	reqSubs   []reqSub  // tag selectors on request metrics, from the thresholds (gust_client_tags.go)
}

// NewTest checks the run's choices against the script (class names, hosts, tags) and
// prepares it; every error names the offending value.
func NewTest(s *Script, cfg TestConfig) (*Test, error) {
	cfg.Trace = newSafeWriter(cfg.Trace)
	t := &Test{s: s, cfg: cfg, filter: tagFilter{include: cfg.Tags, exclude: cfg.ExcludeTags}, excLog: newExceptionLog(cfg.Exceptions), ws: &wsShared{}}
	env, err := json.Marshal(cfg.Environment)
	if err != nil {
		return nil, fmt.Errorf("environment: %v", err)
	}
	t.envJSON = env
	if err := t.registerMetrics(cfg.Thresholds); err != nil {
		return nil, err
	}
	for _, name := range cfg.Classes {
		if !slices.ContainsFunc(s.classes, func(c *classInfo) bool { return c.Name == name }) {
			var names []string
			for _, c := range s.classes {
				names = append(names, c.Name)
			}
			return nil, fmt.Errorf("unknown User class %q (the script has: %s)", name, strings.Join(names, ", "))
		}
	}
	for _, c := range s.classes {
		if len(cfg.Classes) > 0 && !slices.Contains(cfg.Classes, c.Name) {
			continue
		}
		host := cfg.Host
		if host == "" {
			if h, ok := s.options["host"].(string); ok {
				host = h
			}
		}
		if host == "" {
			host = c.Host
		}
		if host == "" {
			return nil, fmt.Errorf("no host for %s: pass -H/--host or set `static host` on the class", c.Name)
		}
		if err := engine.CheckHost(host); err != nil {
			return nil, err
		}
		t.classes = append(t.classes, c)
		t.hosts = append(t.hosts, strings.TrimRight(host, "/"))
	}
	if !slices.ContainsFunc(t.classes, func(c *classInfo) bool { return c.Weight > 0 || c.FixedCount > 0 }) {
		return nil, fmt.Errorf("every User class has weight 0 and no fixedCount: no user would start")
	}
	if len(cfg.Tags) > 0 || len(cfg.ExcludeTags) > 0 {
		// Resolve once with the filter so that a filter that leaves a class with nothing to do
		// is reported now, not by every user.
		v, err := newVU(s, nil, 0)
		if err != nil {
			return nil, err
		}
		var kept []*classInfo
		var hosts []string
		for i, c := range t.classes {
			tab, err := v.resolveTable(v.exports.Get(c.Name).ToObject(v.rt), c.Name, t.filter, 0)
			if err != nil {
				return nil, err
			}
			if tab != nil {
				kept = append(kept, c)
				hosts = append(hosts, t.hosts[i])
			}
		}
		if len(kept) == 0 {
			return nil, fmt.Errorf("no task matches tags %q without %q", cfg.Tags, cfg.ExcludeTags)
		}
		t.classes, t.hosts = kept, hosts
	}
	return t, nil
}

// Host is the base URL of the i-th class of Classes.
func (t *Test) Host(i int) string { return t.hosts[i] }

// Classes implements engine.Test.
func (t *Test) Classes() []engine.UserClass {
	out := make([]engine.UserClass, len(t.classes))
	for i, c := range t.classes {
		out[i] = engine.UserClass{Name: c.Name, Weight: c.Weight, FixedCount: c.FixedCount}
	}
	return out
}

// environmentJSON is this.environment and setup()'s result, as JSON.
func (t *Test) environmentJSON() (env, setup []byte) {
	if len(t.envJSON) == 0 || string(t.envJSON) == "null" {
		return []byte("{}"), t.setupJSON
	}
	return t.envJSON, t.setupJSON
}

// NewUser implements engine.Test: a fresh runtime with the script loaded, and an instance of
// the class.
func (t *Test) NewUser(class, id int) (engine.User, error) {
	v, err := newVU(t.s, t, id)
	if err != nil {
		return nil, err
	}
	c := t.classes[class]
	v.host = t.hosts[class]
	ctor := v.exports.Get(c.Name).ToObject(v.rt)
	cc, err := t.clientFor(v, class, ctor) // the class's statics: tls, http2, proxy, auth...
	if err != nil {
		return nil, err
	}
	v.client, v.auth, v.cc = client.New(cc.opts), cc.auth, cc
	v.rec = t.cfg.Stats.Recorder()
	v.trace = t.cfg.Trace
	tab, err := v.resolveTable(ctor, c.Name, t.filter, 0)
	if err != nil {
		return nil, err
	}
	v.tables = nil // resolved: every entry points at its nested table, so the cache can go
	inst, err := v.rt.New(ctor)
	if err != nil {
		return nil, fmt.Errorf("new %s(): %w", c.Name, t.s.jsError(err))
	}
	u := &user{v: v, inst: inst}
	u.stack = []*frame{{obj: inst, tab: tab, wait: v.waitOf(ctor, inst, nil)}}
	return u, nil
}
