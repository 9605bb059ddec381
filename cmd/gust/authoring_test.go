package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// served counts the requests an httptest server answered, by "METHOD path".
type served struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *served) add(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[string]int{}
	}
	s.n[r.Method+" "+r.URL.Path]++
}

func (s *served) get(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[k]
}

func (s *served) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.n {
		n += v
	}
	return n
}

// itemsAPI is a loopback server shaped like the FastAPI app whose openapi.json is
// convert/testdata/fastapi.json: items are {name: string, price: number}, anything else is 422.
func itemsAPI(t *testing.T) (*served, string) {
	t.Helper()
	s := &served{}
	validItem := func(w http.ResponseWriter, r *http.Request) bool {
		var it struct {
			Name  *string  `json:"name"`
			Price *float64 `json:"price"`
		}
		if json.NewDecoder(r.Body).Decode(&it) != nil || it.Name == nil || it.Price == nil {
			http.Error(w, `{"detail":"invalid item"}`, http.StatusUnprocessableEntity)
			return false
		}
		return true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"message":"Hello World"}`) })
	mux.HandleFunc("GET /items/{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `[]`) })
	mux.HandleFunc("POST /items/{$}", func(w http.ResponseWriter, r *http.Request) {
		if validItem(w, r) {
			fmt.Fprint(w, `{}`)
		}
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"id":1}`) })
	mux.HandleFunc("PUT /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if validItem(w, r) {
			fmt.Fprint(w, `{}`)
		}
	})
	mux.HandleFunc("POST /predict", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ X []float64 }
		if json.NewDecoder(r.Body).Decode(&in) != nil || len(in.X) == 0 {
			http.Error(w, "bad body", http.StatusUnprocessableEntity)
			return
		}
		fmt.Fprint(w, `{"y":2}`)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(r.URL.Query().Get("ms") + "ms")
		time.Sleep(d)
		fmt.Fprint(w, "ok")
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.add(r)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// A HAR recording converts into a script that replays it: one iteration sends the recorded
// requests, bodies included, and leaves the static asset out.
func TestConvertHARReplays(t *testing.T) {
	s, base := itemsAPI(t)
	entry := func(at, method, url, mime, body string) string {
		post := ""
		if body != "" {
			b, _ := json.Marshal(body)
			post = fmt.Sprintf(`,"postData":{"mimeType":%q,"text":%s}`, mime, b)
		}
		return fmt.Sprintf(`{"startedDateTime":%q,"time":5,"request":{"method":%q,"url":%q,"headers":[{"name":"User-Agent","value":"Mozilla/5.0"}],"queryString":[],"cookies":[]%s},"response":{"status":200,"headers":[],"content":{"size":2,"mimeType":"application/json"},"redirectURL":""},"timings":{}}`, at, method, url, post)
	}
	har := `{"log":{"version":"1.2","entries":[` + strings.Join([]string{
		entry("2026-11-30T10:00:00Z", "GET", base+"/", "", ""),
		entry("2026-11-30T10:00:00.5Z", "GET", base+"/static/site.css", "", ""),
		entry("2026-11-30T10:00:01Z", "GET", base+"/items/42", "", ""),
		entry("2026-11-30T10:00:02Z", "POST", base+"/predict", "application/json", `{"x":[1,2,3]}`),
	}, ",") + `]}}`
	dir := writeFiles(t, "rec.har", har)
	r := gustIn(t, dir, nil, "convert", "rec.har", "-o", "rec.js")
	if r.code != 0 {
		t.Fatalf("convert exited %d: %s", r.code, r.stderr)
	}
	r = gustIn(t, dir, nil, "run", "--headless", "-u", "1", "-i", "1", "--csv", "out", "rec.js")
	if r.code != 0 {
		t.Fatalf("the converted script exited %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if s.total() != 3 || s.get("POST /predict") != 1 || s.get("GET /items/42") != 1 || s.get("GET /static/site.css") != 0 {
		t.Fatalf("one iteration served %v, want /, /items/42 and POST /predict once each", s.n)
	}
	rows := readCSV(t, filepath.Join(dir, "out_stats.csv"))
	found := false
	for _, row := range rows {
		found = found || row[0] == "GET" && row[1] == "/items/[id]" && row[3] == "0"
	}
	if !found {
		t.Fatalf("no GET /items/[id] row without failures: %v", rows)
	}
}

// FastAPI's openapi.json converts into a script whose every operation succeeds against the
// app it describes (example bodies pass its validation).
func TestConvertOpenAPIRuns(t *testing.T) {
	s, base := itemsAPI(t)
	dir := t.TempDir()
	r := gustIn(t, dir, nil, "convert", filepath.Join(mustAbs(t, "../../convert/testdata/fastapi.json")), "-o", "api.js")
	if r.code != 0 {
		t.Fatalf("convert exited %d: %s", r.code, r.stderr)
	}
	r = gustIn(t, dir, nil, "run", "--headless", "-H", base, "-u", "75", "-r", "0", "-i", "150", "-t", "20s", "--csv", "out", "api.js")
	if r.code != 0 {
		t.Fatalf("the converted script exited %d (failures?): %s%s", r.code, r.stdout, r.stderr)
	}
	for _, k := range []string{"GET /", "GET /items/", "POST /items/", "GET /items/1", "PUT /items/1"} {
		if s.get(k) == 0 {
			t.Errorf("%s was never sent: %v", k, s.n)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// gust new writes a project whose locustfile runs as written, with its gust.toml read from the
// working directory; gust types writes the declarations.
func TestNewProjectRuns(t *testing.T) {
	s, base := itemsAPI(t)
	for _, ts := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "proj")
		args := []string{"new", dir, "-H", base}
		script := "locustfile.js"
		if ts {
			args = append(args, "--ts")
			script = "locustfile.ts"
		}
		if r := gust(t, args...); r.code != 0 || !strings.Contains(r.stdout, "gust.d.ts") {
			t.Fatalf("gust new exited %d: %s%s", r.code, r.stdout, r.stderr)
		}
		before := s.total()
		// users and host come from the scaffold's gust.toml.
		r := gustIn(t, dir, nil, "run", "--headless", "-r", "0", "-i", "10", script)
		if r.code != 0 {
			t.Fatalf("the scaffold's %s exited %d: %s%s", script, r.code, r.stdout, r.stderr)
		}
		if got := s.total() - before; got != 10 {
			t.Fatalf("the scaffold's %s sent %d requests in 10 iterations", script, got)
		}
		if r := gust(t, "new", dir); r.code != exitUsage || !strings.Contains(r.stderr, "already exists") {
			t.Fatalf("gust new over a project: exit %d %s", r.code, r.stderr)
		}
	}
	dir := t.TempDir()
	if r := gust(t, "types", dir); r.code != 0 {
		t.Fatalf("gust types exited %d: %s", r.code, r.stderr)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "gust.d.ts")); err != nil || !strings.Contains(string(data), `declare module "gust"`) {
		t.Fatalf("gust types wrote no declarations: %v", err)
	}
}

// gust compare: a result against itself exits 0; a slower run exits 3 and names the row; a bad
// tolerance exits 2; --html writes the side-by-side page.
func TestCompareExitCodes(t *testing.T) {
	_, base := itemsAPI(t)
	dir := writeFiles(t, "cmp.js", `import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { t: 1 };
  t() { this.client.get("/slow?ms=" + __ENV.MS, { name: "/slow" }); }
}
`)
	for _, run := range [][2]string{{"5", "base.json"}, {"40", "slow.json"}} {
		r := gustIn(t, dir, []string{"MS=" + run[0]}, "run", "--headless", "-H", base, "-u", "4", "-r", "0", "-i", "80", "--json", run[1], "cmp.js")
		if r.code != 0 {
			t.Fatalf("run exited %d: %s", r.code, r.stderr)
		}
	}
	if r := gustIn(t, dir, nil, "compare", "base.json", "base.json"); r.code != 0 {
		t.Fatalf("compare of a result with itself exited %d: %s%s", r.code, r.stdout, r.stderr)
	}
	r := gustIn(t, dir, nil, "compare", "base.json", "slow.json", "--html", "cmp.html")
	if r.code != exitThreshold || !strings.Contains(r.stdout, "GET /slow: p95") {
		t.Fatalf("compare of a 5 ms run with a 40 ms run exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Fatal("colour in a pipe")
	}
	if page, err := os.ReadFile(filepath.Join(dir, "cmp.html")); err != nil || !strings.Contains(string(page), `id="new-rps"`) {
		t.Fatalf("--html: %v", err)
	}
	if r := gustIn(t, dir, nil, "compare", "base.json", "slow.json", "--tolerance", "p95:+10000%", "--tolerance", "p99:+10000%", "--tolerance", "median:+10000%", "--tolerance", "rps:-100%"); r.code != 0 {
		t.Fatalf("generous tolerances still exited %d:\n%s", r.code, r.stdout)
	}
	if r := gustIn(t, dir, nil, "compare", "base.json", "slow.json", "--tolerance", "p95:10%"); r.code != exitUsage || !strings.Contains(r.stderr, "p95:10%") {
		t.Fatalf("a tolerance without a sign: exit %d %s", r.code, r.stderr)
	}
	if r := gustIn(t, dir, nil, "compare", "base.json", "cmp.js"); r.code != exitUsage || !strings.Contains(r.stderr, "cmp.js") {
		t.Fatalf("comparing with a non-result: exit %d %s", r.code, r.stderr)
	}
}
