package tsout

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gustload/gust/metrics"
)

// snapshot records known latencies through the real metrics package.
func snapshot(t *testing.T) *metrics.Snapshot {
	t.Helper()
	stats := metrics.New(metrics.Options{})
	r := stats.Recorder()
	now := time.Now()
	for _, d := range []time.Duration{500 * time.Microsecond, 3 * time.Millisecond, 3 * time.Millisecond, 20 * time.Millisecond, 2 * time.Second, 90 * time.Second} {
		r.Record("GET", "/items/", now, d, 10, "")
	}
	r.Record("POST", "/cart", now, 4*time.Millisecond, 0, "HTTP 500")
	r.Flush()
	return stats.Snapshot()
}

func TestFromSnapshotBuckets(t *testing.T) {
	s := FromSnapshot(snapshot(t), 7)
	if s.Users != 7 || len(s.Rows) != 2 {
		t.Fatalf("sample %+v", s)
	}
	var items Row
	for _, r := range s.Rows {
		if r.Name == "/items/" {
			items = r
		}
		if r.Name == "Aggregated" {
			t.Error("the aggregate row is exported; summing rows would count it twice")
		}
	}
	if items.Requests != 6 || items.Failures != 0 {
		t.Fatalf("items row %+v", items)
	}
	want := map[float64]uint64{0.001: 1, 0.0025: 1, 0.005: 3, 0.01: 3, 0.025: 4, 1: 4, 2.5: 5, 60: 5}
	for i, b := range Bounds {
		if w, ok := want[b]; ok && items.Buckets[i] != w {
			t.Errorf("bucket le=%v holds %d, want %d (all: %v)", b, items.Buckets[i], w, items.Buckets)
		}
	}
	if sum := items.Seconds; sum < 92.02 || sum > 92.03 {
		t.Errorf("sum of seconds %v, want 92.0265", sum)
	}
}

func sample() Sample {
	return Sample{
		Time:  time.Now(),
		Users: 5,
		Rows: []Row{
			{Method: "GET", Name: "/items/", Requests: 6, Failures: 1, Seconds: 1.5, Buckets: cumulative(len(Bounds), 2, 6)},
			{Method: "GET", Name: `/q?a="x"`, Requests: 3, Seconds: 0.3, Buckets: cumulative(len(Bounds), 1, 3)},
		},
		Custom: []Custom{
			{Name: "cart value", Kind: Gauge, Value: 42.5},
			{Name: "orders", Kind: Counter, Value: 9, Labels: map[string]string{"shop": "eu", "2nd region": "north", "__name__": "x"}},
		},
	}
}

// cumulative fills n buckets: first at the first bound, rest from the fourth on.
func cumulative(n int, first, total uint64) []uint64 {
	b := make([]uint64, n)
	for i := range b {
		b[i] = first
		if i >= 3 {
			b[i] = total
		}
	}
	return b
}

func TestMetricsEndpoint(t *testing.T) {
	e := NewExporter(Labels{Test: "t1", Segment: "1/3"})
	e.Snapshot(sample())
	srv, err := Serve("127.0.0.1:0", e)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Get("http://" + srv.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	for _, line := range []string{
		`gust_requests_total{method="GET",name="/items/",segment="1/3",testid="t1"} 6`,
		`gust_failures_total{method="GET",name="/items/",segment="1/3",testid="t1"} 1`,
		`gust_requests_total{method="GET",name="/q?a=\"x\"",segment="1/3",testid="t1"} 3`,
		`gust_users{segment="1/3",testid="t1"} 5`,
		`gust_response_time_seconds_bucket{method="GET",name="/items/",segment="1/3",testid="t1",le="0.001"} 2`,
		`gust_response_time_seconds_bucket{method="GET",name="/items/",segment="1/3",testid="t1",le="+Inf"} 6`,
		`gust_response_time_seconds_sum{method="GET",name="/items/",segment="1/3",testid="t1"} 1.5`,
		`gust_cart_value{segment="1/3",testid="t1"} 42.5`,
		`gust_orders{_2nd_region="north",_name__="x",segment="1/3",shop="eu",testid="t1"} 9`,
		`# TYPE gust_response_time_seconds histogram`,
		`# TYPE gust_orders counter`,
	} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("/metrics lacks %s\n%s", line, text)
		}
	}
	// A custom metric named like one of gust's own is refused, the rest still served.
	s := sample()
	s.Custom = append(s.Custom, Custom{Name: "users", Value: 1}, Custom{Name: "bad label", Value: 1, Labels: map[string]string{"no spaces": "x"}})
	// A name with bytes that are not UTF-8 keeps its series (client_golang would panic on it).
	s.Rows = append(s.Rows, Row{Method: "GET", Name: "/raw\xff", Requests: 2, Buckets: cumulative(len(Bounds), 2, 2)})
	e.Snapshot(s)
	resp, err = http.Get("http://" + srv.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Count(string(body), "\ngust_users{") != 1 || !strings.Contains(string(body), "gust_requests_total{") ||
		!strings.Contains(string(body), "gust_requests_total{method=\"GET\",name=\"/raw\uFFFD\",segment=\"1/3\",testid=\"t1\"} 2") {
		t.Errorf("a clashing custom metric broke /metrics:\n%s", body)
	}
}

