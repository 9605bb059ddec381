// Package convert turns recordings and API descriptions into gust scripts (`gust convert`):
// a HAR file (browser DevTools, proxies) into a journey that replays it, an OpenAPI document
// (FastAPI's /openapi.json) into one weighted task per operation.
package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// File converts data according to its kind: a HAR file (a JSON object with "log") or an
// OpenAPI document (JSON or YAML with "openapi" or "swagger"). name is the file's name, for
// the script's header comment and to tell YAML from JSON.
func File(name string, data []byte, all bool) (string, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &probe); err != nil {
			return "", fmt.Errorf("%s: not valid JSON: %v", name, err)
		}
		if _, ok := probe["log"]; ok {
			return HAR(data, HAROptions{All: all, Source: name})
		}
		if _, ok := probe["openapi"]; ok {
			return OpenAPI(data, name)
		}
		if _, ok := probe["swagger"]; ok {
			return OpenAPI(data, name)
		}
		return "", fmt.Errorf("%s: neither a HAR file (no \"log\") nor an OpenAPI document (no \"openapi\")", name)
	}
	return OpenAPI(data, name)
}

// jsValue writes v as a JavaScript literal: JSON is valid JavaScript.
func jsValue(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "undefined"
	}
	return strings.TrimSpace(b.String())
}

var identifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// jsObject writes an object literal with keys in the given order, bare where they can be.
func jsObject(order []string, m map[string]string) string {
	parts := make([]string, 0, len(order))
	for _, k := range order {
		key := k
		if !identifier.MatchString(k) {
			key = jsValue(k)
		}
		parts = append(parts, key+": "+jsValue(m[k]))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// idSegment matches a path segment that is an identifier rather than a route: a number, a
// UUID, a long hexadecimal string (hashes, Mongo ids).
var idSegment = regexp.MustCompile(`^(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{16,})$`)

// groupedName is the stats name of a path whose ids are replaced by [id] (/items/42 ->
// /items/[id]), or "" when the path has none, so that one row counts every id.
func groupedName(p string) string {
	segs := strings.Split(p, "/")
	changed := false
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = "[id]"
			changed = true
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(segs, "/")
}
