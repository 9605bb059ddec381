package js

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// gust's modules besides "gust" itself: "gust/crypto" (k6/crypto's hashing shape) and
// "gust/encoding" (k6/encoding's base64). Each is an object of lazily built methods.

// importable says what a script may import, for the messages that refuse anything else.
const importable = `"gust", "gust/crypto", "gust/encoding", relative files (./x.js) and packages installed in node_modules`

// gustModules are the names of gust's submodules with their exports.
var gustModules = map[string][]string{
	"gust/crypto":   {"md5", "sha1", "sha256", "sha384", "sha512", "hmac"},
	"gust/encoding": {"b64encode", "b64decode"},
}

// moduleNative builds a submodule object (native("gust/crypto")); nil for an unknown name.
func (v *vu) moduleNative(name string) goja.Value {
	names, ok := gustModules[name]
	if !ok {
		return nil
	}
	build := v.cryptoFn
	if name == "gust/encoding" {
		build = v.encodingFn
	}
	return v.rt.NewDynamicObject(&lazyMethods{rt: v.rt, names: names, build: build})
}

// requireModule is what an import of a gust submodule resolves to at run time; anything else
// is refused with a message that says what can be imported.
func (v *vu) requireModule(name string) goja.Value {
	if _, ok := gustModules[name]; ok {
		return v.native(name)
	}
	panic(v.rt.NewGoError(fmt.Errorf("cannot import %q: a gust script can import %s", name, importable)))
}

// hashes are the digests of gust/crypto by name.
var hashes = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New, "sha512_224": sha512.New512_224, "sha512_256": sha512.New512_256,
}

// hashNames lists hashes' keys for messages, sorted.
func hashNames() string {
	var names []string
	for k := range hashes {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// cryptoFn builds one function of gust/crypto: a digest (data, encoding) or hmac(alg, key,
// data, encoding).
func (v *vu) cryptoFn(name string) func(goja.FunctionCall) goja.Value {
	rt := v.rt
	if name == "hmac" {
		return func(call goja.FunctionCall) goja.Value {
			alg := strings.ToLower(call.Argument(0).String())
			h, ok := hashes[alg]
			if !ok {
				panic(rt.NewTypeError(fmt.Sprintf("hmac: unknown algorithm %q (known: %s)", call.Argument(0).String(), hashNames())))
			}
			mac := hmac.New(h, dataBytes(rt, call.Argument(1), "hmac key"))
			mac.Write(dataBytes(rt, call.Argument(2), "hmac"))
			return v.digestOut(mac.Sum(nil), call.Argument(3), "hmac")
		}
	}
	h := hashes[name]
	return func(call goja.FunctionCall) goja.Value {
		d := h()
		d.Write(dataBytes(rt, call.Argument(0), name))
		return v.digestOut(d.Sum(nil), call.Argument(1), name)
	}
}

// digestOut writes a digest in the encoding asked for: hex (the default), base64,
// base64url, base64rawurl, or binary (a binary string).
func (v *vu) digestOut(sum []byte, encArg goja.Value, fn string) goja.Value {
	enc := "hex"
	if !goja.IsUndefined(encArg) && !goja.IsNull(encArg) {
		enc = encArg.String()
	}
	var out string
	switch enc {
	case "hex":
		out = hex.EncodeToString(sum)
	case "base64":
		out = base64.StdEncoding.EncodeToString(sum)
	case "base64url":
		out = base64.URLEncoding.EncodeToString(sum)
	case "base64rawurl":
		out = base64.RawURLEncoding.EncodeToString(sum)
	case "binary":
		out = binaryString(sum)
	default:
		panic(v.rt.NewTypeError(fmt.Sprintf("%s: unknown output encoding %q (known: hex, base64, base64url, base64rawurl, binary)", fn, enc)))
	}
	return v.rt.ToValue(out)
}

// alphabets are gust/encoding's base64 variants by name; decoding accepts a string with or
// without its padding.
var alphabets = map[string][2]*base64.Encoding{
	"std":    {base64.StdEncoding, base64.RawStdEncoding},
	"rawstd": {base64.RawStdEncoding, base64.StdEncoding},
	"url":    {base64.URLEncoding, base64.RawURLEncoding},
	"rawurl": {base64.RawURLEncoding, base64.URLEncoding},
}

// encodingFn builds b64encode(data, alphabet) and b64decode(data, alphabet, format).
func (v *vu) encodingFn(name string) func(goja.FunctionCall) goja.Value {
	rt := v.rt
	alphabet := func(val goja.Value) [2]*base64.Encoding {
		name := "std"
		if !goja.IsUndefined(val) && !goja.IsNull(val) && val.String() != "" {
			name = val.String()
		}
		a, ok := alphabets[name]
		if !ok {
			panic(rt.NewTypeError(fmt.Sprintf("unknown base64 alphabet %q (known: std, rawstd, url, rawurl)", name)))
		}
		return a
	}
	if name == "b64encode" {
		return func(call goja.FunctionCall) goja.Value {
			return rt.ToValue(alphabet(call.Argument(1))[0].EncodeToString(dataBytes(rt, call.Argument(0), "b64encode")))
		}
	}
	return func(call goja.FunctionCall) goja.Value {
		a := alphabet(call.Argument(1))
		s := call.Argument(0).String()
		b, err := a[0].DecodeString(s)
		if err != nil {
			if b, err = a[1].DecodeString(s); err != nil {
				panic(rt.NewTypeError(fmt.Sprintf("b64decode: %q is not valid base64 of that alphabet", s)))
			}
		}
		if call.Argument(2).String() == "s" {
			return rt.ToValue(string(b))
		}
		return rt.ToValue(rt.NewArrayBuffer(b))
	}
}
