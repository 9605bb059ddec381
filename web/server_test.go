package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/session"
)

// fakeTest is a Controller over real statistics that records what the server asked of it.
type fakeTest struct {
	stats *metrics.Stats

	history func() []metrics.HistoryRow

	mu       sync.Mutex
	state    engine.State
	users    int
	host     string
	startErr error
	calls    []string
	snaps    atomic.Int64  // Snapshot calls
	slow     time.Duration // how long a Snapshot takes
}

func newFake(t *testing.T) *fakeTest {
	t.Helper()
	return &fakeTest{stats: metrics.New(metrics.Options{}), state: "ready", host: "http://127.0.0.1:1"}
}

func (f *fakeTest) call(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeTest) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeTest) Start(users int, rate float64, host string, runTime time.Duration) error {
	f.call("start %d %g %q %s", users, rate, host, runTime)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		return f.startErr
	}
	f.state, f.users = "running", users
	if host != "" {
		f.host = host
	}
	return nil
}

func (f *fakeTest) Edit(users int, rate float64) error {
	f.call("edit %d %g", users, rate)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users = users
	return nil
}

func (f *fakeTest) Stop() {
	f.call("stop")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state = "stopped"
}

func (f *fakeTest) Reset() {
	f.call("reset")
	f.stats.Reset()
}

func (f *fakeTest) State() engine.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}

func (f *fakeTest) Users() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.users
}

func (f *fakeTest) ClassCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return map[string]int{"Reader": f.users * 3 / 4, "Writer": f.users - f.users*3/4}
}

func (f *fakeTest) Classes() []session.Class {
	type T = session.Task
	return []session.Class{
		{Name: "Reader", Weight: 3, Tasks: []T{{Name: "list", Ratio: 0.75}, {Name: "Browse", Ratio: 0.25, Tasks: []T{{Name: "item", Ratio: 1}}}}},
		{Name: "Writer", Weight: 1, Tasks: []T{{Name: "post", Ratio: 1}}},
	}
}

func (f *fakeTest) Host() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.host
}

func (f *fakeTest) Snapshot() *metrics.Snapshot {
	f.snaps.Add(1)
	time.Sleep(f.slow)
	return f.stats.Snapshot()
}

func (f *fakeTest) CurrentPercentiles(ps ...float64) []time.Duration {
	return f.stats.CurrentPercentiles(ps...)
}

func (f *fakeTest) History() []metrics.HistoryRow {
	if f.history == nil {
		return nil
	}
	return f.history()
}

func (f *fakeTest) Result(snap *metrics.Snapshot) *session.Result {
	res := &session.Result{Snapshot: snap}
	res.Run.StopReason, res.Run.Host = "test", f.Host()
	return res
}

// hostile is a request name a hostile target could make the test record.
const hostile = `<img src=x onerror="alert(1)">`

// record adds requests, a failure and an exception to f's statistics.
func (f *fakeTest) record() {
	r := f.stats.Recorder()
	now := time.Now()
	for i := range 10 {
		r.Record("GET", "/items", now, time.Duration(i+1)*time.Millisecond, 100, "")
	}
	r.Record("POST", hostile, now, 5*time.Millisecond, 0, "HTTP 500: "+hostile)
	r.Flush()
	r.Exception("TypeError: x is undefined", "at task (script.js:3:7)")
}

func serve(t *testing.T, c Controller, o Options) *httptest.Server {
	t.Helper()
	s, err := New(c, o)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not JSON: %v: %.200s", err, body)
	}
	return m
}

