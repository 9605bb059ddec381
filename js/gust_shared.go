package js

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dop251/goja"
)

// Shared data (k6's SharedArray): a big data set is loaded once per process and stored once,
// in Go, as one JSON text per element. Every runtime sees it through a read-only array-like
// object whose elements are parsed only when read, so 10,000 users cost one copy of the data,
// not 10,000. An element read twice is two fresh objects: a user may change its copy without
// any other user seeing it.

// sharedArray is data loaded once; elems never change after loading.
type sharedArray struct {
	once  sync.Mutex // held while the first runtime loads the data
	ready bool
	elems []string
}

// sharedData returns the data stored under key, calling load in the first runtime that asks
// (the others wait for it). A failed load is not kept: the next caller tries again.
func (s *Script) sharedData(key string, load func() ([]string, error)) (*sharedArray, error) {
	s.sharedMu.Lock()
	a, ok := s.shared[key]
	if !ok {
		a = &sharedArray{}
		s.shared[key] = a
	}
	s.sharedMu.Unlock()
	a.once.Lock()
	defer a.once.Unlock()
	if a.ready {
		return a, nil
	}
	elems, err := load()
	if err != nil {
		return nil, err
	}
	a.elems, a.ready = elems, true
	return a, nil
}

// sharedView is one runtime's read-only window on a sharedArray.
type sharedView struct {
	v *vu
	a *sharedArray
}

func (w *sharedView) Len() int { return len(w.a.elems) }

func (w *sharedView) Get(i int) goja.Value {
	if i < 0 || i >= len(w.a.elems) {
		return goja.Undefined()
	}
	val, err := w.v.parseJSON(w.a.elems[i])
	if err != nil {
		panic(err)
	}
	return val
}

func (w *sharedView) Set(int, goja.Value) bool { return false }
func (w *sharedView) SetLen(int) bool          { return false }

// sharedArrayNative is SharedArray(name, loader): loader runs once per process and must
// return an array of JSON-serializable values.
func (v *vu) sharedArrayNative(call goja.FunctionCall) goja.Value {
	rt := v.rt
	name := call.Argument(0)
	fn, ok := goja.AssertFunction(call.Argument(1))
	if goja.IsUndefined(name) || !ok {
		panic(rt.NewTypeError("SharedArray(name, loader): give a name and a function that returns an array"))
	}
	a, err := v.s.sharedData("array:"+name.String(), func() ([]string, error) {
		res, err := fn(goja.Undefined())
		if err != nil {
			return nil, err
		}
		if !isArray(res) {
			return nil, fmt.Errorf("SharedArray(%q): the loader returned %s, not an array", name.String(), res.String())
		}
		o := res.ToObject(rt)
		n := int(o.Get("length").ToInteger())
		elems := make([]string, n)
		for i := range elems {
			if elems[i], err = v.stringify(o.Get(fmt.Sprint(i))); err != nil {
				return nil, fmt.Errorf("SharedArray(%q)[%d]: %v", name.String(), i, err)
			}
		}
		return elems, nil
	})
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			panic(ex)
		}
		panic(rt.NewGoError(err))
	}
	return rt.NewDynamicArray(&sharedView{v: v, a: a})
}

// stringify is the runtime's JSON.stringify; values JSON cannot hold are an error.
func (v *vu) stringify(val goja.Value) (string, error) {
	st, _ := goja.AssertFunction(v.rt.GlobalObject().Get("JSON").ToObject(v.rt).Get("stringify"))
	out, err := st(goja.Undefined(), val)
	if err != nil {
		return "", err
	}
	if out == nil || goja.IsUndefined(out) {
		return "", fmt.Errorf("%s cannot be written as JSON", val.String())
	}
	return out.String(), nil
}

// csvNative is csv(path, {header, separator}): the rows of a CSV file (relative to the script)
// as shared read-only data, loaded once per process (Locust's testdata_from_csv). With a
// header line (the default) each row is an object keyed by the header's names; with
// {header: false} each row is an array of strings.
func (v *vu) csvNative(call goja.FunctionCall) goja.Value {
	rt := v.rt
	name := call.Argument(0).String()
	header, sep := true, ','
	if o, ok := call.Argument(1).(*goja.Object); ok {
		if h := o.Get("header"); h != nil && !goja.IsUndefined(h) {
			header = h.ToBoolean()
		}
		if s := o.Get("separator"); s != nil && !goja.IsUndefined(s) {
			r := []rune(s.String())
			if len(r) != 1 {
				panic(rt.NewTypeError(fmt.Sprintf("csv(%q): separator must be one character", name)))
			}
			sep = r[0]
		}
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(v.s.dir, path)
	}
	key := fmt.Sprintf("csv:%s:%t:%c", path, header, sep)
	a, err := v.s.sharedData(key, func() ([]string, error) { return readCSV(path, header, sep) })
	if err != nil {
		panic(rt.NewGoError(fmt.Errorf("csv(%q): %v", name, err)))
	}
	return rt.NewDynamicArray(&sharedView{v: v, a: a})
}

// readCSV turns a CSV file into one JSON text per row, keeping the header's column order.
func readCSV(path string, header bool, sep rune) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var names []string
	var out []string
	var b strings.Builder
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if header && names == nil {
			names = append([]string(nil), rec...)
			continue
		}
		b.Reset()
		if header {
			if len(rec) != len(names) {
				return nil, fmt.Errorf("line %d has %d fields, the header has %d", line, len(rec), len(names))
			}
			b.WriteByte('{')
			for i, n := range names {
				if i > 0 {
					b.WriteByte(',')
				}
				writeJSONString(&b, n)
				b.WriteByte(':')
				writeJSONString(&b, rec[i])
			}
			b.WriteByte('}')
		} else {
			b.WriteByte('[')
			for i, s := range rec {
				if i > 0 {
					b.WriteByte(',')
				}
				writeJSONString(&b, s)
			}
			b.WriteByte(']')
		}
		out = append(out, b.String())
	}
}

func writeJSONString(b *strings.Builder, s string) {
	q, _ := json.Marshal(s)
	b.Write(q)
}
