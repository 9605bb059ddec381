package metrics

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// customRun records what the runtime check's script records: two users, ten
// iterations each of orders.add(2), cart.add(120), cart.add(80), hits.add(true),
// hits.add(false), depth.add(7), and two checks.
func customRun(t *testing.T) (*Stats, *clock) {
	t.Helper()
	s, c := newTestStats(Options{})
	orders, err := s.Metric("orders", Counter, false)
	if err != nil {
		t.Fatal(err)
	}
	cart, _ := s.Metric("cart_value", Trend, false)
	hits, _ := s.Metric("cache_hit", Rate, false)
	depth, _ := s.Metric("queue_depth", Gauge, false)
	for u := range 2 {
		r := s.Recorder()
		for i := range 10 {
			r.Record("GET", "/", t0.Add(time.Duration(i)*time.Second), 10*time.Millisecond, 1, "")
			r.Add(orders, 2)
			r.Add(cart, 120)
			r.Add(cart, 80)
			r.Add(hits, 1)
			r.Add(hits, 0)
			r.Add(depth, float64(7+u))
			r.Check("status 200", true)
			r.Check("never", false)
		}
		r.Flush()
	}
	c.Set(t0.Add(10 * time.Second))
	s.CountIterations(func() int64 { return 20 })
	return s, c
}

func TestCustomMetricsRecordedPerUserAndMerged(t *testing.T) {
	s, _ := customRun(t)
	snap := s.Snapshot()
	if len(snap.Metrics) != 4 {
		t.Fatalf("metrics %+v", snap.Metrics)
	}
	o, cart, hits, depth := snap.Metric("orders"), snap.Metric("cart_value"), snap.Metric("cache_hit"), snap.Metric("queue_depth")
	if o.Sum != 40 || o.Count != 20 || math.Abs(o.PerSecond(snap.Span())-40.0/9) > 1e-9 {
		t.Errorf("orders: sum %v, adds %d, %v/s", o.Sum, o.Count, o.PerSecond(snap.Span()))
	}
	if cart.Count != 40 || cart.Avg() != 100 || cart.Min != 80 || cart.Max != 120 || cart.Percentile(95) != 120 || cart.Percentile(50) != 80 {
		t.Errorf("cart_value: %d values, avg %v, min %v, max %v, p95 %v, med %v", cart.Count, cart.Avg(), cart.Min, cart.Max, cart.Percentile(95), cart.Percentile(50))
	}
	if hits.PassRate() != 0.5 || hits.Passes != 20 || hits.Fails != 20 {
		t.Errorf("cache_hit: rate %v, %d passes, %d fails", hits.PassRate(), hits.Passes, hits.Fails)
	}
	if depth.Min != 7 || depth.Max != 8 || depth.Count != 20 {
		t.Errorf("queue_depth: value %v, min %v, max %v", depth.Value, depth.Min, depth.Max)
	}
	if len(snap.Checks) != 2 || snap.Checks[0] != (CheckResult{"status 200", 20, 0}) || snap.Checks[1] != (CheckResult{"never", 0, 20}) {
		t.Errorf("checks %+v", snap.Checks)
	}
	if snap.Iterations != 20 {
		t.Errorf("iterations %d", snap.Iterations)
	}
	// Reset clears the values and keeps the metrics registered.
	s.Reset()
	snap = s.Snapshot()
	if len(snap.Metrics) != 4 || snap.Metric("orders").Sum != 0 || len(snap.Checks) != 0 {
		t.Errorf("after reset: %+v %+v %d", snap.Metrics, snap.Checks, snap.Iterations)
	}
}

func TestMetricRegistration(t *testing.T) {
	s := New(Options{})
	a, err := s.Metric("x", Trend, true)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := s.Metric("x", Trend, true); err != nil || b != a {
		t.Errorf("registering again: %v, %v", b, err)
	}
	for _, tt := range []struct {
		name string
		kind MetricKind
	}{{"x", Counter}, {"http_reqs", Counter}, {"checks", Rate}, {" ", Gauge}, {"y", MetricKind(9)}} {
		if _, err := s.Metric(tt.name, tt.kind, false); err == nil {
			t.Errorf("Metric(%q, %v) accepted", tt.name, tt.kind)
		}
	}
}

// The gauge's value is the last added in time, whichever user flushes last.
func TestGaugeKeepsTheLatestValue(t *testing.T) {
	s := New(Options{})
	g, _ := s.Metric("g", Gauge, false)
	early, late := s.Recorder(), s.Recorder()
	early.Add(g, 1)
	time.Sleep(2 * time.Millisecond)
	late.Add(g, 2)
	late.Flush()
	early.Flush()
	if v := s.Snapshot().Metric("g"); v.Value != 2 {
		t.Errorf("gauge value %v, want the later 2", v.Value)
	}
}