func TestSwarm(t *testing.T) {
	tests := []struct {
		name     string
		state    string
		startErr error
		form     url.Values
		code     int
		call     string // the controller call expected, "" for none
		msg      string // in the message of a refusal
		runTime  float64
	}{
		{name: "start", form: url.Values{"user_count": {"10"}, "spawn_rate": {"2.5"}, "host": {"http://127.0.0.1:9"}},
			code: 200, call: `start 10 2.5 "http://127.0.0.1:9" 0s`},
		{name: "start with run time", form: url.Values{"user_count": {"3"}, "spawn_rate": {"1"}, "run_time": {"1m30s"}},
			code: 200, call: `start 3 1 "" 1m30s`, runTime: 90},
		{name: "Locust's bare seconds", form: url.Values{"user_count": {"3"}, "spawn_rate": {"1"}, "run_time": {"20"}},
			code: 200, call: `start 3 1 "" 20s`, runTime: 20},
		{name: "empty run time and host", form: url.Values{"user_count": {"1"}, "spawn_rate": {"1"}, "run_time": {""}, "host": {""}},
			code: 200, call: `start 1 1 "" 0s`},
		{name: "spawn rate defaults to the flag's", form: url.Values{"user_count": {"4"}}, code: 200, call: `start 4 7 "" 0s`},
		{name: "edit while running", state: "running", form: url.Values{"user_count": {"2"}, "spawn_rate": {"4"}},
			code: 200, call: "edit 2 4"},
		{name: "edit while spawning", state: "spawning", form: url.Values{"user_count": {"20"}, "spawn_rate": {"4"}},
			code: 200, call: "edit 20 4"},
		{name: "users not a number", form: url.Values{"user_count": {"ten"}, "spawn_rate": {"1"}}, code: 400, msg: `user_count "ten"`},
		{name: "negative users", form: url.Values{"user_count": {"-1"}, "spawn_rate": {"1"}}, code: 400, msg: `user_count "-1"`},
		{name: "absurd users", form: url.Values{"user_count": {"99999999999"}, "spawn_rate": {"1"}}, code: 400, msg: `user_count "99999999999"`},
		{name: "no users", form: url.Values{"spawn_rate": {"1"}}, code: 400, msg: "missing user_count"},
		{name: "zero rate", form: url.Values{"user_count": {"1"}, "spawn_rate": {"0"}}, code: 400, msg: `spawn_rate "0"`},
		{name: "rate not a number", form: url.Values{"user_count": {"1"}, "spawn_rate": {"fast"}}, code: 400, msg: `spawn_rate "fast"`},
		{name: "infinite rate", form: url.Values{"user_count": {"1"}, "spawn_rate": {"Inf"}}, code: 400, msg: `spawn_rate "Inf"`},
		{name: "bad host", form: url.Values{"user_count": {"1"}, "spawn_rate": {"1"}, "host": {"ftp://x"}}, code: 400, msg: `host "ftp://x"`},
		{name: "bad run time", form: url.Values{"user_count": {"1"}, "spawn_rate": {"1"}, "run_time": {"soon"}}, code: 400, msg: `run_time "soon"`},
		{name: "busy", startErr: fmt.Errorf("%w: still stopping", session.ErrBusy), form: url.Values{"user_count": {"1"}, "spawn_rate": {"1"}},
			code: 409, call: `start 1 1 "" 0s`, msg: "still stopping"},
		{name: "refused by the test", startErr: errors.New("bad host for Reader"), form: url.Values{"user_count": {"1"}, "spawn_rate": {"1"}},
			code: 400, call: `start 1 1 "" 0s`, msg: "bad host for Reader"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			if tt.state != "" {
				f.state = engine.State(tt.state)
			}
			f.startErr = tt.startErr
			ts := serve(t, f, Options{SpawnRate: 7})
			resp, err := http.PostForm(ts.URL+"/swarm", tt.form)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.code, b)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			m := decode(t, string(b))
			if _, ok := m["host"]; !ok {
				t.Errorf("no host key: %s", b)
			}
			if m["success"] != (tt.code == 200) {
				t.Errorf("success = %v: %s", m["success"], b)
			}
			if msg, _ := m["message"].(string); msg == "" || !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q, want it to contain %q", msg, tt.msg)
			}
			calls := f.Calls()
			switch {
			case tt.call == "" && len(calls) > 0:
				t.Errorf("calls %q, want none", calls)
			case tt.call != "" && (len(calls) != 1 || calls[0] != tt.call):
				t.Errorf("calls %q, want [%q]", calls, tt.call)
			}
			if tt.runTime > 0 && m["run_time"] != tt.runTime {
				t.Errorf("run_time = %v, want %v", m["run_time"], tt.runTime)
			}
		})
	}
}

