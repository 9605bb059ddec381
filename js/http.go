package js

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
)

// newClientObject builds the JS face of the user's HTTP client: get/post/put/patch/delete/
// head/options(url, opts) and request(method, url, opts), as FunctionCall bindings (no
// reflection on the hot path).
func (v *vu) newClientObject() *goja.Object {
	o := v.rt.NewObject()
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"} {
		method := m
		must(o.Set(strings.ToLower(m), func(call goja.FunctionCall) goja.Value {
			return v.request(method, call.Argument(0), call.Argument(1))
		}))
	}
	must(o.Set("request", func(call goja.FunctionCall) goja.Value {
		return v.request(strings.ToUpper(call.Argument(0).String()), call.Argument(1), call.Argument(2))
	}))
	return o
}

// JoinURL resolves a script's URL against the host the way Locust does: absolute URLs are
// kept, anything else is appended to the host with exactly one slash between them.
func JoinURL(host, u string) string {
	if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		return u
	}
	if u == "" {
		return host
	}
	h := strings.TrimRight(host, "/")
	if u[0] == '?' {
		return h + "/" + u
	}
	if u[0] != '/' {
		return h + "/" + u
	}
	return h + u
}

// request sends one request for the script and records it.
func (v *vu) request(method string, urlArg, optsArg goja.Value) goja.Value {
	rt := v.rt
	if v.client == nil {
		panic(rt.NewTypeError("requests can only be sent from tasks, onStart/onStop and setup/teardown, not while the script loads"))
	}
	if goja.IsUndefined(urlArg) {
		panic(rt.NewTypeError(fmt.Sprintf("client.%s(url, opts): the url is missing", strings.ToLower(method))))
	}
	raw := urlArg.String()
	req := &v.req
	req.Method = method
	req.URL = JoinURL(v.host, raw)
	req.Header = req.Header[:0]
	req.Body = nil
	req.Timeout = 0
	req.Redirects = -1
	name := raw
	catch := false
	if o, ok := optsArg.(*goja.Object); ok {
		var err error
		if name, catch, err = v.applyOptions(req, o, name); err != nil {
			panic(rt.NewTypeError(err.Error()))
		}
	}
	res := &response{v: v, method: method, name: name}
	v.client.Do(req, &res.r)
	if v.trace != nil {
		res.print(v.trace)
	}
	if res.r.Err == client.ErrAborted {
		// The test is stopping hard: the request never finished, so it is not a result.
		panic(rt.NewGoError(errInterrupted))
	}
	if catch {
		res.pending = true
		v.pending = append(v.pending, res)
	} else {
		res.record(res.defaultError())
	}
	return rt.NewDynamicObject(res)
}

// applyOptions reads the opts object of a request into req; it returns the stats name and
// whether the script checks the response itself.
func (v *vu) applyOptions(req *client.Request, o *goja.Object, name string) (string, bool, error) {
	rt := v.rt
	catch := false
	var query string
	for _, k := range o.Keys() {
		val := o.Get(k)
		if goja.IsUndefined(val) || goja.IsNull(val) {
			continue
		}
		switch k {
		case "headers":
			h := val.ToObject(rt)
			for _, hk := range h.Keys() {
				req.Header = append(req.Header, [2]string{hk, h.Get(hk).String()})
			}
		case "params":
			query = encodeValues(rt, val.ToObject(rt))
		case "json":
			b, err := jsonOf(rt, val)
			if err != nil {
				return "", false, fmt.Errorf("json: %v", err)
			}
			req.Body = []byte(b)
			req.Header = setDefault(req.Header, "Content-Type", "application/json")
		case "body":
			req.Body = bytesOf(val)
		case "form":
			req.Body = []byte(encodeValues(rt, val.ToObject(rt)))
			req.Header = setDefault(req.Header, "Content-Type", "application/x-www-form-urlencoded")
		case "name":
			name = val.String()
		case "timeout":
			if !isNumber(val) || val.ToFloat() <= 0 {
				return "", false, fmt.Errorf("timeout: %s is not a positive number of seconds", val.String())
			}
			req.Timeout = time.Duration(val.ToFloat() * float64(time.Second))
		case "redirects":
			if b, ok := val.Export().(bool); ok {
				if !b {
					req.Redirects = 0
				}
			} else if isNumber(val) {
				req.Redirects = int(val.ToInteger())
			} else {
				return "", false, fmt.Errorf("redirects: %s is not a boolean or a number", val.String())
			}
		case "catchResponse":
			catch = val.ToBoolean()
		case "tags":
			// Accepted for k6 familiarity; request tags do not change the stats row.
		default:
			return "", false, fmt.Errorf("unknown request option %q (known: headers, params, json, body, form, name, timeout, redirects, catchResponse, tags)", k)
		}
	}
	if query != "" {
		if strings.Contains(req.URL, "?") {
			req.URL += "&" + query
		} else {
			req.URL += "?" + query
		}
	}
	return name, catch, nil
}

func setDefault(h [][2]string, key, val string) [][2]string {
	for _, kv := range h {
		if strings.EqualFold(kv[0], key) {
			return h
		}
	}
	return append(h, [2]string{key, val})
}

func encodeValues(rt *goja.Runtime, o *goja.Object) string {
	vals := url.Values{}
	for _, k := range o.Keys() {
		x := o.Get(k)
		if arr, ok := x.Export().([]any); ok {
			for _, a := range arr {
				vals.Add(k, fmt.Sprint(a))
			}
			continue
		}
		vals.Add(k, x.String())
	}
	return vals.Encode()
}

func jsonOf(rt *goja.Runtime, val goja.Value) (string, error) {
	stringify, _ := goja.AssertFunction(rt.GlobalObject().Get("JSON").ToObject(rt).Get("stringify"))
	r, err := stringify(goja.Undefined(), val)
	if err != nil {
		return "", err
	}
	return r.String(), nil
}

func bytesOf(val goja.Value) []byte {
	switch x := val.Export().(type) {
	case goja.ArrayBuffer:
		return append([]byte(nil), x.Bytes()...)
	case []byte:
		return append([]byte(nil), x...)
	default:
		return []byte(val.String())
	}
}

// settlePending records the catchResponse responses the script left undecided, by the default
// rule, at the end of the task that made them (Locust does it when the `with` block ends).
func (v *vu) settlePending() {
	for _, r := range v.pending {
		if r.pending {
			r.record(r.defaultError())
		}
	}
	v.pending = v.pending[:0]
}
