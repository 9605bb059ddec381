package js

import (
	"github.com/dop251/goja"
)

// webSources are the web globals written in JavaScript over Go natives; each is a function of
// native() (see gust_sources.go), compiled once per process and run in a runtime on first use.
var webSources = map[string]string{
	"TextEncoder": `(function (native) {
  const encode = native("__utf8encode");
  return class TextEncoder {
    get encoding() { return "utf-8"; }
    encode(input = "") { return new Uint8Array(encode(String(input))); }
    encodeInto(input, dest) {
      const bytes = this.encode(input);
      const n = Math.min(bytes.length, dest.length);
      dest.set(bytes.subarray(0, n));
      return { read: n === bytes.length ? String(input).length : undefined, written: n };
    }
  };
})`,
	"TextDecoder": `(function (native) {
  const decode = native("__utf8decode");
  const labels = ["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"];
  // tail is how many bytes at the end of b begin a UTF-8 sequence that is not complete yet.
  const tail = (b) => {
    for (let i = 1; i <= Math.min(3, b.length); i++) {
      const c = b[b.length - i];
      if ((c & 0xC0) === 0x80) continue;
      const need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      return need > i ? i : 0;
    }
    return 0;
  };
  return class TextDecoder {
    #fatal; #ignoreBOM; #pending = null; #begun = false;
    constructor(label = "utf-8", options = {}) {
      if (!labels.includes(String(label).trim().toLowerCase())) {
        throw new RangeError("TextDecoder: the encoding " + JSON.stringify(String(label)) + " is not supported (gust decodes utf-8)");
      }
      this.#fatal = !!(options && options.fatal);
      this.#ignoreBOM = !!(options && options.ignoreBOM);
    }
    get encoding() { return "utf-8"; }
    get fatal() { return this.#fatal; }
    get ignoreBOM() { return this.#ignoreBOM; }
    // With { stream: true } a sequence cut at the end of input waits for the next call, and a
    // BOM is only taken off the stream's start; a call without it ends the stream.
    decode(input, options) {
      const stream = !!(options && options.stream);
      if (!stream && this.#pending === null && !this.#begun) return decode(input, this.#fatal, this.#ignoreBOM);
      let b = input === undefined ? new Uint8Array(0)
        : ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
      if (this.#pending !== null) {
        const joined = new Uint8Array(this.#pending.length + b.length);
        joined.set(this.#pending);
        joined.set(b, this.#pending.length);
        b = joined;
        this.#pending = null;
      }
      if (stream) {
        const cut = tail(b);
        if (cut > 0) {
          this.#pending = b.slice(b.length - cut);
          b = b.subarray(0, b.length - cut);
        }
      }
      const out = decode(b, this.#fatal, this.#ignoreBOM || this.#begun);
      this.#begun = stream && (this.#begun || b.length > 0);
      return out;
    }
  };
})`,
	// URL and URLSearchParams (the WHATWG shapes), parsed by Go's net/url; a URL's searchParams
	// and its search stay in step both ways.
	"__urlClasses": `(function (native) {
  const parse = native("__parseURL");
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, "+").replace(/[!'()~]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  const dec = (s) => { s = s.replace(/\+/g, " "); try { return decodeURIComponent(s); } catch (e) { return s; } };
  const parseQuery = (q) => {
    const out = [];
    if (q.startsWith("?")) q = q.slice(1);
    const parts = q.split("&");
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === "") continue;
      const at = parts[i].indexOf("=");
      out.push(at < 0 ? [dec(parts[i]), ""] : [dec(parts[i].slice(0, at)), dec(parts[i].slice(at + 1))]);
    }
    return out;
  };
  class URLSearchParams {
    #list = []; #url = null;
    constructor(init = "") {
      if (init instanceof URLSearchParams) { this.#list = init.#list.map((p) => [p[0], p[1]]); return; }
      if (init !== null && typeof init === "object") {
        if (typeof init[Symbol.iterator] === "function") {
          for (const pair of init) {
            const p = Array.from(pair);
            if (p.length !== 2) throw new TypeError("URLSearchParams: each pair must have two elements");
            this.#list.push([String(p[0]), String(p[1])]);
          }
        } else {
          const keys = Object.keys(init);
          for (let i = 0; i < keys.length; i++) this.#list.push([keys[i], String(init[keys[i]])]);
        }
        return;
      }
      this.#list = parseQuery(String(init));
    }
    static __link(params, url, search) { params.#url = url; params.#list = parseQuery(search); }
    static __reset(params, search) { params.#list = parseQuery(search); }
    #update() { if (this.#url) URL.__setSearch(this.#url, this.toString()); }
    get size() { return this.#list.length; }
    append(name, value) { this.#list.push([String(name), String(value)]); this.#update(); }
    delete(name, value) {
      name = String(name);
      this.#list = this.#list.filter((p) => p[0] !== name || (value !== undefined && p[1] !== String(value)));
      this.#update();
    }
    get(name) { const p = this.#list.find((p) => p[0] === String(name)); return p ? p[1] : null; }
    getAll(name) { return this.#list.filter((p) => p[0] === String(name)).map((p) => p[1]); }
    has(name, value) { return this.#list.some((p) => p[0] === String(name) && (value === undefined || p[1] === String(value))); }
    set(name, value) {
      name = String(name); value = String(value);
      const i = this.#list.findIndex((p) => p[0] === name);
      if (i < 0) this.#list.push([name, value]);
      else {
        this.#list = this.#list.filter((p, j) => j <= i || p[0] !== name);
        this.#list[i] = [name, value];
      }
      this.#update();
    }
    sort() {
      this.#list = this.#list.map((p, i) => [p, i]).sort((a, b) => (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : a[1] - b[1])).map((x) => x[0]);
      this.#update();
    }
    forEach(fn, thisArg) { const l = this.#list.slice(); for (let i = 0; i < l.length; i++) fn.call(thisArg, l[i][1], l[i][0], this); }
    keys() { return this.#list.map((p) => p[0])[Symbol.iterator](); }
    values() { return this.#list.map((p) => p[1])[Symbol.iterator](); }
    entries() { return this.#list.map((p) => [p[0], p[1]])[Symbol.iterator](); }
    [Symbol.iterator]() { return this.entries(); }
    toString() { return this.#list.map((p) => enc(p[0]) + "=" + enc(p[1])).join("&"); }
    get [Symbol.toStringTag]() { return "URLSearchParams"; }
  }
  const parts = (input, base) => {
    const p = parse(String(input), base === undefined ? undefined : String(base));
    if (p === null) throw new TypeError("Invalid URL: " + JSON.stringify(String(input)) + (base === undefined ? "" : " against " + JSON.stringify(String(base))));
    return p;
  };
  class URL {
    #p; #params = null;
    constructor(url, base) { this.#p = parts(url, base); }
    static canParse(url, base) { return parse(String(url), base === undefined ? undefined : String(base)) !== null; }
    static __setSearch(u, q) { u.#p[6] = q === "" ? "" : "?" + q; }
    #set(i, v) { const p = this.#p.slice(); p[i] = v; this.#p = parts(URL.#href(p)); if (this.#params) URLSearchParams.__reset(this.#params, this.#p[6]); }
    static #href(p) {
      const auth = p[1] !== "" || p[2] !== "" ? p[1] + (p[2] !== "" ? ":" + p[2] : "") + "@" : "";
      const host = p[3] + (p[4] !== "" ? ":" + p[4] : "");
      return p[0] + (p[8] || host !== "" ? "//" + auth + host : "") + p[5] + p[6] + p[7];
    }
    get href() { return URL.#href(this.#p); }
    set href(v) { this.#p = parts(v); if (this.#params) URLSearchParams.__reset(this.#params, this.#p[6]); }
    get origin() { return this.#p[8] && this.#p[0] !== "file:" ? this.#p[0] + "//" + this.host : "null"; }
    get protocol() { return this.#p[0]; }
    set protocol(v) { v = String(v); this.#set(0, v.endsWith(":") ? v : v + ":"); }
    get username() { return this.#p[1]; }
    set username(v) { this.#set(1, encodeURIComponent(String(v))); }
    get password() { return this.#p[2]; }
    set password(v) { this.#set(2, encodeURIComponent(String(v))); }
    get host() { return this.#p[3] + (this.#p[4] !== "" ? ":" + this.#p[4] : ""); }
    set host(v) { const s = String(v); const at = s.lastIndexOf(":"); if (at > s.lastIndexOf("]")) { this.#set(3, s.slice(0, at)); this.#set(4, s.slice(at + 1)); } else this.#set(3, s); }
    get hostname() { return this.#p[3]; }
    set hostname(v) { this.#set(3, String(v)); }
    get port() { return this.#p[4]; }
    set port(v) { this.#set(4, String(v)); }
    get pathname() { return this.#p[5]; }
    set pathname(v) { v = String(v); this.#set(5, v.startsWith("/") || !this.#p[8] ? v : "/" + v); }
    get search() { return this.#p[6].length > 1 ? this.#p[6] : ""; }
    set search(v) { v = String(v); this.#set(6, v === "" || v === "?" ? "" : v.startsWith("?") ? v : "?" + v); }
    get searchParams() {
      if (!this.#params) { this.#params = new URLSearchParams(); URLSearchParams.__link(this.#params, this, this.#p[6]); }
      return this.#params;
    }
    get hash() { return this.#p[7].length > 1 ? this.#p[7] : ""; }
    set hash(v) { v = String(v); this.#set(7, v === "" || v === "#" ? "" : v.startsWith("#") ? v : "#" + v); }
    toString() { return this.href; }
    toJSON() { return this.href; }
    get [Symbol.toStringTag]() { return "URL"; }
  }
  return { URL, URLSearchParams };
})`,
	// structuredClone: a deep copy of plain data (objects, arrays, Date, RegExp, Map, Set,
	// ArrayBuffer and views, errors, boxed primitives), cycles and shared references kept;
	// functions and symbols cannot be cloned (DataCloneError), as in browsers.
	"structuredClone": `(function () {
  const fail = (what) => { const e = new Error("structuredClone: " + what + " could not be cloned"); e.name = "DataCloneError"; throw e; };
  return function structuredClone(value) {
    if (arguments.length === 0) throw new TypeError("structuredClone(value): the value is missing");
    const seen = new Map();
    const clone = (v) => {
      if (typeof v === "symbol") fail("a Symbol");
      if (typeof v === "function") fail("a function");
      if (v === null || typeof v !== "object") return v;
      if (seen.has(v)) return seen.get(v);
      let out;
      if (Array.isArray(v)) {
        out = new Array(v.length);
        seen.set(v, out);
        for (let i = 0; i < v.length; i++) if (i in v) out[i] = clone(v[i]);
        return out;
      }
      if (v instanceof Map) { out = new Map(); seen.set(v, out); v.forEach((x, k) => out.set(clone(k), clone(x))); return out; }
      if (v instanceof Set) { out = new Set(); seen.set(v, out); v.forEach((x) => out.add(clone(x))); return out; }
      if (v instanceof Date) out = new Date(v.getTime());
      else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
      else if (v instanceof ArrayBuffer) out = v.slice(0);
      else if (ArrayBuffer.isView(v)) {
        const buf = clone(v.buffer);
        out = v instanceof DataView ? new DataView(buf, v.byteOffset, v.byteLength) : new v.constructor(buf, v.byteOffset, v.length);
      } else if (v instanceof Error) {
        const C = { EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError }[v.name] || Error;
        out = new C(v.message);
        if (v.name !== out.name) out.name = String(v.name);
        if (v.stack !== undefined) out.stack = v.stack;
      } else if (v instanceof Boolean || v instanceof Number || v instanceof String) out = Object(v.valueOf());
      else if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) fail("a " + v.constructor.name);
      else {
        out = {};
        seen.set(v, out);
        const keys = Object.keys(v);
        for (let i = 0; i < keys.length; i++) out[keys[i]] = clone(v[keys[i]]);
        return out;
      }
      seen.set(v, out);
      return out;
    };
    return clone(value);
  };
})`,
}

// webPrograms holds webSources compiled; filled at init and only read afterwards.
var webPrograms = func() map[string]*goja.Program {
	out := make(map[string]*goja.Program, len(webSources))
	for name, src := range webSources {
		out[name] = goja.MustCompile("gust:"+name, src, true)
	}
	return out
}()

// webFromClasses are the globals that one program defines together.
var webFromClasses = map[string]string{"URL": "__urlClasses", "URLSearchParams": "__urlClasses"}

// buildWeb runs the program of one web global in v's runtime; the caller caches it.
func (v *vu) buildWeb(name string) goja.Value {
	val, err := v.rt.RunProgram(webPrograms[name])
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(val)
	if val, err = fn(goja.Undefined(), v.nativeFn()); err != nil {
		panic(err)
	}
	return val
}

// webClass is URL or URLSearchParams, from the program that defines both.
func (v *vu) webClass(name string) goja.Value {
	return v.native(webFromClasses[name]).ToObject(v.rt).Get(name)
}