func TestSwarmMultipart(t *testing.T) {
	f := newFake(t)
	ts := serve(t, f, Options{})
	var body strings.Builder
	mw := multipart.NewWriter(&body)
	mw.WriteField("user_count", "5")
	mw.WriteField("spawn_rate", "2")
	mw.Close()
	resp, err := http.Post(ts.URL+"/swarm", mw.FormDataContentType(), strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Join(f.Calls(), ",") != `start 5 2 "" 0s` {
		t.Errorf("%d, calls %q", resp.StatusCode, f.Calls())
	}
	resp, err = http.Post(ts.URL+"/swarm", "application/x-www-form-urlencoded", strings.NewReader("user_count=1&x="+strings.Repeat("a", maxForm)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("an oversized form: %d, want 400", resp.StatusCode)
	}
}

func TestMethods(t *testing.T) {
	ts := serve(t, newFake(t), Options{})
	tests := []struct {
		method, path string
		code         int
	}{
		{"GET", "/swarm", 405},
		{"PUT", "/stop", 405},
		{"POST", "/stop", 200}, // curl -XPOST, as the hardening check stops a test
		{"GET", "/nope", 404},
		{"GET", "/stats/requests_full_history/csv", 404},
		{"HEAD", "/stats/requests", 200},
		{"GET", "/static/uPlot.LICENSE", 200}, // uPlot's license goes with the copy served
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.code {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, resp.StatusCode, tt.code)
		}
	}
}

func TestStopAndReset(t *testing.T) {
	f := newFake(t)
	f.state = "running"
	f.record()
	ts := serve(t, f, Options{})

	// Warm the cache so that the reset has something to invalidate.
	_, body := get(t, ts.URL+"/stats/requests")
	if n := len(decode(t, body)["stats"].([]any)); n != 3 {
		t.Fatalf("%d rows before the reset, want 3", n)
	}

	resp, body := get(t, ts.URL+"/stop")
	if resp.StatusCode != 200 {
		t.Fatalf("/stop: %d", resp.StatusCode)
	}
	if m := decode(t, body); m["success"] != true || m["message"] != "Test stopped" {
		t.Errorf("/stop said %s", body)
	}
	resp, body = get(t, ts.URL+"/stats/reset")
	if resp.StatusCode != 200 || body != "ok" {
		t.Errorf("/stats/reset: %d %q", resp.StatusCode, body)
	}
	if got := f.Calls(); strings.Join(got, ",") != "stop,reset" {
		t.Errorf("calls %q", got)
	}
	_, body = get(t, ts.URL+"/stats/requests")
	m := decode(t, body)
	if n := len(m["stats"].([]any)); n != 1 {
		t.Errorf("%d rows after the reset, want only the aggregate", n)
	}
	if m["state"] != "stopped" {
		t.Errorf("state %v after /stop", m["state"])
	}
}

func TestRequests(t *testing.T) {
	f := newFake(t)
	f.state, f.users = "running", 8
	f.record()
	ts := serve(t, f, Options{})
	resp, body := get(t, ts.URL+"/stats/requests")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	m := decode(t, body)
	for _, k := range []string{"stats", "errors", "total_rps", "total_fail_per_sec", "fail_ratio", "current_response_time_percentiles",
		"current_response_time_percentile_50", "current_response_time_percentile_95", "state", "user_count"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no key %q", k)
		}
	}
	if m["state"] != "running" || m["user_count"] != 8.0 {
		t.Errorf("state %v, user_count %v", m["state"], m["user_count"])
	}
	if r := m["fail_ratio"].(float64); r < 0.09 || r > 0.1 {
		t.Errorf("fail_ratio %v, want 1/11", r)
	}
	cur := m["current_response_time_percentiles"].(map[string]any)
	for _, k := range []string{"response_time_percentile_0.5", "response_time_percentile_0.95"} {
		if v, ok := cur[k].(float64); !ok || v <= 0 {
			t.Errorf("current %s = %v", k, cur[k])
		}
	}
	rows := m["stats"].([]any)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 2 and the aggregate", len(rows))
	}
	for _, r := range rows {
		row := r.(map[string]any)
		for _, k := range []string{"method", "name", "safe_name", "num_requests", "num_failures", "avg_response_time", "min_response_time",
			"max_response_time", "median_response_time", "avg_content_length", "current_rps", "current_fail_per_sec",
			"ninetieth_response_time", "ninety_ninth_response_time", "response_time_percentile_0.95", "response_time_percentile_0.99"} {
			if _, ok := row[k]; !ok {
				t.Errorf("row %v: no key %q", row["name"], k)
			}
		}
	}
	items := rows[0].(map[string]any) // sorted by name: "/items" before "<img ..."
	if items["name"] != "/items" || items["method"] != "GET" || items["num_requests"] != 10.0 {
		t.Errorf("row %v", items)
	}
	if items["min_response_time"] != 1.0 || items["max_response_time"] != 10.0 || items["avg_response_time"] != 5.5 {
		t.Errorf("times min %v max %v avg %v, want 1, 10, 5.5", items["min_response_time"], items["max_response_time"], items["avg_response_time"])
	}
	total := rows[2].(map[string]any)
	if total["name"] != "Aggregated" || total["method"] != nil || total["num_requests"] != 11.0 || total["num_failures"] != 1.0 {
		t.Errorf("aggregate %v", total)
	}
	// Names go out as data; escaping is the renderer's job (safe_name is Locust's escaped copy).
	bad := rows[1].(map[string]any)
	if bad["name"] != hostile || strings.Contains(bad["safe_name"].(string), "<") {
		t.Errorf("name %q, safe_name %q", bad["name"], bad["safe_name"])
	}
	errs := m["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
	e := errs[0].(map[string]any)
	if e["method"] != "POST" || e["name"] != hostile || e["error"] != "HTTP 500: "+hostile || e["occurrences"] != 1.0 {
		t.Errorf("error %v", e)
	}
}

