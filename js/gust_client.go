package js

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/gustload/gust/client"
)

// clientMethods are the methods of the JS client object, in the order Object.keys lists them.
var clientMethods = append([]string{"get", "post", "put", "patch", "delete", "head", "options", "request"}, asyncMethods...)

// newClientObject builds the JS face of the user's HTTP client: get/post/put/patch/delete/
// head/options(url, opts) and request(method, url, opts), as FunctionCall bindings (no
// reflection on the hot path). A method's function is built the first time it is read: a
// function object costs about 800 bytes in goja, and 10,000 users mostly call one or two.
func (v *vu) newClientObject() *goja.Object {
	return v.rt.NewDynamicObject(&lazyMethods{rt: v.rt, names: clientMethods, build: v.clientMethod, prop: v.clientProp})
}

func (v *vu) clientMethod(name string) func(goja.FunctionCall) goja.Value {
	if strings.HasSuffix(name, "Async") || name == "batch" {
		return v.asyncMethod(name)
	}
	if name == "request" {
		return func(call goja.FunctionCall) goja.Value {
			return v.request(strings.ToUpper(call.Argument(0).String()), call.Argument(1), call.Argument(2))
		}
	}
	method := strings.ToUpper(name)
	return func(call goja.FunctionCall) goja.Value {
		return v.request(method, call.Argument(0), call.Argument(1))
	}
}

// lazyMethods is a JS object of native methods, each built on first access and then kept, so
// that reading it again yields the same function. Scripts may still assign to it (to wrap a
// method, say) as they could to a plain object.
type lazyMethods struct {
	rt    *goja.Runtime
	names []string
	build func(name string) func(goja.FunctionCall) goja.Value
	prop  func(name string) goja.Value // other properties built on first access; nil for none
	made  []goja.Value                 // by index in names
	extra map[string]goja.Value
	order []string // keys of extra, in the order they were added
}

func (o *lazyMethods) index(key string) int { return slices.Index(o.names, key) }

// Get implements goja.DynamicObject.
func (o *lazyMethods) Get(key string) goja.Value {
	i := o.index(key)
	if i < 0 {
		if v, ok := o.extra[key]; ok || o.prop == nil {
			return v
		}
		if v := o.prop(key); v != nil {
			o.Set(key, v)
			return v
		}
		return nil
	}
	if o.made == nil {
		o.made = make([]goja.Value, len(o.names))
	}
	if o.made[i] == nil {
		o.made[i] = o.rt.ToValue(o.build(key))
	}
	return o.made[i]
}

// Set implements goja.DynamicObject.
func (o *lazyMethods) Set(key string, val goja.Value) bool {
	if i := o.index(key); i >= 0 {
		if o.made == nil {
			o.made = make([]goja.Value, len(o.names))
		}
		o.made[i] = val
		return true
	}
	if o.extra == nil {
		o.extra = map[string]goja.Value{}
	}
	if _, ok := o.extra[key]; !ok {
		o.order = append(o.order, key)
	}
	o.extra[key] = val
	return true
}

// Has implements goja.DynamicObject.
func (o *lazyMethods) Has(key string) bool {
	return o.Get(key) != nil
}

// Delete implements goja.DynamicObject: added properties can go, the methods stay.
func (o *lazyMethods) Delete(key string) bool {
	if o.index(key) >= 0 {
		return false
	}
	if _, ok := o.extra[key]; ok {
		delete(o.extra, key)
		o.order = slices.DeleteFunc(o.order, func(k string) bool { return k == key })
	}
	return true
}

// Keys implements goja.DynamicObject.
func (o *lazyMethods) Keys() []string { return append(slices.Clone(o.names), o.order...) }