func TestInfluxLineProtocol(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/write" || r.URL.Query().Get("db") != "gust" {
			http.Error(w, "bad path "+r.URL.String(), http.StatusNotFound)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	w, err := NewInflux(srv.URL, Labels{Test: "t 1", Segment: "0/2"}, 20*time.Millisecond, "")
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Start()
	s := sample()
	s.Time = time.Unix(1700000000, 0)
	w.Snapshot(s)
	time.Sleep(100 * time.Millisecond)
	final := sample()
	final.Time = s.Time.Add(time.Second)
	final.Rows[0].Requests = 100
	if err := w.Stop(final); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 {
		t.Fatalf("%d writes, want the periodic one and the final one (a repeat is not resent)", len(bodies))
	}
	points := parseLines(t, bodies[1])
	var got []string
	for _, p := range points {
		got = append(got, p.measurement+" "+p.tags["method"]+" "+p.tags["name"]+" "+p.fields["requests"]+p.fields["value"])
		if p.tags["testid"] != "t 1" || p.tags["segment"] != "0/2" || p.ts != "1700000001000000000" {
			t.Errorf("point %+v lacks testid/segment or the sample's time", p)
		}
	}
	slices.Sort(got)
	want := []string{`gust_cart_value   42.5`, `gust_orders   9`, `gust_requests GET /items/ 100i`, `gust_requests GET /q?a="x" 3i`, `gust_users   5i`}
	if !slices.Equal(got, want) {
		t.Errorf("points\n%q\nwant\n%q\nbody:\n%s", got, want, bodies[1])
	}
	if _, err := NewInflux("localhost:8086", Labels{}, 0, ""); err == nil || !strings.Contains(err.Error(), `"localhost:8086"`) {
		t.Errorf("bad URL error %v", err)
	}
}

type point struct {
	measurement  string
	tags, fields map[string]string
	ts           string
}

// parseLines reads line protocol independently of the writer: unescapes "\ ", "\,", "\=" in
// measurement, tags and field keys, and keeps field values raw (quoted strings stay quoted).
func parseLines(t *testing.T, body string) []point {
	t.Helper()
	var out []point
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		parts := splitUnescaped(line, ' ')
		if len(parts) != 3 {
			t.Fatalf("line %q: want measurement+tags, fields, timestamp", line)
		}
		head := splitUnescaped(parts[0], ',')
		p := point{measurement: unescape(head[0]), tags: map[string]string{}, fields: map[string]string{}, ts: parts[2]}
		for _, kv := range head[1:] {
			k, v, _ := strings.Cut(kv, "=")
			p.tags[unescape(k)] = unescape(v)
		}
		for _, kv := range splitUnescaped(parts[1], ',') {
			k, v, _ := strings.Cut(kv, "=")
			p.fields[unescape(k)] = v
		}
		out = append(out, p)
	}
	return out
}

func splitUnescaped(s string, sep byte) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(c)
			cur.WriteByte(s[i+1])
			i++
		case c == '"':
			quoted = !quoted
			cur.WriteByte(c)
		case c == sep && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

func unescape(s string) string {
	return strings.NewReplacer(`\ `, " ", `\,`, ",", `\=`, "=").Replace(s)
}

func TestOpen(t *testing.T) {
	env := func(k string) string { return map[string]string{"INFLUX_TOKEN": "tok"}[k] }
	l := Labels{Test: "t", Segment: "0/1"}
	if o, ok, err := Open("prometheus-rw=http://127.0.0.1:9/api/v1/write", l, 0, env); !ok || err != nil {
		t.Errorf("prometheus-rw: %T %v %v", o, ok, err)
	} else if _, is := o.(*RemoteWrite); !is {
		t.Errorf("prometheus-rw opened %T", o)
	}
	o, ok, err := Open("influxdb=http://127.0.0.1:9", l, 0, env)
	if in, is := o.(*Influx); !ok || err != nil || !is || in.token != "tok" || in.url != "http://127.0.0.1:9/write?db=gust" {
		t.Errorf("influxdb: %#v %v %v", o, ok, err)
	}
	if _, ok, err := Open("csv=out", l, 0, env); ok || err != nil {
		t.Errorf("csv= claimed by tsout: %v %v", ok, err)
	}
	if _, ok, err := Open("prometheus-rw=127.0.0.1:9090", l, 0, env); !ok || err == nil || !strings.Contains(err.Error(), `"127.0.0.1:9090"`) {
		t.Errorf("bad URL: %v %v", ok, err)
	}
	a, b := NewTestID(time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)), NewTestID(time.Now())
	if !strings.HasPrefix(a, "20261202-030405-") || len(a) != len("20261202-030405-")+6 || a[16:] == b[16:] {
		t.Errorf("test ids %q %q", a, b)
	}
}