func TestRequestsTruncated(t *testing.T) {
	f := newFake(t)
	r := f.stats.Recorder()
	for i := range maxRows + 20 {
		r.Record("GET", fmt.Sprintf("/n/%04d", i), time.Now(), time.Millisecond, 1, "")
	}
	r.Flush()
	ts := serve(t, f, Options{})
	_, body := get(t, ts.URL+"/stats/requests")
	rows := decode(t, body)["stats"].([]any)
	if len(rows) != maxRows+1 || rows[maxRows].(map[string]any)["name"] != "Aggregated" {
		t.Errorf("%d rows, want %d and the aggregate last", len(rows), maxRows)
	}
}

func TestDownloads(t *testing.T) {
	f := newFake(t)
	f.record()
	ts := serve(t, f, Options{})
	tests := []struct {
		path, ctype, first, disposition string
	}{
		{"/stats/requests/csv", "text/csv", "Type,Name,Request Count,Failure Count,Median Response Time", "attachment; filename=requests_"},
		{"/stats/failures/csv", "text/csv", "Method,Name,Error,Occurrences", "attachment; filename=failures_"},
		{"/exceptions/csv", "text/csv", "Count,Message,Traceback,Nodes", "attachment; filename=exceptions_"},
		{"/stats/json?download=1", "application/json", `{"version":2,`, "attachment; filename=result_"},
		{"/stats/json", "application/json", `{"version":2,`, ""},
		{"/stats/report?download=1", "text/html", "<!DOCTYPE html>", "attachment; filename=report_"},
		{"/stats/report", "text/html", "<!DOCTYPE html>", ""},
	}
	for _, tt := range tests {
		resp, body := get(t, ts.URL+tt.path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", tt.path, resp.StatusCode)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
			t.Errorf("%s: Content-Type %q", tt.path, ct)
		}
		if !strings.HasPrefix(body, tt.first) {
			t.Errorf("%s starts %.80q", tt.path, body)
		}
		if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, tt.disposition) || (tt.disposition == "" && d != "") {
			t.Errorf("%s: Content-Disposition %q", tt.path, d)
		}
	}
	_, body := get(t, ts.URL+"/stats/json")
	if m := decode(t, body); m["run"].(map[string]any)["stop_reason"] != "test" || len(m["entries"].([]any)) != 2 {
		t.Errorf("JSON result: %.300s", body)
	}
}

