package js

import (
	"context"
	"fmt"

	"github.com/dop251/goja"
)

// handleSummary(data), k6's: called once at the end with the run's JSON result (the document
// --json writes); it returns { path: content } to write, where the keys "stdout" and "stderr"
// name the streams.

// HasHandleSummary reports whether the script exports handleSummary(data).
func (s *Script) HasHandleSummary() bool { return s.hooks["handleSummary"] }

// HandleSummary calls the script's handleSummary with result (a JSON document) in the hooks'
// runtime and returns its map of outputs; content that is not a string or bytes is written as
// JSON. Cancelling ctx interrupts it.
func (t *Test) HandleSummary(ctx context.Context, result []byte) (map[string]string, error) {
	if !t.s.HasHandleSummary() {
		return nil, nil
	}
	v, err := t.lifeVU()
	if err != nil {
		return nil, err
	}
	v.ctx = ctx
	defer context.AfterFunc(ctx, func() { v.rt.Interrupt(errInterrupted) })()
	data, err := v.parseJSON(string(result))
	if err != nil {
		return nil, fmt.Errorf("handleSummary: %v", err)
	}
	res, err := t.callOutside(v, "handleSummary", data)
	if err != nil {
		return nil, fmt.Errorf("handleSummary() failed: %w", err)
	}
	if res == nil || goja.IsUndefined(res) || goja.IsNull(res) {
		return nil, nil
	}
	o, ok := res.(*goja.Object)
	if !ok || isArray(o) {
		return nil, fmt.Errorf("handleSummary() returned %s; want an object of { path: content }", res.String())
	}
	out := map[string]string{}
	for _, k := range o.Keys() {
		val := o.Get(k)
		if b, ok := viewBytes(v.rt, val); ok {
			out[k] = string(b)
			continue
		}
		if _, isObj := val.(*goja.Object); isObj {
			s, err := v.stringify(val)
			if err != nil {
				return nil, fmt.Errorf("handleSummary()[%q]: %v", k, err)
			}
			out[k] = s
			continue
		}
		out[k] = val.String()
	}
	return out, nil
}