func TestCustomOutputs(t *testing.T) {
	s, _ := customRun(t)
	snap := s.Snapshot()
	var b bytes.Buffer
	WriteSummary(&b, snap)
	out := b.String()
	for _, want := range []string{"Custom metrics", "orders", "counter  count=40 rate=4.44/s", "cart_value", "p(95)=120",
		"cache_hit", "rate=50%", "queue_depth", "Checks", "✓  status 200", "✗  never", "checks: 50% passed (20 of 40)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "Custom metrics") < strings.Index(out, "Response time percentiles") {
		t.Error("custom metrics come before the request tables")
	}
	b.Reset()
	if err := WriteMetricsCSV(&b, snap); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || strings.Join(rows[0], ",") != strings.Join(metricsColumns(), ",") {
		t.Fatalf("metrics CSV: %v", rows)
	}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		byName[r[0]] = r
	}
	if r := byName["orders"]; r[1] != "counter" || r[2] != "40" {
		t.Errorf("orders row %v", r)
	}
	if r := byName["cart_value"]; r[1] != "trend" || r[4] != "100" || r[5] != "80" || r[7] != "120" {
		t.Errorf("cart_value row %v", r)
	}
	if r := byName["never"]; r[1] != "check" || r[12] != "0" || r[13] != "20" {
		t.Errorf("check row %v", r)
	}
}