func TestReportEscapes(t *testing.T) {
	f := newFake(t)
	f.record()
	ts := serve(t, f, Options{Script: "s.js", Version: "9.9"})
	_, body := get(t, ts.URL+"/stats/report")
	if strings.Contains(body, hostile) || strings.Contains(body, "<img") {
		t.Errorf("the report carries the hostile name unescaped")
	}
	for _, want := range []string{"&lt;img src=x onerror=", "/items", "TypeError: x is undefined", "Aggregated", "http://127.0.0.1:1"} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

func TestHistory(t *testing.T) {
	f := newFake(t)
	f.record()
	h := metrics.NewHistory(f.stats, metrics.HistoryOptions{})
	h.Sample(time.Now(), 4)
	for _, tt := range []struct {
		name    string
		history func() []metrics.HistoryRow
		rows    int
	}{
		{"none", nil, 0},
		{"sampled", h.Rows, 1},
	} {
		f.history = tt.history
		ts := serve(t, f, Options{})
		resp, body := get(t, ts.URL+"/stats/history")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", tt.name, resp.StatusCode)
		}
		rows := decode(t, body)["history"].([]any)
		if len(rows) != tt.rows {
			t.Fatalf("%s: %d rows, want %d", tt.name, len(rows), tt.rows)
		}
		if tt.rows > 0 {
			row := rows[0].(map[string]any)
			if row["users"] != 4.0 || row["time"] == nil || row["rps"] == nil || row["percentiles"] == nil {
				t.Errorf("%s: row %v", tt.name, row)
			}
		}
	}
}

func TestExceptions(t *testing.T) {
	f := newFake(t)
	f.record()
	ts := serve(t, f, Options{})
	_, body := get(t, ts.URL+"/exceptions")
	rows := decode(t, body)["exceptions"].([]any)
	if len(rows) != 1 {
		t.Fatalf("exceptions %s", body)
	}
	x := rows[0].(map[string]any)
	if x["count"] != 1.0 || x["msg"] != "TypeError: x is undefined" || x["traceback"] != "at task (script.js:3:7)" || x["nodes"] != "local" {
		t.Errorf("exception %v", x)
	}
}

func TestTasks(t *testing.T) {
	f := newFake(t)
	ts := serve(t, f, Options{})
	check := func(when string, reader float64) {
		t.Helper()
		_, body := get(t, ts.URL+"/tasks")
		var m struct {
			PerClass map[string]ratioJSON `json:"per_class"`
			Total    map[string]ratioJSON `json:"total"`
			Classes  []classOrder         `json:"classes"`
		}
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		if got := m.PerClass["Reader"].Ratio; got != reader {
			t.Errorf("%s: Reader's share %v, want %v", when, got, reader)
		}
		if got := m.PerClass["Reader"].Tasks["Browse"].Tasks["item"].Ratio; got != 1 {
			t.Errorf("%s: per class, item is %v of Browse, want 1", when, got)
		}
		if got := m.Total["Reader"].Tasks["Browse"].Tasks["item"].Ratio; got != reader*0.25 {
			t.Errorf("%s: in total, item is %v, want %v", when, got, reader*0.25)
		}
		if len(m.Classes) != 2 || m.Classes[0].Name != "Reader" || m.Classes[0].Tasks[1].Tasks[0].Name != "item" {
			t.Errorf("%s: classes %+v", when, m.Classes)
		}
	}
	check("before a start (by weight)", 0.75)
	f.mu.Lock()
	f.users = 2 // 1 Reader, 1 Writer
	f.mu.Unlock()
	check("running", 0.5)
}

