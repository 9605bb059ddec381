package js

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/dop251/goja"
)

// multipartBody encodes form fields and files ({ field: { name, content, type } }, or a
// field's content alone) as multipart/form-data, as Locust's files= does; it returns the
// body and its Content-Type.
func multipartBody(rt *goja.Runtime, form, files *goja.Object) ([]byte, string, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if form != nil {
		for _, k := range form.Keys() {
			x := form.Get(k)
			vals := []string{x.String()}
			if arr, ok := x.Export().([]any); ok {
				vals = vals[:0]
				for _, a := range arr {
					vals = append(vals, fmt.Sprint(a))
				}
			}
			for _, s := range vals {
				if err := w.WriteField(k, s); err != nil {
					return nil, "", err
				}
			}
		}
	}
	for _, field := range files.Keys() {
		f := files.Get(field)
		name, ctype := field, "application/octet-stream"
		content := f
		if o, ok := f.(*goja.Object); ok {
			if _, isBuf := f.Export().(goja.ArrayBuffer); !isBuf {
				content = o.Get("content")
				if content == nil || goja.IsUndefined(content) {
					return nil, "", fmt.Errorf("files.%s: no content (want { name, content, type })", field)
				}
				if n := o.Get("name"); n != nil && !goja.IsUndefined(n) {
					name = n.String()
				}
				if t := o.Get("type"); t != nil && !goja.IsUndefined(t) {
					ctype = t.String()
				}
			}
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(field), quoteEscaper.Replace(name)))
		h.Set("Content-Type", ctype)
		part, err := w.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		if _, err := part.Write(bytesOf(content)); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// compressBody encodes a request body for the compress option ("gzip" or "deflate").
func compressBody(enc string, body []byte) ([]byte, error) {
	var b bytes.Buffer
	switch enc {
	case "gzip":
		z := gzip.NewWriter(&b)
		z.Write(body)
		z.Close()
	case "deflate":
		z := zlib.NewWriter(&b)
		z.Write(body)
		z.Close()
	default:
		return nil, fmt.Errorf("compress: %q (want \"gzip\" or \"deflate\")", enc)
	}
	return b.Bytes(), nil
}