// joinURL resolves a script's URL against the host the way Locust does: absolute URLs are
// kept, anything else is appended to the host with exactly one slash between them.
func joinURL(host, u string) string {
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

// urlCache remembers the last few URLs a user joined to its host: a script requests the
// same few paths over and over, and the joined string would otherwise be built per request.
type urlCache struct {
	raw, full [4]string
	next      int
}

func (c *urlCache) join(host, raw string) string {
	for i := range c.raw {
		if c.raw[i] == raw && c.full[i] != "" {
			return c.full[i]
		}
	}
	full := joinURL(host, raw)
	c.raw[c.next], c.full[c.next] = raw, full
	c.next = (c.next + 1) % len(c.raw)
	return full
}

// readOptions applies a request's options (optsArg may be undefined) to req, after resetting
// what the user's last request set (a variant client, tags), then the class's auth; it returns
// the row name (name unless the options say) and whether the script settles the response.
func (v *vu) readOptions(req *client.Request, optsArg goja.Value, name string) (string, bool) {
	v.reqClient, v.tagMask = nil, 0
	catch := false
	if o, ok := optsArg.(*goja.Object); ok {
		var err error
		if name, catch, err = v.applyOptions(req, o, name); err != nil {
			panic(v.rt.NewTypeError(err.Error()))
		}
	}
	if v.auth != "" {
		req.Header = setDefault(req.Header, "Authorization", v.auth)
	}
	return name, catch
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
	req.URL = v.urls.join(v.host, raw)
	req.Header = req.Header[:0]
	req.Body = nil
	req.Timeout = 0
	req.Redirects = -1
	req.DiscardBody = false
	req.HTTP2 = false
	name, catch := v.readOptions(req, optsArg, raw)
	res := &response{v: v, method: method, name: name, subs: v.tagMask}
	if v.reqClient != nil {
		v.reqClient.Do(req, &res.r)
	} else {
		v.client.Do(req, &res.r)
	}
	if v.trace != nil {
		res.print(v.trace)
	}
	if res.r.Err == client.ErrAborted {
		// The test is stopping hard: the request never finished, so it is not a result, and
		// not an exception either. Interrupting the runtime ends the task where a thrown
		// error could be caught by the script or recorded as an exception.
		v.rec.Interrupted()
		rt.Interrupt(errInterrupted)
		return goja.Undefined()
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
	var (
		query          string
		form, files    *goja.Object
		compress, auth string
	)
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
			query = encodeValues(val.ToObject(rt))
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
			form = val.ToObject(rt)
		case "files":
			files = val.ToObject(rt)
		case "auth":
			a, err := basicAuth(rt, val)
			if err != nil {
				return "", false, fmt.Errorf("auth: %v", err)
			}
			auth = a
		case "compress":
			compress = val.String()
		case "http2":
			req.HTTP2 = val.ToBoolean()
		case "tls", "proxy":
			tlsVal, proxyVal := o.Get("tls"), o.Get("proxy")
			cl, err := v.variant(tlsVal, proxyVal)
			if err != nil {
				return "", false, err
			}
			v.reqClient = cl
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
		case "discardBody":
			req.DiscardBody = val.ToBoolean()
		case "catchResponse":
			catch = val.ToBoolean()
		case "tags":
			mask, tagName, err := v.requestTags(val)
			if err != nil {
				return "", false, err
			}
			v.tagMask = mask
			if n := o.Get("name"); tagName != "" && (n == nil || goja.IsUndefined(n)) {
				name = tagName // k6's tags.name names the row
			}
		default:
			return "", false, fmt.Errorf("unknown request option %q (known: headers, params, json, body, form, name, timeout, redirects, files, auth, compress, http2, tls, proxy, discardBody, catchResponse, tags)", k)
		}
	}
	switch {
	case files != nil:
		body, ctype, err := multipartBody(rt, form, files)
		if err != nil {
			return "", false, err
		}
		req.Body = body
		req.Header = setDefault(req.Header, "Content-Type", ctype)
	case form != nil:
		req.Body = []byte(encodeValues(form))
		req.Header = setDefault(req.Header, "Content-Type", "application/x-www-form-urlencoded")
	}
	if compress != "" {
		body, err := compressBody(compress, req.Body)
		if err != nil {
			return "", false, err
		}
		req.Body = body
		req.Header = setDefault(req.Header, "Content-Encoding", compress)
	}
	if auth != "" {
		req.Header = setDefault(req.Header, "Authorization", auth)
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

func encodeValues(o *goja.Object) string {
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
func (b *clientBinding) settlePending() {
	for _, r := range b.pending {
		if r.pending {
			r.record(r.defaultError())
		}
	}
	b.pending = b.pending[:0]
}