func TestIndex(t *testing.T) {
	f := newFake(t)
	f.host = `http://127.0.0.1:1/"><script>alert(1)</script>`
	ts := serve(t, f, Options{Users: 12, SpawnRate: 3, RunTime: 90 * time.Second, Script: "<b>s.js</b>"})
	resp, body := get(t, ts.URL+"/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	for _, want := range []string{`name="user_count"`, `name="spawn_rate"`, `name="host"`, `name="run_time"`,
		`value="12"`, `value="3"`, `value="1m30s"`, `/static/uPlot.iife.min.js`, `/static/app.js`, "&lt;b&gt;s.js&lt;/b&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>s.js") {
		t.Error("the page carries the host or script name unescaped")
	}
	for _, p := range []string{"/static/app.js", "/static/app.css", "/static/uPlot.iife.min.js", "/static/uPlot.min.css"} {
		resp, body := get(t, ts.URL+p)
		if resp.StatusCode != 200 || len(body) < 100 {
			t.Errorf("%s: %d, %d bytes", p, resp.StatusCode, len(body))
		}
	}
}

func TestAuth(t *testing.T) {
	if _, err := New(newFake(t), Options{Auth: "nocolon"}); err == nil {
		t.Error("New accepted auth without a colon")
	}
	ts := serve(t, newFake(t), Options{Auth: "ann:s3cr:et"})
	tests := []struct {
		user, pass string
		set        bool
		code       int
	}{
		{set: false, code: 401},
		{user: "ann", pass: "wrong", set: true, code: 401},
		{user: "bob", pass: "s3cr:et", set: true, code: 401},
		{user: "ann", pass: "s3cr:et", set: true, code: 200},
	}
	for _, tt := range tests {
		for _, p := range []string{"/", "/stats/requests", "/static/app.js"} {
			req, _ := http.NewRequest("GET", ts.URL+p, nil)
			if tt.set {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Errorf("%s as %q:%q: %d, want %d", p, tt.user, tt.pass, resp.StatusCode, tt.code)
			}
			if tt.code == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("%s: no basic auth challenge", p)
			}
		}
	}
}

func TestCrossSite(t *testing.T) {
	tests := []struct {
		name, method, path string
		header             map[string]string
		code               int
	}{
		{"foreign origin swarm", "POST", "/swarm", map[string]string{"Origin": "http://evil.example"}, 403},
		{"cross-site stop", "GET", "/stop", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"cross-site reset", "GET", "/stats/reset", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"own page stop", "GET", "/stop", map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
		{"typed into the address bar", "GET", "/stop", map[string]string{"Sec-Fetch-Site": "none"}, 200},
		{"cross-site read", "GET", "/stats/requests", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			ts := serve(t, f, Options{})
			var body io.Reader
			if tt.method == "POST" {
				body = strings.NewReader("user_count=1&spawn_rate=1")
			}
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, body)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Errorf("%d, want %d", resp.StatusCode, tt.code)
			}
			if tt.code == 403 && len(f.Calls()) > 0 {
				t.Errorf("refused, yet the test was driven: %q", f.Calls())
			}
		})
	}
	// The page's own origin passes.
	f := newFake(t)
	ts := serve(t, f, Options{})
	req, _ := http.NewRequest("POST", ts.URL+"/swarm", strings.NewReader("user_count=1&spawn_rate=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("same-origin POST /swarm: %d", resp.StatusCode)
	}
}

