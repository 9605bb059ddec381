package convert

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// harEntryJSON builds one HAR entry the way browsers write them.
func harEntryJSON(page, at, method, url string, headers [][2]string, mime, body string, status int, respMime, redirect string) map[string]any {
	hs := []map[string]string{}
	for _, h := range headers {
		hs = append(hs, map[string]string{"name": h[0], "value": h[1]})
	}
	req := map[string]any{"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": hs,
		"queryString": []any{}, "cookies": []any{}, "headersSize": -1, "bodySize": len(body)}
	if body != "" {
		req["postData"] = map[string]any{"mimeType": mime, "text": body}
	}
	e := map[string]any{"startedDateTime": at, "time": 5, "request": req,
		"response": map[string]any{"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": []any{},
			"cookies": []any{}, "content": map[string]any{"size": 2, "mimeType": respMime}, "redirectURL": redirect,
			"headersSize": -1, "bodySize": 2},
		"cache": map[string]any{}, "timings": map[string]any{"send": 0, "wait": 5, "receive": 0}}
	if page != "" {
		e["pageref"] = page
	}
	return e
}

func browserRecording(t *testing.T) []byte {
	t.Helper()
	noise := [][2]string{{":authority", "shop.test"}, {"User-Agent", "Mozilla/5.0"}, {"Accept-Encoding", "gzip, br"},
		{"sec-ch-ua", `"Chromium";v="130"`}, {"Cookie", "sid=abc"}, {"Referer", "http://shop.test/"}, {"Accept-Language", "en"}}
	h := func(extra ...[2]string) [][2]string { return append(append([][2]string{}, noise...), extra...) }
	entries := []any{
		// Entries out of order in the file: the converter sorts them by start time.
		harEntryJSON("page_2", "2026-11-30T10:00:05.000Z", "GET", "http://shop.test/items/42?full=1", h([2]string{"Accept", "application/json"}), "", "", 200, "application/json", ""),
		harEntryJSON("page_1", "2026-11-30T10:00:00.000Z", "GET", "http://shop.test/", h(), "", "", 200, "text/html", ""),
		harEntryJSON("page_1", "2026-11-30T10:00:00.100Z", "GET", "http://shop.test/static/app.js", h(), "", "", 200, "application/javascript", ""),
		harEntryJSON("page_1", "2026-11-30T10:00:00.200Z", "GET", "http://shop.test/logo", h(), "", "", 200, "image/png", ""),
		harEntryJSON("page_1", "2026-11-30T10:00:00.300Z", "GET", "https://cdn.other.test/lib.json", h(), "", "", 200, "application/json", ""),
		harEntryJSON("page_1", "2026-11-30T10:00:01.000Z", "POST", "http://shop.test/login", h([2]string{"Content-Type", "application/x-www-form-urlencoded"}), "application/x-www-form-urlencoded", "user=ann&pass=s%26cret", 303, "text/html", "/account"),
		harEntryJSON("page_1", "2026-11-30T10:00:01.100Z", "GET", "http://shop.test/account", h(), "", "", 200, "text/html", ""),
		harEntryJSON("page_2", "2026-11-30T10:00:06.000Z", "POST", "http://shop.test/cart/3f2a9c1e-0b1d-4e5f-9a8b-7c6d5e4f3a2b/items", h([2]string{"Content-Type", "application/json"}, [2]string{"X-CSRF-Token", "t0k"}), "application/json", `{"id": 42, "qty": 1}`, 201, "application/json", ""),
		harEntryJSON("page_2", "2026-11-30T10:00:07.000Z", "PUT", "http://shop.test/notes", h([2]string{"Content-Type", "text/plain"}), "text/plain", "hello \"there\"", 200, "text/plain", ""),
		harEntryJSON("page_2", "2026-11-30T10:00:08.000Z", "PURGE", "http://shop.test/cache", h(), "", "", 200, "text/plain", ""),
	}
	doc := map[string]any{"log": map[string]any{"version": "1.2", "creator": map[string]any{"name": "test", "version": "1"},
		"pages": []any{
			map[string]any{"id": "page_1", "title": "Shop home", "startedDateTime": "2026-11-30T10:00:00.000Z"},
			map[string]any{"id": "page_2", "title": "Item 42", "startedDateTime": "2026-11-30T10:00:05.000Z"},
		}, "entries": entries}}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestHARBecomesAJourney(t *testing.T) {
	src, err := HAR(browserRecording(t), HAROptions{Source: "shop.har"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`class Recording extends SequentialTaskSet`,
		`static tasks = ["page1","page2"];`,
		`static host = "http://shop.test";`,
		"  // Shop home\n  page1() {\n    this.client.get(\"/\");\n" +
			`    this.client.post("/login", { form: { user: "ann", pass: "s&cret" } });` + "\n  }",
		"  // Item 42\n  page2() {\n" +
			`    this.client.get("/items/42?full=1", { headers: { Accept: "application/json" }, name: "/items/[id]" });` + "\n" +
			`    this.client.post("/cart/3f2a9c1e-0b1d-4e5f-9a8b-7c6d5e4f3a2b/items", { headers: { "X-CSRF-Token": "t0k" }, name: "/cart/[id]/items", json: {"id": 42, "qty": 1} });` + "\n" +
			`    this.client.put("/notes", { headers: { "Content-Type": "text/plain" }, body: "hello \"there\"" });` + "\n" +
			`    this.client.request("PURGE", "/cache");`,
		"6 requests in 2 pages; 4 static assets, third-party requests and followed redirects left out",
	}
	for _, w := range want {
		if !strings.Contains(src, w) {
			t.Errorf("the script lacks\n%s\n--- script:\n%s", w, src)
		}
	}
	for _, noise := range []string{"Mozilla", "sec-ch-ua", "sid=abc", "gzip", "Referer", "app.js", "/logo", "cdn.other.test", "/account"} {
		if strings.Contains(src, noise) {
			t.Errorf("the script keeps %q:\n%s", noise, src)
		}
	}
}

func TestHARAllKeepsAssetsAndOtherHosts(t *testing.T) {
	src, err := HAR(browserRecording(t), HAROptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`this.client.get("/static/app.js");`, `this.client.get("/logo");`, `this.client.get("https://cdn.other.test/lib.json");`} {
		if !strings.Contains(src, w) {
			t.Errorf("--all lost %s:\n%s", w, src)
		}
	}
	if strings.Contains(src, `"/account"`) {
		t.Error("--all repeats a redirect the client follows by itself")
	}
}

func TestHARErrors(t *testing.T) {
	for in, want := range map[string]string{
		`{"log":{"entries":[]}}`: "no entries",
		`not json`:               "not a HAR file",
		`{"log":{"entries":[{"request":{"method":"GET","url":"/rel"},"response":{"content":{"mimeType":"text/css"}}}]}}`: "not an absolute URL",
	} {
		if _, err := HAR([]byte(in), HAROptions{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
	onlyAssets := `{"log":{"entries":[{"startedDateTime":"2026-11-30T10:00:00Z","request":{"method":"GET","url":"http://a.test/x.css","headers":[]},"response":{"status":200,"content":{"mimeType":"text/css"}}}]}}`
	if _, err := HAR([]byte(onlyAssets), HAROptions{}); err == nil || !strings.Contains(err.Error(), "--all") {
		t.Errorf("a recording of assets only: %v", err)
	}
}

func TestGroupedName(t *testing.T) {
	for in, want := range map[string]string{
		"/items/42": "/items/[id]",
		"/items/":   "",
		"/users/7/posts/507f1f77bcf86cd799439011": "/users/[id]/posts/[id]",
		"/v2/items": "",
		"/a/b/c":    "",
	} {
		if got := groupedName(in); got != want {
			t.Errorf("groupedName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The OpenAPI document a FastAPI app with /, /items/ (GET, POST) and /items/{item_id} (GET, PUT)
// serves at /openapi.json.
func TestOpenAPIFromFastAPI(t *testing.T) {
	data, err := os.ReadFile("testdata/fastapi.json")
	if err != nil {
		t.Fatal(err)
	}
	src, err := File("openapi.json", data, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`static tasks = { root: 3, readItems: 3, createItem: 1, readItem: 3, updateItem: 1 };`,
		`static host = "http://127.0.0.1:8000";`,
		"readItems() {\n    this.client.get(\"/items/\");",
		`this.client.post("/items/", { json: {"description":"string","name":"string","price":1.5,"tags":[]} });`,
		`this.client.get("/items/1", { name: "/items/[item_id]" });`,
		`this.client.put("/items/1", { name: "/items/[item_id]", json: {"description":"string","name":"string","price":1.5,"tags":[]} });`,
	} {
		if !strings.Contains(src, w) {
			t.Errorf("the script lacks\n%s\n--- script:\n%s", w, src)
		}
	}
}

const petsYAML = `openapi: 3.0.3
info:
  title: Pets
  version: "1"
servers:
  - url: https://pets.example/api/v1
paths:
  /pets/{petId}:
    parameters:
      - name: petId
        in: path
        required: true
        schema: {type: string, format: uuid}
    get:
      operationId: showPetById
      parameters:
        - name: fields
          in: query
          required: true
          schema: {type: string, enum: [name, all]}
      responses:
        "200": {description: ok}
    delete:
      summary: Delete a pet
      responses:
        200: {description: gone}
  /pets:
    post:
      operationId: createPets
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                name: {type: string, example: Rex}
                age: {type: integer}
      responses:
        "201": {description: created}
    get:
      summary: "client"
      responses:
        "200": {description: ok}
`

func TestOpenAPIFromYAML(t *testing.T) {
	src, err := File("pets.yaml", []byte(petsYAML), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`static host = "https://pets.example";`,
		`static tasks = { client2: 3, createPets: 1, showPetById: 3, deleteAPet: 1 };`,
		`this.client.get("/api/v1/pets/00000000-0000-4000-8000-000000000000", { name: "/api/v1/pets/[petId]", params: { fields: "name" } });`,
		`this.client.post("/api/v1/pets", { form: {"age":1,"name":"Rex"} });`,
		`this.client.delete("/api/v1/pets/00000000-0000-4000-8000-000000000000", { name: "/api/v1/pets/[petId]" });`,
	} {
		if !strings.Contains(src, w) {
			t.Errorf("the script lacks\n%s\n--- script:\n%s", w, src)
		}
	}
}

func TestFileRejectsOtherDocuments(t *testing.T) {
	for in, want := range map[string]string{
		`{"a": 1}`:                       "neither a HAR file",
		"a: [1, 2":                       "not a JSON or YAML document",
		"title: x\n":                     "not an OpenAPI document",
		`{"openapi":"3.0.0","paths":{}}`: "no paths",
	} {
		if _, err := File("in.x", []byte(in), false); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}
