package js

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scriptVU loads a script with one User class plus body and returns a runtime with it loaded.
func scriptVU(t *testing.T, body string) *vu {
	t.Helper()
	src := "import { HttpUser } from \"gust\";\n" + body + "\nexport class U extends HttpUser { static tasks = { a: 1 }; a() {} }\n"
	s, err := Load(write(t, "s.js", src), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := newVU(s, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// eval runs JavaScript in v and returns its value as a string, or the exception's text.
func eval(v *vu, code string) string {
	val, err := v.rt.RunString(code)
	if err != nil {
		return "throws " + err.Error()
	}
	return val.String()
}

func TestWebGlobals(t *testing.T) {
	v := scriptVU(t, "")
	tests := []struct{ code, want string }{
		{`btoa("ann:secret")`, "YW5uOnNlY3JldA=="},
		{`atob("YW5uOnNlY3JldA==")`, "ann:secret"},
		{`atob(" YW5u OnNl Y3JldA ")`, "ann:secret"},
		{`atob(btoa("\xff\x00\x80")) === "\xff\x00\x80"`, "true"},
		{`try { btoa("é€") } catch (e) { e.name }`, "InvalidCharacterError"},
		{`try { atob("@@@") } catch (e) { e.name }`, "InvalidCharacterError"},
		{`new TextEncoder().encode("héllo").join(",")`, "104,195,169,108,108,111"},
		{`new TextEncoder().encoding`, "utf-8"},
		{`new TextDecoder().decode(new TextEncoder().encode("héllo €"))`, "héllo €"},
		{`new TextDecoder().decode(new Uint8Array([0xEF, 0xBB, 0xBF, 104, 105]).buffer)`, "hi"},
		{`new TextDecoder().decode(new Uint8Array([104, 0xFF, 105]))`, "h\uFFFDi"},
		{`new TextDecoder().decode(new Uint8Array([0, 104, 105, 0]).subarray(1, 3))`, "hi"},
		{`try { new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xFF])) } catch (e) { e.name }`, "TypeError"},
		{`try { new TextDecoder("latin2") } catch (e) { e.name }`, "RangeError"},
		{`new TextDecoder().decode()`, ""},
		{`const d = new TextDecoder(); const e = new TextEncoder().encode("a€b"); [d.decode(e.subarray(0, 2), { stream: true }), d.decode(e.subarray(2, 3), { stream: true }), d.decode(e.subarray(3))].join("|")`, "a||€b"},
		{`const d = new TextDecoder(); [d.decode(new Uint8Array([0xEF, 0xBB]), { stream: true }), d.decode(new Uint8Array([0xBF, 104]), { stream: true }), d.decode(new Uint8Array([0xEF, 0xBB, 0xBF, 105]))].map((s) => s.length).join()`, "0,1,2"},
		{`const d = new TextDecoder(); d.decode(new Uint8Array([104, 0xE2]), { stream: true }) + d.decode()`, "h\uFFFD"},
		{`const d = new TextDecoder("utf-8", { fatal: true }); d.decode(new Uint8Array([0xE2]), { stream: true }); try { d.decode() } catch (e) { e.name }`, "TypeError"},
		{`const d = new TextDecoder(); d.decode(new Uint8Array([104]), { stream: true }); d.decode(); d.decode(new Uint8Array([0xEF, 0xBB, 0xBF, 105]))`, "i"},
		{`const u = new URL("http://x/a?b=1"); u.searchParams.set("c", "2"); u.toString()`, "http://x/a?b=1&c=2"},
		{`new URL("../c?d=1#h", "https://Example.com:443/a/b/").href`, "https://example.com/a/c?d=1#h"},
		{`const w = new URL("http://u:p@h:8080/p"); [w.origin, w.host, w.hostname, w.port, w.username, w.password, w.pathname].join("|")`, "http://h:8080|h:8080|h|8080|u|p|/p"},
		{`new URL("http://h").pathname`, "/"},
		{`const x = new URL("http://h/a?q=1"); x.search = "z=9"; [x.href, x.searchParams.get("z")].join(" ")`, "http://h/a?z=9 9"},
		{`const y = new URL("http://h/"); y.pathname = "a b"; y.hash = "top"; y.href`, "http://h/a%20b#top"},
		{`try { new URL("/relative") } catch (e) { e.name }`, "TypeError"},
		{`[URL.canParse("http://h"), URL.canParse("nope")].join()`, "true,false"},
		{`JSON.stringify({ u: new URL("http://h/x") })`, `{"u":"http://h/x"}`},
		{`new URLSearchParams({ q: "a b" }).toString()`, "q=a+b"},
		{`new URLSearchParams("?a=1&b=x%20y&a=2&c=*!").getAll("a").join()`, "1,2"},
		{`new URLSearchParams("b=x+y%26").get("b")`, "x y&"},
		{`new URLSearchParams([["x", "1"], ["y", "~'"]]).toString()`, "x=1&y=%7E%27"},
		{`const p = new URLSearchParams("a=1&b=2&a=3"); p.set("a", "9"); p.delete("b"); p.append("c", ""); [p.toString(), p.size, p.has("c")].join(" ")`, "a=9&c= 2 true"},
		{`const s = new URLSearchParams("b=2&a=1&b=1"); s.sort(); [...s].map(e => e.join(":")).join()`, "a:1,b:2,b:1"},
		{`const k = new URLSearchParams("a=1&b=2"); [...k.keys()].join() + ";" + [...k.values()].join()`, "a,b;1,2"},
		{`/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID())`, "true"},
		{`crypto.randomUUID() !== crypto.randomUUID()`, "true"},
		{`const r = crypto.getRandomValues(new Uint8Array(64)); r.length === 64 && r.some(b => b !== 0)`, "true"},
		{`const r32 = new Uint32Array(4); crypto.getRandomValues(r32) === r32`, "true"},
		{`try { crypto.getRandomValues(new Float64Array(2)) } catch (e) { e.name }`, "TypeMismatchError"},
		{`try { crypto.getRandomValues(new Uint8Array(65537)) } catch (e) { e.name }`, "QuotaExceededError"},
		{`const t0 = performance.now(); typeof t0 === "number" && t0 >= 0 && performance.now() >= t0`, "true"},
		{`const o = { a: [1, { b: 2 }], d: new Date(5), m: new Map([[1, "x"]]), s: new Set([1]) }; o.self = o; const c = structuredClone(o);
		  [c !== o, c.a[1] !== o.a[1], c.a[1].b, c.d.getTime(), c.m.get(1), c.s.has(1), c.self === c].join()`, "true,true,2,5,x,true,true"},
		{`const buf = new Uint8Array([1, 2, 3]); const cb = structuredClone(buf); cb[0] = 9; [buf[0], cb[0], cb instanceof Uint8Array].join()`, "1,9,true"},
		{`try { structuredClone({ f() {} }) } catch (e) { e.name }`, "DataCloneError"},
		{`structuredClone(new RangeError("r")).name`, "RangeError"},
	}
	for _, tc := range tests {
		// Each case in a block of its own, so that consts do not clash.
		if got := eval(v, "{"+tc.code+"}"); got != tc.want {
			t.Errorf("%s\n  = %q, want %q", tc.code, got, tc.want)
		}
	}
}

// A runtime that never reads a web global builds none of them.
func TestWebGlobalsAreLazy(t *testing.T) {
	v := scriptVU(t, "")
	built := func() (names []string) {
		for _, n := range v.natives {
			names = append(names, n.name)
		}
		return names
	}
	if got := strings.Join(built(), ","); got != "HttpUser" {
		t.Fatalf("a fresh runtime built %s, want only the imported HttpUser", got)
	}
	eval(v, "btoa('x')")
	if got := strings.Join(built(), ","); got != "HttpUser,btoa" {
		t.Fatalf("reading btoa built %s", got)
	}
}

func TestCryptoAndEncodingModules(t *testing.T) {
	// Both import styles: named, namespace/default, and the CommonJS path (a require()).
	v := scriptVU(t, `import { md5, sha1, sha256, sha384, sha512, hmac } from "gust/crypto";
import * as enc from "gust/encoding";
import crypto2 from "gust/crypto";
globalThis.h = { md5, sha1, sha256, sha384, sha512, hmac, enc, crypto2 };`)
	tests := []struct{ code, want string }{
		{`h.md5("abc", "hex")`, "900150983cd24fb0d6963f7d28e17f72"},
		{`h.sha1("abc", "hex")`, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{`h.sha256("abc", "hex")`, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{`h.sha256("abc")`, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{`h.sha256("abc", "base64")`, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="},
		{`h.sha256("abc", "base64url")`, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0="},
		{`h.sha256("abc", "base64rawurl")`, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"},
		{`h.sha256(new TextEncoder().encode("abc"), "hex") === h.sha256("abc", "hex")`, "true"},
		{`h.sha256(new TextEncoder().encode("abc").buffer, "hex") === h.sha256("abc", "hex")`, "true"},
		{`h.sha384("abc").slice(0, 16)`, "cb00753f45a35e8b"},
		{`h.sha512("abc").slice(0, 16)`, "ddaf35a193617aba"},
		{`h.sha1("abc", "binary").length`, "20"},
		{`h.hmac("sha256", "key", "The quick brown fox jumps over the lazy dog", "hex")`, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"},
		{`h.hmac("md5", "key", "The quick brown fox jumps over the lazy dog", "hex")`, "80070713463e7749b90c2dc24911e275"},
		{`h.hmac("SHA1", "key", "The quick brown fox jumps over the lazy dog", "base64")`, "3nybhbi3iqa8ino29wqQcBydtNk="},
		{`try { h.hmac("sha3", "k", "d") } catch (e) { e.message }`, "hmac: unknown algorithm \"sha3\" (known: md5, sha1, sha224, sha256, sha384, sha512, sha512_224, sha512_256)"},
		{`try { h.md5("x", "hax") } catch (e) { e.message.slice(0, 34) }`, "md5: unknown output encoding \"hax\""},
		{`h.crypto2.sha1("abc")`, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{`h.enc.b64encode("ann:secret")`, "YW5uOnNlY3JldA=="},
		{`h.enc.b64encode("\u00ff\u00fe?", "url")`, "w7_Dvj8="},
		{`h.enc.b64encode("\u00ff\u00fe?", "rawurl")`, "w7_Dvj8"},
		{`h.enc.b64encode(new Uint8Array([251, 255]), "rawstd")`, "+/8"},
		{`h.enc.b64decode("YW5uOnNlY3JldA==", "std", "s")`, "ann:secret"},
		{`h.enc.b64decode("YW5uOnNlY3JldA", "std", "s")`, "ann:secret"},
		{`h.enc.b64decode("w7_Dvj8", "rawurl", "s")`, "ÿþ?"},
		{`new Uint8Array(h.enc.b64decode("+/8=")).join()`, "251,255"},
		{`try { h.enc.b64decode("!!", "std") } catch (e) { e.name }`, "TypeError"},
		{`try { h.enc.b64encode("x", "base32") } catch (e) { e.message }`, "unknown base64 alphabet \"base32\" (known: std, rawstd, url, rawurl)"},
	}
	for _, tc := range tests {
		if got := eval(v, tc.code); got != tc.want {
			t.Errorf("%s\n  = %q, want %q", tc.code, got, tc.want)
		}
	}
}

// The CommonJS form (a script esmToScript does not rewrite) resolves gust's modules too.
func TestModulesThroughRequire(t *testing.T) {
	v := scriptVU(t, `import { sha1 } from "gust/crypto";
export const meta = import.meta;
globalThis.s1 = sha1;`)
	if v.s.esm {
		t.Fatal("import.meta should have sent the script down the CommonJS path")
	}
	if got := eval(v, `s1("abc")`); got != "a9993e364706816aba3e25717850c26c9cd0d89d" {
		t.Fatalf("sha1 through require: %q", got)
	}
}

// What a script cannot import is refused at load with a message that lists what it can.
func TestImportErrorListsWhatIsImportable(t *testing.T) {
	for _, src := range []string{
		`import { x } from "gust/nope";`,
		`import http from "k6/http";`,
	} {
		_, err := Load(write(t, "bad.js", src+"\nimport { HttpUser } from \"gust\";\nexport class U extends HttpUser { static tasks = { a: 1 }; a() {} }\n"), LoadOptions{})
		if err == nil {
			t.Fatalf("%s loaded", src)
		}
		for _, want := range []string{`"gust/crypto"`, `"gust/encoding"`, "node_modules", "relative files", "bad.js:1:"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %s", src, err, want)
			}
		}
	}
}

// A package installed in node_modules is bundled, as the import message says.
func TestNodeModulesImport(t *testing.T) {
	path := write(t, "s.js", "")
	root := strings.TrimSuffix(path, "s.js")
	mustWrite(t, root+"node_modules/lefty/package.json", `{"name":"lefty","main":"index.js"}`)
	mustWrite(t, root+"node_modules/lefty/index.js", `module.exports = function pad(s, n) { return String(s).padStart(n, "0"); };`)
	mustWrite(t, path, "import pad from \"lefty\";\nimport { HttpUser } from \"gust\";\nglobalThis.padded = pad(7, 3);\nexport class U extends HttpUser { static tasks = { a: 1 }; a() {} }\n")
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := newVU(s, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := eval(v, "padded"); got != "007" {
		t.Fatalf("padded = %q", got)
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A misspelt import from a gust submodule fails at load, naming it and what the module has.
func TestSubmoduleImportChecked(t *testing.T) {
	_, err := Load(write(t, "bad.js", "import { sha265 } from \"gust/crypto\";\nimport { HttpUser } from \"gust\";\nexport class U extends HttpUser { static tasks = { a: 1 }; a() { sha265(\"x\"); } }\n"), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `"gust/crypto" has no export named "sha265"`) || !strings.Contains(err.Error(), "bad.js:1") {
		t.Fatalf("err = %v", err)
	}
}