// Pages polling /stats/requests at the same moment share one copy of the statistics: with
// 2,000 names six parallel polls once took six copies of every histogram.
func TestParallelStatsRequestsShareOneSnapshot(t *testing.T) {
	f := newFake(t)
	f.slow = 200 * time.Millisecond
	r := f.stats.Recorder()
	for i := range 2000 {
		r.Record("GET", fmt.Sprintf("/n%d", i), time.Now(), time.Millisecond, 1, "")
	}
	r.Flush()
	ts := serve(t, f, Options{})
	var wg sync.WaitGroup
	bodies := make([]string, 6)
	for i := range bodies {
		wg.Go(func() { _, bodies[i] = get(t, ts.URL+"/stats/requests") })
	}
	wg.Wait()
	if n := f.snaps.Load(); n != 1 {
		t.Errorf("six parallel /stats/requests took %d snapshots, want 1", n)
	}
	for i, b := range bodies {
		if rows := decode(t, b)["stats"].([]any); len(rows) != maxRows+1 {
			t.Errorf("answer %d lists %d rows, want %d and the aggregate", i, len(rows), maxRows)
		}
	}
}

// /stats/requests carries the custom metrics and checks, which the page shows under the requests.
func TestStatsRequestsCustomMetrics(t *testing.T) {
	f := newFake(t)
	orders, err := f.stats.Metric("orders", metrics.Counter, false)
	if err != nil {
		t.Fatal(err)
	}
	r := f.stats.Recorder()
	r.Add(orders, 2)
	r.Add(orders, 3)
	r.Check("status 200", true)
	r.Check("status 200", false)
	r.Flush()
	ts := serve(t, f, Options{})
	_, body := get(t, ts.URL+"/stats/requests")
	var rep struct {
		Metrics []metricRow `json:"metrics"`
		Checks  []checkRow  `json:"checks"`
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Metrics) != 1 || rep.Metrics[0].Name != "orders" || rep.Metrics[0].Type != "counter" ||
		rep.Metrics[0].Values[0] != (metricValue{"count", 5, "5"}) {
		t.Errorf("metrics %+v", rep.Metrics)
	}
	if len(rep.Checks) != 1 || rep.Checks[0] != (checkRow{"status 200", 1, 1}) {
		t.Errorf("checks %+v", rep.Checks)
	}
}

// A request whose Host header names another server is refused (DNS rebinding): only the
// listen address, localhost, 127.0.0.1, [::1] and --web-host, with the port, reach the UI.
func TestHostHeader(t *testing.T) {
	for _, tt := range []struct {
		addr, webHost, host string
		ok                  bool
	}{
		{"127.0.0.1:8089", "", "127.0.0.1:8089", true},
		{"127.0.0.1:8089", "", "localhost:8089", true},
		{"127.0.0.1:8089", "", "[::1]:8089", true},
		{"127.0.0.1:8089", "", "rebind.example:8089", false},
		{"127.0.0.1:8089", "", "127.0.0.1:9999", false},
		{"127.0.0.1:8089", "", "localhost", false},
		{"127.0.0.1:8089", "", "127.0.0.7:8089", false},
		{"127.0.0.1:8089", "gust.lan", "gust.lan:8089", true},
		{"0.0.0.0:8089", "0.0.0.0", "127.0.0.7:8089", true},
		{"0.0.0.0:8089", "0.0.0.0", "rebind.example:8089", false},
		{"[::]:8089", "::", "[::1]:8089", true},
		{"127.0.0.9:80", "127.0.0.9", "127.0.0.9", true},
	} {
		srv, err := New(newFake(t), Options{Addr: tt.addr, WebHost: tt.webHost})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/stats/requests", nil)
		req.Host = tt.host
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if ok := w.Code == http.StatusOK; ok != tt.ok {
			t.Errorf("listening on %s (--web-host %q), Host %q: %d, want ok=%v", tt.addr, tt.webHost, tt.host, w.Code, tt.ok)
		} else if !ok && w.Code != http.StatusMisdirectedRequest {
			t.Errorf("Host %q refused with %d, want 421", tt.host, w.Code)
		}
	}
}
