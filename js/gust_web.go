package js

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// The web platform's globals a script expects (btoa, TextEncoder, URL, crypto, ...). Like the
// "gust" module, each is built in a runtime the first time its script reads the name: the
// classes are tiny JavaScript programs compiled once per process (gust_web_sources.go) over a
// few Go natives here, so that a runtime that never uses them pays nothing.

// webGlobals are the web platform's names, resolved through the lazy global scope.
var webGlobals = []string{
	"btoa", "atob", "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "crypto",
	"performance", "structuredClone",
	"setTimeout", "clearTimeout", "setInterval", "clearInterval", "WebSocket",
}

// webNative builds one web global, a gust submodule, or a native the JavaScript parts use; nil
// when name is none of them.
func (v *vu) webNative(name string) goja.Value {
	rt := v.rt
	switch name {
	case "btoa":
		return rt.ToValue(v.btoa)
	case "atob":
		return rt.ToValue(v.atob)
	case "crypto":
		return rt.NewDynamicObject(&lazyMethods{rt: rt, names: []string{"randomUUID", "getRandomValues"}, build: v.cryptoMethod})
	case "performance":
		return rt.NewDynamicObject(&lazyMethods{rt: rt, names: []string{"now"}, build: func(string) func(goja.FunctionCall) goja.Value {
			return func(goja.FunctionCall) goja.Value {
				return rt.ToValue(float64(time.Since(epoch)) / float64(time.Millisecond))
			}
		}})
	case "setTimeout", "clearTimeout", "setInterval", "clearInterval":
		return v.timerNative(name)
	case "WebSocket":
		return v.webSocketClass()
	case "__utf8encode":
		return rt.ToValue(func(call goja.FunctionCall) goja.Value {
			return rt.ToValue(rt.NewArrayBuffer([]byte(call.Argument(0).String())))
		})
	case "__utf8decode":
		return rt.ToValue(v.utf8Decode)
	case "__parseURL":
		return rt.ToValue(v.parseURL)
	}
	if _, ok := webFromClasses[name]; ok {
		return v.webClass(name)
	}
	if _, ok := webPrograms[name]; ok {
		return v.buildWeb(name)
	}
	return v.moduleNative(name)
}

// throwNamed throws an Error whose name is name (the web platform's DOMException names).
func (v *vu) throwNamed(name, msg string) {
	e, err := v.rt.New(v.rt.Get("Error"), v.rt.ToValue(msg))
	if err != nil {
		panic(err)
	}
	must(e.Set("name", name))
	panic(e)
}

// btoa is base64 of a binary string: every character must be below U+0100.
func (v *vu) btoa(call goja.FunctionCall) goja.Value {
	if len(call.Arguments) == 0 {
		panic(v.rt.NewTypeError("btoa(data): data is missing"))
	}
	s := call.Argument(0).String()
	b := make([]byte, 0, len(s))
	for i, r := range s {
		if r > 0xFF {
			v.throwNamed("InvalidCharacterError", fmt.Sprintf("btoa: the character %q at %d is outside Latin-1; encode text first (TextEncoder, or b64encode from \"gust/encoding\")", r, i))
		}
		b = append(b, byte(r))
	}
	return v.rt.ToValue(base64.StdEncoding.EncodeToString(b))
}

// atob decodes base64 (padding optional, ASCII whitespace ignored) into a binary string.
func (v *vu) atob(call goja.FunctionCall) goja.Value {
	if len(call.Arguments) == 0 {
		panic(v.rt.NewTypeError("atob(data): data is missing"))
	}
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' {
			return -1
		}
		return r
	}, call.Argument(0).String())
	if len(s)%4 == 0 {
		s = strings.TrimSuffix(strings.TrimSuffix(s, "="), "=")
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		v.throwNamed("InvalidCharacterError", "atob: the string is not valid base64")
	}
	return v.rt.ToValue(binaryString(b))
}

// binaryString is b as a JavaScript binary string: one character (U+0000..U+00FF) per byte.
func binaryString(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// viewBytes returns the bytes of an ArrayBuffer, a typed array or a DataView, sharing their
// memory; ok is false for anything else.
func viewBytes(rt *goja.Runtime, val goja.Value) (b []byte, ok bool) {
	o, isObj := val.(*goja.Object)
	if !isObj {
		return nil, false
	}
	if ab, isAB := o.Export().(goja.ArrayBuffer); isAB {
		return ab.Bytes(), true
	}
	buf := o.Get("buffer")
	if buf == nil {
		return nil, false
	}
	ab, isAB := buf.Export().(goja.ArrayBuffer)
	if !isAB {
		return nil, false
	}
	all := ab.Bytes()
	off, n := o.Get("byteOffset").ToInteger(), o.Get("byteLength").ToInteger()
	if off < 0 || n < 0 || off+n > int64(len(all)) {
		return nil, false
	}
	return all[off : off+n], true
}

// dataBytes reads the data argument of a hash or an encoder: a string as UTF-8, or bytes.
func dataBytes(rt *goja.Runtime, val goja.Value, what string) []byte {
	if b, ok := viewBytes(rt, val); ok {
		return b
	}
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		panic(rt.NewTypeError(what + ": the data is missing (want a string, an ArrayBuffer or a typed array)"))
	}
	return []byte(val.String())
}

