package js

import (
	"github.com/dop251/goja"
)

// clientProp builds the client object's non-method properties: cookies.
func (v *vu) clientProp(name string) goja.Value {
	if name != "cookies" {
		return nil
	}
	rt := v.rt
	o := rt.NewObject()
	// Cookies are those of the user's host unless a URL is given as the last argument.
	target := func(call goja.FunctionCall, i int) string {
		if u := call.Argument(i); !goja.IsUndefined(u) && !goja.IsNull(u) {
			return v.urls.join(v.host, u.String())
		}
		return v.host + "/"
	}
	must(o.Set("get", func(call goja.FunctionCall) goja.Value {
		if val, ok := v.client.Cookie(target(call, 1), call.Argument(0).String()); ok {
			return rt.ToValue(val)
		}
		return goja.Undefined()
	}))
	must(o.Set("set", func(call goja.FunctionCall) goja.Value {
		var domain, path string
		u := v.host + "/"
		if opts, ok := call.Argument(2).(*goja.Object); ok {
			if d := opts.Get("domain"); d != nil && !goja.IsUndefined(d) {
				domain = d.String()
			}
			if p := opts.Get("path"); p != nil && !goja.IsUndefined(p) {
				path = p.String()
			}
			if x := opts.Get("url"); x != nil && !goja.IsUndefined(x) {
				u = v.urls.join(v.host, x.String())
			}
		}
		if err := v.client.SetCookie(u, call.Argument(0).String(), call.Argument(1).String(), domain, path); err != nil {
			panic(rt.NewTypeError("cookies.set: " + err.Error()))
		}
		return goja.Undefined()
	}))
	must(o.Set("delete", func(call goja.FunctionCall) goja.Value {
		v.client.DeleteCookie(target(call, 1), call.Argument(0).String(), "")
		return goja.Undefined()
	}))
	must(o.Set("clear", func(goja.FunctionCall) goja.Value {
		v.client.ClearCookies()
		return goja.Undefined()
	}))
	must(o.Set("all", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(v.client.Cookies(target(call, 0)))
	}))
	return o
}
