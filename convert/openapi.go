package convert

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// methodWeights weigh an operation's task by its method: reads are what users do most.
var methodWeights = map[string]int{"get": 3, "post": 1, "put": 1, "patch": 1, "delete": 1, "head": 1, "options": 1}

var methodOrder = []string{"get", "post", "put", "patch", "delete", "head", "options"}

// reserved are names a task method must not take: the user's own members and hooks.
var reserved = map[string]bool{"client": true, "id": true, "environment": true, "onStart": true,
	"onStop": true, "constructor": true, "interrupt": true, "user": true, "parent": true}

// openAPIDoc is a parsed document with $ref resolution against its root.
type openAPIDoc struct{ root map[string]any }

// OpenAPI converts an OpenAPI 3 (or Swagger 2) document, JSON or YAML, into a gust script with
// one weighted task per operation (GET 3, others 1), path and query parameters filled from the
// examples, defaults or types, and an example JSON or form body for operations that take one.
func OpenAPI(data []byte, source string) (string, error) {
	var root map[string]any
	if err := yaml.Unmarshal(data, &root); err != nil {
		return "", fmt.Errorf("%s: not a JSON or YAML document: %v", source, err)
	}
	if root["openapi"] == nil && root["swagger"] == nil {
		return "", fmt.Errorf("%s: not an OpenAPI document (no \"openapi\" or \"swagger\" field)", source)
	}
	d := openAPIDoc{root}
	paths, _ := root["paths"].(map[string]any)
	if len(paths) == 0 {
		return "", fmt.Errorf("%s: the document has no paths", source)
	}
	host, prefix := d.server()
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)

	used := map[string]bool{}
	var weights, methods []string
	for _, p := range keys {
		item, _ := d.deref(paths[p]).(map[string]any)
		for _, m := range methodOrder {
			op, ok := d.deref(item[m]).(map[string]any)
			if !ok {
				continue
			}
			name := uniqueName(taskName(op, m, p), used)
			weights = append(weights, fmt.Sprintf("%s: %d", name, methodWeights[m]))
			methods = append(methods, d.operation(name, m, prefix+p, item, op))
		}
	}
	if len(methods) == 0 {
		return "", fmt.Errorf("%s: the document's paths have no operations", source)
	}
	var b strings.Builder
	info, _ := root["info"].(map[string]any)
	title := fmt.Sprint(info["title"])
	if info == nil || info["title"] == nil {
		title = "the API"
	}
	fmt.Fprintf(&b, "// Converted by `gust convert` from %s (%s): one task per operation, GETs weighted 3, others 1.\n", oneLine(source), oneLine(title))
	b.WriteString("// Values in paths, queries and bodies are the document's examples or defaults, else placeholders: edit them.\n")
	b.WriteString("import { HttpUser, between } from \"gust\";\n\n")
	b.WriteString("export class APIUser extends HttpUser {\n")
	fmt.Fprintf(&b, "  static host = %s;\n", jsValue(host))
	b.WriteString("  static waitTime = between(1, 3);\n")
	fmt.Fprintf(&b, "  static tasks = { %s };\n", strings.Join(weights, ", "))
	for _, m := range methods {
		b.WriteString("\n" + m)
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// server is the host for the class (servers[0].url, Swagger's host) and a path prefix every
// operation's path takes (a relative server URL, Swagger's basePath).
func (d openAPIDoc) server() (host, prefix string) {
	host = "http://127.0.0.1:8000"
	if servers, ok := d.root["servers"].([]any); ok && len(servers) > 0 {
		s, _ := servers[0].(map[string]any)
		raw, _ := s["url"].(string)
		if u, err := url.Parse(raw); err == nil && raw != "" {
			if u.Host != "" {
				host = u.Scheme + "://" + u.Host
			}
			prefix = strings.TrimSuffix(u.Path, "/")
		}
	}
	if h, ok := d.root["host"].(string); ok && h != "" {
		scheme := "http"
		if ss, ok := d.root["schemes"].([]any); ok && len(ss) > 0 {
			scheme = fmt.Sprint(ss[0])
		}
		host = scheme + "://" + h
	}
	if bp, ok := d.root["basePath"].(string); ok {
		prefix = strings.TrimSuffix(bp, "/")
	}
	return host, prefix
}

// deref follows a {"$ref": "#/..."} to what it names (several hops, bounded against cycles).
func (d openAPIDoc) deref(v any) any {
	for range 16 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") {
			return v
		}
		var cur any = d.root
		for _, part := range strings.Split(ref[2:], "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cm, _ := cur.(map[string]any)
			cur = cm[part]
		}
		v = cur
	}
	return v
}