func TestCustomJSONAndMerge(t *testing.T) {
	s, _ := customRun(t)
	snap := s.Snapshot()
	var b bytes.Buffer
	if err := WriteJSON(&b, snap, nil); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Metrics map[string]map[string]any `json:"metrics"`
		Checks  []map[string]any          `json:"checks"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{
		"orders":      {"type": "counter", "count": 40.0},
		"cart_value":  {"type": "trend", "count": 40.0, "avg": 100.0, "min": 80.0, "max": 120.0},
		"cache_hit":   {"type": "rate", "rate": 0.5, "passes": 20.0, "fails": 20.0},
		"queue_depth": {"type": "gauge", "min": 7.0, "max": 8.0},
	}
	for name, fields := range want {
		for k, v := range fields {
			if doc.Metrics[name][k] != v {
				t.Errorf("metrics.%s.%s = %v, want %v", name, k, doc.Metrics[name][k], v)
			}
		}
	}
	for _, k := range []string{"med", "p(90)", "p(95)", "p(99)"} {
		if _, ok := doc.Metrics["cart_value"][k]; !ok {
			t.Errorf("trend lacks %s", k)
		}
	}
	if _, ok := doc.Metrics["orders"]["rate"]; !ok {
		t.Error("counter lacks rate")
	}
	if len(doc.Checks) != 2 || doc.Checks[0]["name"] != "status 200" || doc.Checks[0]["passes"] != 20.0 || doc.Checks[1]["fails"] != 20.0 {
		t.Errorf("checks %v", doc.Checks)
	}

	// Read back and merged with itself: counts double, every percentile stays.
	back, _, err := ReadJSON(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	twice, _, _ := ReadJSON(bytes.NewReader(b.Bytes()))
	twice.Merge(back)
	c1, c2 := back.Metric("cart_value"), twice.Metric("cart_value")
	for _, p := range []float64{1, 50, 90, 95, 99, 100} {
		if c1.Percentile(p) != c2.Percentile(p) || c1.Percentile(p) != snap.Metric("cart_value").Percentile(p) {
			t.Errorf("p%v: read %v, merged with itself %v, recorded %v", p, c1.Percentile(p), c2.Percentile(p), snap.Metric("cart_value").Percentile(p))
		}
	}
	if c2.Count != 80 || twice.Metric("orders").Sum != 80 || twice.Metric("cache_hit").Passes != 40 || twice.Checks[1].Fails != 40 || twice.Iterations != 40 {
		t.Errorf("merged counts: %d, %v, %d, %+v, %d", c2.Count, twice.Metric("orders").Sum, twice.Metric("cache_hit").Passes, twice.Checks, twice.Iterations)
	}
	if g := twice.Metric("queue_depth"); g.Value != snap.Metric("queue_depth").Value || !g.ValueAt.Equal(snap.Metric("queue_depth").ValueAt) {
		t.Errorf("merged gauge %v at %v", g.Value, g.ValueAt)
	}
}

func TestThresholdsOnCustomAndBuiltinMetrics(t *testing.T) {
	s, _ := customRun(t)
	snap := s.Snapshot()
	tests := []struct {
		expr string
		pass bool
	}{
		{"cart_value: p(95)<=121", true},
		{"cart_value: p(95)<100", false},
		{"orders: count>=20", true},
		{"orders: count>=50", false},
		{"cache_hit: rate>=0.5", true},
		{"cache_hit: rate>0.9", false},
		{"queue_depth: value<10", true},
		{"checks: rate>0.6", false},
		{"checks: rate>=50%", true},
		{"http_req_duration: p(95)<20", true},
		{"http_req_duration: avg<5", false},
		{"http_req_failed: rate<0.01", true},
		{"http_reqs: count>20", false},
		{"http_reqs: count>=20", true},
		{"http_reqs: rate>2", true},
		{"iterations: count>=20", true},
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if v := th.evaluate(snap); v.Passed != tt.pass {
			t.Errorf("%s: passed %v (measured %v, no data %v), want %v", tt.expr, v.Passed, v.Actual, v.NoData, tt.pass)
		}
	}
	// Values that are not response times print bare.
	for expr, want := range map[string]string{"cache_hit: rate>0.9": "✗ cache_hit: rate>0.9 (cache_hit): 0.5", "cart_value: p(95)<100": "✗ cart_value: p(95)<100 (cart_value): 120",
		"http_req_duration: p(95)<1": "✗ http_req_duration: p(95)<1 (http_req_duration): 10ms", "checks: rate>0.6": "✗ checks: rate>0.6 (checks): 0.5"} {
		th, _ := ParseThreshold(expr)
		if got := th.evaluate(snap).String(); got != want {
			t.Errorf("verdict %q, want %q", got, want)
		}
	}
	for expr, ok := range map[string]bool{"orders: p(95)<1": false, "cache_hit: value<1": false, "cart_value: p(99.9)<1": true, "cart_value: med<1": true, "/x: p95<1": true} {
		th, err := ParseThreshold(expr)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CheckThreshold(th); (err == nil) != ok {
			t.Errorf("CheckThreshold(%s) = %v", expr, err)
		}
	}
}

// A sketch keeps every percentile within 0.1% of the exact one, negative values included,
// and two sketches merge into exactly the sketch of all the values.
func TestSketchAccuracyAndMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	all, a, b := newSketch(), newSketch(), newSketch()
	var vals []float64
	for i := range 20000 {
		v := math.Exp(rng.Float64()*20-5) * float64(1-2*(i%5/4))
		vals = append(vals, v)
		all.Add(v)
		if i%2 == 0 {
			a.Add(v)
		} else {
			b.Add(v)
		}
	}
	a.Merge(b)
	sorted := append([]float64(nil), vals...)
	slices.Sort(sorted)
	for _, p := range []float64{1, 10, 25, 50, 75, 90, 99, 99.9} {
		exact := sorted[int(math.Ceil(p/100*float64(len(sorted))))-1]
		got := all.Percentile(p)
		if math.Abs(got-exact) > 0.001*math.Abs(exact) {
			t.Errorf("p%v: %v, exact %v", p, got, exact)
		}
		if a.Percentile(p) != got {
			t.Errorf("p%v: merged %v, whole %v", p, a.Percentile(p), got)
		}
	}
	back, err := decodeSketch(all.encode())
	if err != nil || back.Percentile(50) != all.Percentile(50) || back.Count() != all.Count() {
		t.Errorf("round trip: %v", err)
	}
}

// Tagged values count in the metric and in each sub-metric whose tags they carry, which a
// threshold names as k6 does: 'cart_value{region:eu}: p(95)<200'.
func TestSubMetricsByTag(t *testing.T) {
	s := New(Options{})
	cart, _ := s.Metric("cart_value", Trend, false)
	name, tags, ok, err := ParseSubMetric("cart_value{ region: eu }")
	if err != nil || !ok || name != "cart_value" || tags["region"] != "eu" {
		t.Fatalf("ParseSubMetric: %q %v %v %v", name, tags, ok, err)
	}
	eu, err := s.SubMetric(cart, tags)
	if err != nil || eu.Name() != "cart_value{region:eu}" {
		t.Fatalf("SubMetric: %v, %v", eu, err)
	}
	r := s.Recorder()
	r.AddTagged(cart, 100, Tags{"region": "eu", "shop": "a"})
	r.AddTagged(cart, 300, Tags{"region": "us"})
	r.Add(cart, 500)
	r.Flush()
	snap := s.Snapshot()
	if all, sub := snap.Metric("cart_value"), snap.Metric("cart_value{region:eu}"); all.Count != 3 || sub == nil || sub.Count != 1 || sub.Max != 100 {
		t.Fatalf("metric %+v, sub-metric %+v", all, sub)
	}
	for expr, pass := range map[string]bool{"cart_value{region:eu}: p(95)<200": true, "'cart_value{ region: eu }': max<=100": true, "cart_value: p(95)<200": false} {
		th, err := ParseThreshold(expr)
		if err != nil {
			t.Fatal(err)
		}
		if v := th.evaluate(snap); v.Passed != pass {
			t.Errorf("%s: passed %v (%v)", expr, v.Passed, v.Actual)
		}
	}
	for _, bad := range []string{"x{region}", "x{a:b"} {
		if _, _, _, err := ParseSubMetric(bad); err == nil {
			t.Errorf("ParseSubMetric(%q) accepted", bad)
		}
	}
}

// Adding a value is as cheap as recording a request: buffered per user, nothing allocated
// once the buffer has grown.
func TestAddAllocatesNothing(t *testing.T) {
	s := New(Options{})
	m, _ := s.Metric("t", Trend, false)
	r := s.Recorder()
	for i := range 1000 {
		r.Add(m, float64(i%50))
		r.Check("ok", true)
	}
	if a := testing.AllocsPerRun(2000, func() { r.Add(m, 7); r.Check("ok", true) }); a > 0.05 {
		t.Errorf("%.2f allocations per Add and Check", a)
	}
}
