package js

import (
	"strings"
	"testing"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// Custom metrics and checks recorded by users land in the run's Stats; tagged values feed the
// sub-metric a threshold selects.
func TestCustomMetricsAndChecks(t *testing.T) {
	path := write(t, "m.js", `import { HttpUser, Counter, Trend, Rate, Gauge, check } from "gust";
const c = new Counter("orders"), tr = new Trend("cart", true), r = new Rate("hit"), g = new Gauge("depth");
export class U extends HttpUser {
  static tasks = { a: 1 };
  a() {
    c.add(2); tr.add(10, { size: "big" }); tr.add(30, { size: "small" }); r.add(true); r.add(0); g.add(this.id);
    if (c.name !== "orders" || !(c instanceof Counter)) throw new Error("name " + c.name);
    const ok = check(this.client.get("/"), { "is 200": (x) => x.status === 200, "never": (x) => false });
    if (ok !== false) throw new Error("check returned " + ok);
  }
}
`)
	th, err := metrics.ParseThreshold("cart{size:big}: max<20")
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := runUsers(t, path, engine.Config{Users: 1, Iterations: 3}, TestConfig{Thresholds: []metrics.Threshold{th}})
	if len(snap.Exceptions) != 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	want := map[string][2]float64{"orders": {3, 6}, "cart": {6, 120}, "cart{size:big}": {3, 30}, "hit": {6, 0}, "depth": {3, 0}}
	for name, w := range want {
		m := snap.Metric(name)
		if m == nil || float64(m.Count) != w[0] || m.Sum != w[1] {
			t.Errorf("%s = %+v, want count %v sum %v", name, m, w[0], w[1])
		}
	}
	if m := snap.Metric("hit"); m == nil || m.Passes != 3 || m.Fails != 3 {
		t.Errorf("hit: %+v", m)
	}
	if len(snap.Checks) != 2 || snap.Checks[0].Name != "is 200" || snap.Checks[0].Passes != 3 || snap.Checks[1].Fails != 3 {
		t.Errorf("checks: %+v", snap.Checks)
	}
}

// What cannot be a metric, or a threshold on one, fails at load or at NewTest naming it.
func TestCustomMetricErrors(t *testing.T) {
	for src, want := range map[string]string{
		`new Counter("http_reqs");`:         `"http_reqs" is built in`,
		`new Counter("x"); new Trend("x");`: `already has a counter of that name`,
		`new Counter("ws_msgs_sent");`:      `built in`,
		`new Rate("a{b}");`:                 `tag selector`,
		`Counter("x");`:                     `without 'new'`,
	} {
		_, err := Load(write(t, "bad.js", "import { HttpUser, Counter, Trend, Rate } from \"gust\";\n"+src+"\nexport class U extends HttpUser { static tasks = { a: 1 }; a() {} }\n"), LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "bad.js:2") {
			t.Errorf("%s: %v, want an error at bad.js:2 with %q", src, err, want)
		}
	}
	s, err := Load(write(t, "ok.js", "import { HttpUser, Counter } from \"gust\";\nnew Counter(\"orders\");\nexport class U extends HttpUser { static tasks = { a: 1 }; a() {} }\n"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for expr, want := range map[string]string{
		"orders: p(95)<10":            "orders is a counter",
		"iterations{tag:x}: count>10": "has no tags to select",
		"http_reqs{tag:x}: p(95)<10":  "http_reqs{tag:x} is a counter",
		"nope{a:b}: count>1":          "nope is not a custom metric",
	} {
		th, err := metrics.ParseThreshold(expr)
		if err != nil {
			t.Fatal(err)
		}
		_, err = NewTest(s, TestConfig{Host: "http://127.0.0.1:1", Stats: metrics.New(metrics.Options{}), Thresholds: []metrics.Threshold{th}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", expr, err, want)
		}
	}
}

// Request tags feed the tag selectors thresholds name on http_req_duration, http_req_failed
// and http_reqs; tags.name names the row, as in k6; untagged and other-tagged requests stay out.
func TestRequestTagsSelect(t *testing.T) {
	path := write(t, "tags.js", `import { HttpUser } from "gust";
export class U extends HttpUser {
  static tasks = { a: 1 };
  async a() {
    this.client.get("/", { tags: { page: "home" } });
    this.client.get("/status/500", { tags: { page: "home", name: "broken" } });
    await this.client.getAsync("/items/1", { tags: { page: "item" } });
    this.client.get("/items/2");
  }
}
`)
	var ths []metrics.Threshold
	for _, expr := range []string{"http_req_duration{page:home}: p(95)<60000", "http_req_failed{page:home}: rate<0.6", "http_reqs{page:item}: count>=2"} {
		th, err := metrics.ParseThreshold(expr)
		if err != nil {
			t.Fatal(err)
		}
		ths = append(ths, th)
	}
	snap, _ := runUsers(t, path, engine.Config{Users: 1, Iterations: 3}, TestConfig{Thresholds: ths})
	if len(snap.Exceptions) != 0 {
		t.Fatalf("exceptions: %+v", snap.Exceptions)
	}
	if m := snap.Metric("http_req_duration{page:home}"); m == nil || m.Count != 6 || !m.IsTime {
		t.Errorf("http_req_duration{page:home} = %+v, want 6 times", m)
	}
	if m := snap.Metric("http_req_failed{page:home}"); m == nil || m.Passes != 3 || m.Fails != 3 {
		t.Errorf("http_req_failed{page:home} = %+v, want 3 failed of 6", m)
	}
	if m := snap.Metric("http_reqs{page:item}"); m == nil || m.Sum != 3 {
		t.Errorf("http_reqs{page:item} = %+v, want 3", m)
	}
	if e := row(snap, "GET", "broken"); e.Requests != 3 {
		t.Errorf("tags.name did not name the row: %+v", e)
	}
	verdicts, passed := metrics.EvaluateAll(ths, snap)
	if !passed {
		t.Errorf("thresholds: %+v", verdicts)
	}
}
