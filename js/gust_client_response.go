package js

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
)

// response is the JS response object: a dynamic object over the Go result, so that the body
// becomes a JS string only when the script reads it.
type response struct {
	v            *vu
	r            client.Response
	method, name string
	pending      bool   // catchResponse: not recorded yet
	subs         uint32 // the tag selectors the request's tags match, a bit each (gust_client_tags.go)
	text         goja.Value
	headers      goja.Value
}

// defaultError applies Locust's failure rule: a network error, or a status of 400 and above.
func (r *response) defaultError() string {
	if r.r.Err != nil {
		return r.r.Err.Error()
	}
	if r.r.Status >= 400 {
		return fmt.Sprintf("HTTP %d %s", r.r.Status, http.StatusText(r.r.Status))
	}
	return ""
}

func (r *response) record(errMsg string) {
	end := r.r.End
	if r.pending || end.IsZero() {
		// Decided later by success()/failure(): the sample ends when the script decides,
		// as Locust's does.
		end = time.Now()
	}
	r.pending = false
	r.v.rec.Record(r.method, r.name, end, r.r.Elapsed, r.r.Size, errMsg)
	if r.subs != 0 {
		r.recordTagged(errMsg)
	}
	if r.v.loop.Load() != nil {
		r.v.fireRequest(r.method, r.name, r.r.Elapsed, r.r.Size, errMsg, r.r.URL, r.r.Status)
	}
}

var responseKeys = []string{"status", "ok", "url", "proto", "headers", "text", "body", "bytes", "elapsed", "timings", "error", "truncated", "json", "success", "failure"}

// Get implements goja.DynamicObject.
func (r *response) Get(key string) goja.Value {
	rt := r.v.rt
	switch key {
	case "status", "status_code":
		return rt.ToValue(r.r.Status)
	case "ok":
		return rt.ToValue(r.r.Err == nil && r.r.Status > 0 && r.r.Status < 400)
	case "url":
		return rt.ToValue(r.r.URL)
	case "proto":
		return rt.ToValue(r.r.Proto)
	case "text", "body":
		if r.text == nil {
			r.text = rt.ToValue(string(r.r.Body))
		}
		return r.text
	case "bytes":
		return rt.ToValue(rt.NewArrayBuffer(r.r.Body))
	case "headers":
		if r.headers == nil {
			r.headers = rt.ToValue(r.r.Headers())
		}
		return r.headers
	case "elapsed":
		return rt.ToValue(ms(r.r.Elapsed))
	case "timings":
		return rt.ToValue(map[string]any{"duration": ms(r.r.Elapsed), "ttfb": ms(r.r.TTFB), "tls": ms(r.r.TLSHandshake)})
	case "error":
		if r.r.Err == nil {
			return goja.Null()
		}
		return rt.ToValue(r.r.Err.Error())
	case "truncated":
		return rt.ToValue(r.r.Truncated())
	case "json":
		return rt.ToValue(r.jsonMethod)
	case "success":
		return rt.ToValue(r.success)
	case "failure":
		return rt.ToValue(r.failure)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (r *response) jsonMethod(call goja.FunctionCall) goja.Value {
	rt := r.v.rt
	var out any
	if err := json.Unmarshal(r.r.Body, &out); err != nil {
		panic(rt.NewTypeError(fmt.Sprintf("response of %s %s is not JSON: %v", r.method, r.name, err)))
	}
	return rt.ToValue(out)
}

func (r *response) success(goja.FunctionCall) goja.Value {
	r.decide("")
	return goja.Undefined()
}

func (r *response) failure(call goja.FunctionCall) goja.Value {
	msg := call.Argument(0)
	text := "failure"
	if !goja.IsUndefined(msg) {
		text = msg.String()
		if o, ok := msg.(*goja.Object); ok && o.Get("message") != nil {
			text = o.Get("message").String()
		}
	}
	r.decide(text)
	return goja.Undefined()
}

func (r *response) decide(errMsg string) {
	if !r.pending {
		panic(r.v.rt.NewTypeError("success()/failure() need the request option catchResponse: true, and can be called once"))
	}
	r.record(errMsg)
}

// Set implements goja.DynamicObject; responses are read-only.
func (r *response) Set(string, goja.Value) bool { return false }

// Has implements goja.DynamicObject.
func (r *response) Has(key string) bool { return r.Get(key) != nil }

// Delete implements goja.DynamicObject.
func (r *response) Delete(string) bool { return false }

// Keys implements goja.DynamicObject.
func (r *response) Keys() []string { return responseKeys[:12] }

// print writes one line per request for --single-user: status, timing, a body excerpt.
func (r *response) print(w io.Writer) {
	status := fmt.Sprint(r.r.Status)
	if r.r.Err != nil {
		status = "ERR " + r.r.Err.Error()
	}
	body := strings.Join(strings.Fields(string(r.r.Body)), " ")
	if len(body) > 120 {
		body = body[:117] + "..."
	}
	fmt.Fprintf(w, "%-7s %-40s %s  %.1f ms  %d B  %s\n", r.method, r.r.URL, status, ms(r.r.Elapsed), r.r.Size, body)
}
