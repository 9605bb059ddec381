package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gustload/gust/metrics"
)

func sample(t *testing.T) *Data {
	t.Helper()
	start := time.Unix(1_700_000_000, 0)
	now := start
	stats := metrics.New(metrics.Options{Now: func() time.Time { return now }})
	hist := metrics.NewHistory(stats, metrics.HistoryOptions{})
	rec := stats.Recorder()
	for s := range 5 {
		for i := range 10 {
			at := start.Add(time.Duration(s)*time.Second + time.Duration(i)*100*time.Millisecond)
			rec.Record("GET", `/q?<script>alert("name")</script>`, at, 400*time.Microsecond, 10, "")
			rec.Record("POST", "/buy", at, 20*time.Millisecond, 10, `HTTP 500 <b>"bad"</b>`)
		}
		rec.Flush()
		now = start.Add(time.Duration(s+1) * time.Second)
		hist.Sample(now, s+1)
	}
	rec.Exception("Error: </script><script>alert(1)</script>", "at x (a.js:1:1)")
	snap := stats.Snapshot()
	th, err := metrics.ParseThreshold("'POST /buy': p95<10ms")
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := metrics.EvaluateAll([]metrics.Threshold{th}, snap)
	return &Data{
		Run:      Run{Script: "<evil>.js", Host: "http://127.0.0.1:1", Users: 5, RunTime: 5 * time.Second, StopReason: "run time reached", Version: "test"},
		Snapshot: snap, History: hist.Rows(), Verdicts: vs,
	}
}

func TestWriteIsSelfContainedAndEscaped(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, sample(t)); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if regexp.MustCompile(`(?i)<(script|link|img)[^>]+(src|href)=`).MatchString(page) {
		t.Error("the report refers to another file")
	}
	if !bytes.Contains(b.Bytes(), UPlotJS) || !bytes.Contains(b.Bytes(), UPlotCSS) {
		t.Error("uPlot is not embedded whole")
	}
	for _, bad := range []string{`<script>alert("name")`, "<b>\"bad\"</b>", "<evil>", "</script><script>alert(1)"} {
		if strings.Contains(page, bad) {
			t.Errorf("%q reached the page unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;evil&gt;.js", "Aggregated", "✗ crossed", "0.4ms", "a.js:1:1", `"t":[1700000001,1700000002`, "chart-rps", "chart-rt", "chart-users"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// Only our two scripts: uPlot and the charts.
	if n := strings.Count(page, "<script>"); n != 2 {
		t.Errorf("%d script elements, want 2", n)
	}
}

func TestWriteEmptyRun(t *testing.T) {
	stats := metrics.New(metrics.Options{})
	var b bytes.Buffer
	if err := Write(&b, &Data{Snapshot: stats.Snapshot()}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No failures.") || !strings.Contains(b.String(), `"t":[]`) {
		t.Error("an empty run does not render")
	}
}

// Custom metrics and checks get their tables, names escaped like request names.
func TestWriteCustomMetricsAndChecks(t *testing.T) {
	d := sample(t)
	stats := metrics.New(metrics.Options{})
	cart, err := stats.Metric("<i>cart</i>", metrics.Trend, false)
	if err != nil {
		t.Fatal(err)
	}
	hits, _ := stats.Metric("cache_hit", metrics.Rate, false)
	r := stats.Recorder()
	r.Add(cart, 120)
	r.Add(cart, 80)
	r.Add(hits, 1)
	r.Check("status 200", true)
	r.Check("<b>never</b>", false)
	r.Flush()
	custom := stats.Snapshot()
	d.Snapshot.Metrics, d.Snapshot.Checks = custom.Metrics, custom.Checks
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{`id="metrics"`, "&lt;i&gt;cart&lt;/i&gt;", "trend", "avg <b>100</b>", "p(95) <b>120</b>", "rate <b>100%</b>",
		`id="checks"`, "status 200", "&lt;b&gt;never&lt;/b&gt;", "✗"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	var plain bytes.Buffer
	if err := Write(&plain, sample(t)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), `id="metrics"`) || strings.Contains(plain.String(), `id="checks"`) {
		t.Error("a run without custom metrics shows their tables")
	}
}
