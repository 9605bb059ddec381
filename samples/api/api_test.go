package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// call sends one request and returns the status, the decoded-as-text body and the response.
func call(t *testing.T, c *http.Client, method, url, body string) (int, string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, strings.TrimSpace(string(b)), res
}

func TestEndpoints(t *testing.T) {
	ts := httptest.NewServer(New().Handler())
	defer ts.Close()
	tests := []struct {
		method, path, body string
		status             int
		want               string // exact body, or a prefix when it ends in "*"
	}{
		{"GET", "/", "", 200, `{"message":"Hello World"}`},
		{"GET", "/items/", "", 200, `[{"id":1,"name":"apple","price":0.5},*`},
		{"GET", "/items/2", "", 200, `{"id":2,"name":"pear","price":0.75}`},
		{"GET", "/items/99", "", 404, `{"detail":"Item not found"}`},
		{"GET", "/items/abc", "", 422, `{"detail":*`},
		{"GET", "/products", "", 200, `[{"id":1,"name":"apple","price":0.5},*`},
		{"POST", "/predict", `{"x":[1,2,3,4]}`, 200, `{"y":2.5,"model":"mean-v1"}`},
		{"POST", "/predict", `{"x":[-1.5]}`, 200, `{"y":-1.5,"model":"mean-v1"}`},
		{"POST", "/predict", `{"x":[]}`, 422, `{"detail":*`},
		{"POST", "/predict", `{"x":["a"]}`, 422, `{"detail":*`},
		{"POST", "/predict", `{"y":[1]}`, 422, `{"detail":*`},
		{"POST", "/predict", `not json`, 422, `{"detail":*`},
		{"POST", "/predict", ``, 422, `{"detail":*`},
		{"POST", "/predict", `{"x":[1e308,1e308]}`, 422, `{"detail":*`},
		{"GET", "/slow?ms=5", "", 200, `{"slept_ms":5}`},
		{"GET", "/slow", "", 200, `{"slept_ms":0}`},
		{"GET", "/slow?ms=-1", "", 422, `{"detail":*`},
		{"GET", "/status/503", "", 503, `{"status":503}`},
		{"GET", "/status/201", "", 201, `{"status":201}`},
		{"GET", "/status/204", "", 204, ``},
		{"GET", "/status/99", "", 422, `{"detail":*`},
		{"GET", "/status/x", "", 422, `{"detail":*`},
		{"GET", "/flaky?p=0", "", 200, `{"ok":true}`},
		{"GET", "/flaky?p=1", "", 500, `{"detail":"flaky failure"}`},
		{"GET", "/flaky?p=2", "", 422, `{"detail":*`},
		{"GET", "/me", "", 401, `{"detail":"Not authenticated"}`},
		{"GET", "/cart", "", 401, `{"detail":"Not authenticated"}`},
		{"POST", "/cart", `{"id":1}`, 401, `{"detail":"Not authenticated"}`},
		{"POST", "/checkout", "", 401, `{"detail":"Not authenticated"}`},
		{"POST", "/login", `{"username":"ann","password":"nope"}`, 401, `{"detail":"Invalid credentials"}`},
		{"POST", "/login", `{"username":"","password":"secret"}`, 401, `{"detail":"Invalid credentials"}`},
		{"POST", "/login", `{"username":`, 422, `{"detail":*`},
		{"POST", "/logout", "", 200, `{"message":"Logged out"}`},
		{"GET", "/nope", "", 404, `{"detail":"Not Found"}`},
		{"DELETE", "/", "", 405, `{"detail":"Method Not Allowed"}`},
		{"GET", "/predict", "", 405, `{"detail":"Method Not Allowed"}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+" "+tt.body, func(t *testing.T) {
			status, body, res := call(t, ts.Client(), tt.method, ts.URL+tt.path, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d (body %s)", status, tt.status, body)
			}
			if prefix, ok := strings.CutSuffix(tt.want, "*"); ok {
				if !strings.HasPrefix(body, prefix) {
					t.Fatalf("body %s, want prefix %s", body, prefix)
				}
			} else if body != tt.want {
				t.Fatalf("body %s, want %s", body, tt.want)
			}
			if body != "" {
				if ct := res.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				if !json.Valid([]byte(body)) {
					t.Errorf("body is not JSON: %s", body)
				}
			}
		})
	}
}

func TestMethodNotAllowedListsAllow(t *testing.T) {
	ts := httptest.NewServer(New().Handler())
	defer ts.Close()
	_, _, res := call(t, ts.Client(), "PUT", ts.URL+"/cart", "")
	got := res.Header.Values("Allow")
	if strings.Join(got, ",") != "GET,HEAD,POST" {
		t.Fatalf("Allow %v, want GET HEAD POST", got)
	}
}

func TestItemsRedirectsWithoutSlash(t *testing.T) {
	ts := httptest.NewServer(New().Handler())
	defer ts.Close()
	status, body, res := call(t, ts.Client(), "GET", ts.URL+"/items", "")
	if status != 200 || res.Request.URL.Path != "/items/" || !strings.HasPrefix(body, "[") {
		t.Fatalf("GET /items ended at %s with %d %s", res.Request.URL.Path, status, body)
	}
}

// userClient is a client with its own cookie jar, like one virtual user.
func userClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 5 * time.Second}
}

func TestLoginFlow(t *testing.T) {
	ts := httptest.NewServer(New().Handler())
	defer ts.Close()
	c := userClient(t)

	status, body, res := call(t, c, "POST", ts.URL+"/login", `{"username":"ann","password":"secret"}`)
	if status != 200 || body != `{"username":"ann"}` {
		t.Fatalf("login: %d %s", status, body)
	}
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "session" {
			cookie = ck
		}
	}
	if cookie == nil || cookie.Value == "" || !cookie.HttpOnly || cookie.Path != "/" {
		t.Fatalf("login set no usable session cookie: %v", res.Header.Values("Set-Cookie"))
	}

	if status, body, _ := call(t, c, "GET", ts.URL+"/me", ""); status != 200 || body != `{"username":"ann"}` {
		t.Fatalf("me with cookie: %d %s", status, body)
	}
	// Another user's jar holds no cookie: the session is per client.
	if status, _, _ := call(t, userClient(t), "GET", ts.URL+"/me", ""); status != 401 {
		t.Fatalf("me without cookie: %d", status)
	}

	status, _, res = call(t, c, "POST", ts.URL+"/logout", "")
	if status != 200 || !strings.Contains(res.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("logout: %d, Set-Cookie %q", status, res.Header.Get("Set-Cookie"))
	}
	if status, _, _ := call(t, c, "GET", ts.URL+"/me", ""); status != 401 {
		t.Fatalf("me after logout: %d", status)
	}
	// The old token is dead on the server, not just forgotten by the client.
	req, _ := http.NewRequest("GET", ts.URL+"/me", nil)
	req.AddCookie(cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("me with a logged-out token: %d", res.StatusCode)
	}
}

func TestFormLogin(t *testing.T) {
	ts := httptest.NewServer(New().Handler())
	defer ts.Close()
	res, err := userClient(t).PostForm(ts.URL+"/login", map[string][]string{"username": {"bo"}, "password": {"secret"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("form login: %d", res.StatusCode)
	}
}

func TestShopJourney(t *testing.T) {
	ts := httptest.NewServer(New().Handler())
	defer ts.Close()
	c := userClient(t)
	steps := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/login", `{"username":"ann","password":"secret"}`, 200, `{"username":"ann"}`},
		{"GET", "/cart", "", 200, `{"items":[],"total":0}`},
		{"POST", "/checkout", "", 400, `{"detail":"Cart is empty"}`},
		{"POST", "/cart", `{"id":2}`, 200, `{"items":[{"id":2,"name":"pear","price":0.75,"qty":1}],"total":0.75}`},
		{"POST", "/cart", `{"id":1}`, 200, `{"items":[{"id":1,"name":"apple","price":0.5,"qty":1},{"id":2,"name":"pear","price":0.75,"qty":1}],"total":1.25}`},
		{"POST", "/cart", `{"id":1}`, 200, `{"items":[{"id":1,"name":"apple","price":0.5,"qty":2},{"id":2,"name":"pear","price":0.75,"qty":1}],"total":1.75}`},
		{"POST", "/cart", `{"id":42}`, 404, `{"detail":"Product not found"}`},
		{"POST", "/cart", `{}`, 422, `{"detail":"id: an integer product id is required"}`},
		{"POST", "/checkout", "", 200, `{"order_id":1,"items":3,"total":1.75}`},
		{"GET", "/cart", "", 200, `{"items":[],"total":0}`},
		{"POST", "/cart", `{"id":3}`, 200, `{"items":[{"id":3,"name":"plum","price":0.3,"qty":1}],"total":0.3}`},
		{"POST", "/checkout", "", 200, `{"order_id":2,"items":1,"total":0.3}`},
	}
	for _, st := range steps {
		status, body, _ := call(t, c, st.method, ts.URL+st.path, st.body)
		if status != st.status || body != st.want {
			t.Fatalf("%s %s %s: %d %s, want %d %s", st.method, st.path, st.body, status, body, st.status, st.want)
		}
	}
}

func TestCounts(t *testing.T) {
	s := New()
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	c := ts.Client()
	for _, p := range []string{"/", "/", "/items/", "/items/1", "/nope", "/__count"} {
		call(t, c, "GET", ts.URL+p, "")
	}
	if got := s.Served(); got != 5 {
		t.Errorf("Served %d, want 5 (/__count is not counted)", got)
	}
	for path, want := range map[string]int64{"/": 2, "/items/": 1, "/items/1": 1, "/nope": 1, "/__count": 0, "/never": 0} {
		if got := s.ServedPath(path); got != want {
			t.Errorf("ServedPath(%q) = %d, want %d", path, got, want)
		}
	}
	if _, body, _ := call(t, c, "GET", ts.URL+"/__count", ""); body != "5" {
		t.Errorf("GET /__count = %q, want 5", body)
	}
	if _, body, _ := call(t, c, "POST", ts.URL+"/__count", ""); body != "0" {
		t.Errorf("POST /__count = %q, want 0", body)
	}
	if s.Served() != 0 || s.ServedPath("/") != 0 {
		t.Errorf("after reset: Served %d, ServedPath(/) %d", s.Served(), s.ServedPath("/"))
	}
	call(t, c, "GET", ts.URL+"/", "")
	s.Reset()
	call(t, c, "GET", ts.URL+"/", "")
	if s.Served() != 1 || s.ServedPath("/") != 1 {
		t.Errorf("after Reset and one request: Served %d, ServedPath(/) %d", s.Served(), s.ServedPath("/"))
	}
}

func TestPathCountsAreBounded(t *testing.T) {
	s := New()
	h := s.Handler()
	for i := range maxPaths + 50 {
		r := httptest.NewRequest("GET", "/items/"+strconv.Itoa(i), nil)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if got := s.npaths.Load(); got != maxPaths {
		t.Errorf("tracked %d paths, want the cap %d", got, maxPaths)
	}
	if got := s.Served(); got != maxPaths+50 {
		t.Errorf("Served %d, want %d", got, maxPaths+50)
	}
}

func TestSlowHonoursCancel(t *testing.T) {
	ts := httptest.NewServer(New().Handler())
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/slow?ms=20000", nil)
	start := time.Now()
	_, err := ts.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want deadline exceeded", err)
	}
	// httptest's Close waits for handlers: it returns quickly only if /slow saw the cancel.
	ts.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("server took %v to finish a cancelled /slow", d)
	}
}

func TestStartAndClose(t *testing.T) {
	s := New()
	if err := s.Close(); err != nil {
		t.Fatalf("Close before Start: %v", err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("base URL %q", base)
	}
	if _, err := s.Start("127.0.0.1:0"); err == nil {
		t.Fatal("second Start succeeded")
	}
	c := userClient(t)
	if status, body, _ := call(t, c, "GET", base+"/", ""); status != 200 || body != `{"message":"Hello World"}` {
		t.Fatalf("GET /: %d %s", status, body)
	}
	if s.Served() != 1 || s.ServedPath("/") != 1 {
		t.Fatalf("Served %d, ServedPath(/) %d", s.Served(), s.ServedPath("/"))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(base + "/"); err == nil {
		t.Fatal("server still answers after Close")
	}
	// A closed server may be started again, as a demo that restarts would do.
	base, err = s.Start("")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if status, _, _ := call(t, c, "GET", base+"/items/", ""); status != 200 {
		t.Fatalf("after restart: %d", status)
	}
}

func TestBaseHost(t *testing.T) {
	tests := []struct {
		addr *net.TCPAddr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8000}, "127.0.0.1:8000"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8000}, "[::1]:8000"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 9}, "127.0.0.1:9"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9}, "127.0.0.1:9"},
		{&net.TCPAddr{Port: 9}, "127.0.0.1:9"},
	}
	for _, tt := range tests {
		if got := baseHost(tt.addr); got != tt.want {
			t.Errorf("baseHost(%v) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestConcurrentUsersGetDistinctOrders(t *testing.T) {
	ts := httptest.NewServer(New().Handler())
	defer ts.Close()
	const users = 20
	ids := make(chan float64, users)
	errs := make(chan string, users)
	var wg sync.WaitGroup
	for u := range users {
		wg.Go(func() {
			c := userClient(t)
			name := "u" + strconv.Itoa(u)
			for _, step := range [][2]string{{"/login", `{"username":"` + name + `","password":"secret"}`}, {"/cart", `{"id":1}`}} {
				res, err := c.Post(ts.URL+step[0], "application/json", strings.NewReader(step[1]))
				if err != nil {
					errs <- err.Error()
					return
				}
				res.Body.Close()
				if res.StatusCode != 200 {
					errs <- name + ": " + step[0] + " " + res.Status
					return
				}
			}
			res, err := c.Post(ts.URL+"/checkout", "application/json", nil)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer res.Body.Close()
			var out map[string]float64
			if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out["items"] != 1 {
				errs <- name + ": checkout " + res.Status
				return
			}
			ids <- out["order_id"]
		})
	}
	wg.Wait()
	close(ids)
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	seen := map[float64]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("order id %v given twice", id)
		}
		seen[id] = true
	}
	if len(seen) != users {
		t.Errorf("%d distinct orders, want %d", len(seen), users)
	}
}