// utf8Decode is TextDecoder's decoding: bytes as UTF-8, a leading BOM dropped unless ignoreBOM,
// invalid bytes replaced by U+FFFD, or a TypeError when fatal.
func (v *vu) utf8Decode(call goja.FunctionCall) goja.Value {
	rt := v.rt
	in := call.Argument(0)
	if goja.IsUndefined(in) {
		return rt.ToValue("")
	}
	b, ok := viewBytes(rt, in)
	if !ok {
		panic(rt.NewTypeError("TextDecoder.decode: the input must be an ArrayBuffer, a typed array or a DataView"))
	}
	fatal, ignoreBOM := call.Argument(1).ToBoolean(), call.Argument(2).ToBoolean()
	if !ignoreBOM && len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	if utf8.Valid(b) {
		return rt.ToValue(string(b))
	}
	if fatal {
		panic(rt.NewTypeError("TextDecoder.decode: the data is not valid UTF-8"))
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		sb.WriteRune(r) // utf8.RuneError for each invalid byte
		b = b[n:]
	}
	return rt.ToValue(sb.String())
}

// specialPorts are the default ports of the URL standard's special schemes, left out of host.
var specialPorts = map[string]string{"http:": "80", "https:": "443", "ws:": "80", "wss:": "443", "ftp:": "21", "file:": ""}

// parseURL is URL's parser: (input, base?) -> [protocol, username, password, hostname, port,
// pathname, search, hash, hasCredentials], or null when input is not a valid absolute URL (nor
// one relative to base).
func (v *vu) parseURL(call goja.FunctionCall) goja.Value {
	rt := v.rt
	trim := func(s string) string {
		return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	}
	u, err := url.Parse(trim(call.Argument(0).String()))
	if err != nil {
		return goja.Null()
	}
	if base := call.Argument(1); !goja.IsUndefined(base) {
		b, err := url.Parse(trim(base.String()))
		if err != nil || b.Scheme == "" {
			return goja.Null()
		}
		u = b.ResolveReference(u)
	}
	if u.Scheme == "" {
		return goja.Null()
	}
	protocol := strings.ToLower(u.Scheme) + ":"
	def, special := specialPorts[protocol]
	if special && protocol != "file:" && u.Host == "" {
		return goja.Null()
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == def {
		port = ""
	}
	path := u.EscapedPath()
	if u.Opaque != "" {
		path = u.Opaque
	} else if special && path == "" {
		path = "/"
	}
	search, hash := "", ""
	if u.RawQuery != "" {
		search = "?" + u.RawQuery
	}
	if f := u.EscapedFragment(); f != "" {
		hash = "#" + f
	}
	user, pass := "", ""
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
		user, pass = escapeUserinfo(user), escapeUserinfo(pass)
	}
	return rt.ToValue([]any{protocol, user, pass, host, port, path, search, hash, special})
}

// escapeUserinfo percent-encodes a user name or password as the URL standard writes it.
func escapeUserinfo(s string) string {
	return strings.NewReplacer("%3A", ":", "+", "%20").Replace(url.QueryEscape(s))
}

// cryptoMethod builds the methods of the global crypto.
func (v *vu) cryptoMethod(name string) func(goja.FunctionCall) goja.Value {
	rt := v.rt
	if name == "randomUUID" {
		return func(goja.FunctionCall) goja.Value {
			var b [16]byte
			_, _ = rand.Read(b[:])
			b[6] = b[6]&0x0f | 0x40 // version 4
			b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
			h := hex.EncodeToString(b[:])
			return rt.ToValue(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:])
		}
	}
	return func(call goja.FunctionCall) goja.Value {
		arr := call.Argument(0)
		o, ok := arr.(*goja.Object)
		cls := ""
		if ok {
			if c := o.Get("constructor"); c != nil {
				if co, ok := c.(*goja.Object); ok {
					cls = co.Get("name").String()
				}
			}
		}
		switch cls {
		case "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "BigInt64Array", "BigUint64Array":
		default:
			v.throwNamed("TypeMismatchError", "crypto.getRandomValues: want an integer typed array such as a Uint8Array, not "+arr.String())
		}
		b, _ := viewBytes(rt, arr)
		if len(b) > 65536 {
			v.throwNamed("QuotaExceededError", fmt.Sprintf("crypto.getRandomValues: %d bytes asked, at most 65536 at a time", len(b)))
		}
		_, _ = rand.Read(b)
		return arr
	}
}