// operation writes one task method.
func (d openAPIDoc) operation(name, method, path string, item, op map[string]any) string {
	var params []any
	if ps, ok := item["parameters"].([]any); ok {
		params = append(params, ps...)
	}
	if ps, ok := op["parameters"].([]any); ok {
		params = append(params, ps...)
	}
	target := path
	grouped := path
	query := map[string]string{}
	var queryOrder []string
	var body any
	hasBody := false
	for _, raw := range params {
		p, _ := d.deref(raw).(map[string]any)
		pname, _ := p["name"].(string)
		switch p["in"] {
		case "path":
			v := d.paramExample(p)
			target = strings.ReplaceAll(target, "{"+pname+"}", url.PathEscape(fmt.Sprint(v)))
			grouped = strings.ReplaceAll(grouped, "{"+pname+"}", "["+pname+"]")
		case "query":
			if p["required"] == true || p["example"] != nil {
				if _, dup := query[pname]; !dup {
					queryOrder = append(queryOrder, pname)
				}
				query[pname] = fmt.Sprint(d.paramExample(p))
			}
		case "body": // Swagger 2
			body, hasBody = d.example(p["schema"], 0), true
		}
	}
	var opts []string
	if grouped != path || target != path {
		opts = append(opts, "name: "+jsValue(grouped))
	}
	if len(queryOrder) > 0 {
		opts = append(opts, "params: "+jsObject(queryOrder, query))
	}
	if rb, ok := d.deref(op["requestBody"]).(map[string]any); ok {
		content, _ := rb["content"].(map[string]any)
		for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"} {
			media, ok := content[ct].(map[string]any)
			if !ok {
				continue
			}
			ex := d.mediaExample(media)
			if ct == "application/json" {
				opts = append(opts, "json: "+jsValue(ex))
			} else {
				opts = append(opts, "form: "+jsValue(ex))
			}
			break
		}
	} else if hasBody {
		opts = append(opts, "json: "+jsValue(body))
	}
	var b strings.Builder
	summary, _ := op["summary"].(string)
	fmt.Fprintf(&b, "  // %s %s", strings.ToUpper(method), path)
	if summary != "" {
		fmt.Fprintf(&b, ": %s", oneLine(summary))
	}
	b.WriteString("\n")
	args := jsValue(target)
	if len(opts) > 0 {
		args += ", { " + strings.Join(opts, ", ") + " }"
	}
	fmt.Fprintf(&b, "  %s() {\n    this.client.%s(%s);\n  }\n", name, method, args)
	return b.String()
}

func (d openAPIDoc) paramExample(p map[string]any) any {
	if ex, ok := p["example"]; ok {
		return ex
	}
	if exs, ok := p["examples"].(map[string]any); ok {
		for _, k := range sortedKeys(exs) {
			if e, ok := d.deref(exs[k]).(map[string]any); ok && e["value"] != nil {
				return e["value"]
			}
		}
	}
	if s, ok := p["schema"]; ok {
		return d.example(s, 0)
	}
	return d.example(p, 0) // Swagger 2: the type is on the parameter
}

func (d openAPIDoc) mediaExample(media map[string]any) any {
	if ex, ok := media["example"]; ok {
		return ex
	}
	if exs, ok := media["examples"].(map[string]any); ok {
		for _, k := range sortedKeys(exs) {
			if e, ok := d.deref(exs[k]).(map[string]any); ok && e["value"] != nil {
				return e["value"]
			}
		}
	}
	return d.example(media["schema"], 0)
}

// example builds a value that fits a schema: its example or default, else one made from its
// type, properties and formats.
func (d openAPIDoc) example(raw any, depth int) any {
	s, ok := d.deref(raw).(map[string]any)
	if !ok || depth > 8 {
		return nil
	}
	for _, k := range []string{"example", "default", "const"} {
		if v, ok := s[k]; ok {
			return v
		}
	}
	if exs, ok := s["examples"].([]any); ok && len(exs) > 0 {
		return exs[0]
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts, ok := s[k].([]any); ok {
			for _, a := range alts {
				if as, _ := d.deref(a).(map[string]any); as["type"] != "null" {
					return d.example(a, depth+1)
				}
			}
		}
	}
	if all, ok := s["allOf"].([]any); ok {
		merged := map[string]any{}
		for _, a := range all {
			if m, ok := d.example(a, depth+1).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		return merged
	}
	typ := s["type"]
	if ts, ok := typ.([]any); ok && len(ts) > 0 { // OpenAPI 3.1: ["string", "null"]
		typ = ts[0]
	}
	if typ == nil && s["properties"] != nil {
		typ = "object"
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for k, v := range props {
			out[k] = d.example(v, depth+1)
		}
		return out
	case "array":
		return []any{d.example(s["items"], depth+1)}
	case "integer":
		return 1
	case "number":
		return 1.5
	case "boolean":
		return true
	case "string":
		switch s["format"] {
		case "date-time":
			return "2026-01-01T00:00:00Z"
		case "date":
			return "2026-01-01"
		case "email":
			return "user@example.com"
		case "uuid":
			return "00000000-0000-4000-8000-000000000000"
		case "uri", "url":
			return "http://127.0.0.1:8000/"
		}
		return "string"
	}
	return nil
}

// taskName is a method name for an operation: its summary or operationId in camelCase, else
// the method and path.
func taskName(op map[string]any, method, path string) string {
	for _, k := range []string{"summary", "operationId"} {
		if s, ok := op[k].(string); ok {
			if n := camel(s); n != "" && len(n) <= 40 {
				return n
			}
		}
	}
	return camel(method + " " + path)
}

// camel turns "Read Item", "read_item" or "get /items/{id}" into readItem-style identifiers.
func camel(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var b strings.Builder
	for i, w := range words {
		if strings.ToUpper(w) == w { // GET, API: one word, not an acronym in the middle
			w = strings.ToLower(w)
		}
		if i == 0 {
			w = strings.ToLower(w[:1]) + w[1:]
		} else {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	out := b.String()
	if out != "" && unicode.IsDigit(rune(out[0])) {
		out = "op" + out
	}
	return out
}

func uniqueName(n string, used map[string]bool) string {
	if n == "" {
		n = "operation"
	}
	base := n
	for i := 2; used[n] || reserved[n]; i++ {
		n = fmt.Sprintf("%s%d", base, i)
	}
	used[n] = true
	return n
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
