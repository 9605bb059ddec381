package compare

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gustload/gust/metrics"
)

// writeResult records n requests of each latency into a real metrics.Stats and writes the
// result with metrics.WriteJSON, the writer of gust run --json.
func writeResult(t *testing.T, name string, rows map[string][]time.Duration, fails map[string]int) string {
	t.Helper()
	stats := metrics.New(metrics.Options{})
	rec := stats.Recorder()
	at := time.Now()
	for row, lats := range rows {
		for i, d := range lats {
			errMsg := ""
			if i < fails[row] {
				errMsg = "HTTP 500"
			}
			at = at.Add(time.Millisecond)
			rec.Record("GET", row, at, d, 100, errMsg)
		}
	}
	rec.Flush()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := metrics.WriteJSON(f, stats.Snapshot(), map[string]any{"run": map[string]any{"script": "x.js"}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d + time.Duration(i%5)*time.Millisecond/10
	}
	return out
}

func load(t *testing.T, path string) *Result {
	t.Helper()
	r, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSameResultPasses(t *testing.T) {
	p := writeResult(t, "a.json", map[string][]time.Duration{"/a": repeat(20*time.Millisecond, 200)}, nil)
	rep := Compare(load(t, p), load(t, p), Options{MinMs: 1})
	if regs := rep.Regressions(); len(regs) != 0 {
		t.Fatalf("a result compared with itself regressed: %v", regs)
	}
	if len(rep.Rows) != 2 || rep.Rows[0].Key != "GET /a" || rep.Rows[1].Key != "Aggregated" {
		t.Fatalf("rows %+v", rep.Rows)
	}
}

func TestSlowerRowIsARegression(t *testing.T) {
	base := writeResult(t, "base.json", map[string][]time.Duration{
		"/slow": repeat(20*time.Millisecond, 200), "/fast": repeat(5*time.Millisecond, 200)}, nil)
	next := writeResult(t, "new.json", map[string][]time.Duration{
		"/slow": repeat(60*time.Millisecond, 200), "/fast": repeat(5*time.Millisecond, 200)}, nil)
	rep := Compare(load(t, base), load(t, next), Options{MinMs: 1})
	regs := strings.Join(rep.Regressions(), "\n")
	if !strings.Contains(regs, "GET /slow: p95") || !strings.Contains(regs, "GET /slow: median") {
		t.Fatalf("the tripled /slow row is not named as a regression:\n%s", regs)
	}
	if strings.Contains(regs, "GET /fast") {
		t.Fatalf("the unchanged /fast row is named:\n%s", regs)
	}
	// A generous tolerance lets the same change through (for the latency metrics).
	loose := []Tolerance{}
	for _, s := range []string{"median:+300%", "p95:+300%", "p99:+300%"} {
		tol, err := ParseTolerance(s)
		if err != nil {
			t.Fatal(err)
		}
		loose = append(loose, tol)
	}
	rep = Compare(load(t, base), load(t, next), Options{Tolerances: loose, MinMs: 1})
	if regs := rep.Regressions(); len(regs) != 0 {
		t.Fatalf("p95:+300%% still flags a 3x change: %v", regs)
	}
}

func TestFailRatioInPercentagePoints(t *testing.T) {
	lat := map[string][]time.Duration{"/a": repeat(10*time.Millisecond, 1000)}
	base := writeResult(t, "base.json", lat, map[string]int{"/a": 10}) // 1%
	next := writeResult(t, "new.json", lat, map[string]int{"/a": 20})  // 2%
	tol, _ := ParseTolerance("fail_ratio:+0.5%")
	rep := Compare(load(t, base), load(t, next), Options{Tolerances: []Tolerance{tol}})
	if regs := strings.Join(rep.Regressions(), "\n"); !strings.Contains(regs, "fail_ratio 1.00% -> 2.00% (+1.00 pts") {
		t.Fatalf("1%% -> 2%% with fail_ratio:+0.5%%: %q", regs)
	}
	tol, _ = ParseTolerance("fail_ratio:+1.5%")
	rep = Compare(load(t, base), load(t, next), Options{Tolerances: []Tolerance{tol}})
	if regs := rep.Regressions(); len(regs) != 0 {
		t.Fatalf("1%% -> 2%% with fail_ratio:+1.5%%: %v", regs)
	}
}

func TestFewRequestsAndSmallChangesAreNotJudged(t *testing.T) {
	base := writeResult(t, "base.json", map[string][]time.Duration{"/rare": repeat(10*time.Millisecond, 5), "/quick": repeat(1*time.Millisecond, 100)}, nil)
	next := writeResult(t, "new.json", map[string][]time.Duration{"/rare": repeat(90*time.Millisecond, 5), "/quick": repeat(1500*time.Microsecond, 100)}, nil)
	rep := Compare(load(t, base), load(t, next), Options{MinMs: 1})
	for _, r := range rep.Regressions() {
		if strings.HasPrefix(r, "GET /rare") || strings.HasPrefix(r, "GET /quick") && !strings.Contains(r, "rps") {
			t.Errorf("judged: %s", r)
		}
	}
}

func TestParseTolerance(t *testing.T) {
	good := map[string]Tolerance{
		"p95:+10%":         {Metric: P95, Up: true, Limit: 0.1, Relative: true},
		"p99:+20ms":        {Metric: P99, Up: true, Limit: 20},
		"median:+0.5s":     {Metric: Median, Up: true, Limit: 500},
		"fail_ratio:+0.5%": {Metric: FailRatio, Up: true, Limit: 0.005},
		"rps:-10%":         {Metric: RPS, Limit: 0.1, Relative: true},
		"count:-100":       {Metric: Count, Limit: 100},
	}
	for s, want := range good {
		got, err := ParseTolerance(s)
		want.Expr = s
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v; want %+v", s, got, err, want)
		}
	}
	for _, s := range []string{"p95", "p95:10%", "p42:+1%", "p95:+x%", "rps:+5ms", "p95:+-1%"} {
		if _, err := ParseTolerance(s); err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("%q: %v, want an error naming it", s, err)
		}
	}
}

func TestTextAndHTML(t *testing.T) {
	base := writeResult(t, "base.json", map[string][]time.Duration{"/slow": repeat(20*time.Millisecond, 100)}, nil)
	next := writeResult(t, "new.json", map[string][]time.Duration{"/slow": repeat(60*time.Millisecond, 100), "/new": repeat(time.Millisecond, 50)}, nil)
	rep := Compare(load(t, base), load(t, next), Options{MinMs: 1})
	var plain, colored bytes.Buffer
	WriteText(&plain, rep, false)
	WriteText(&colored, rep, true)
	if strings.Contains(plain.String(), "\x1b[") {
		t.Fatal("colour without a terminal")
	}
	if !strings.Contains(colored.String(), red+"20.2ms → 60.2ms") {
		t.Fatalf("the regressed median is not red:\n%s", colored.String())
	}
	if !strings.Contains(plain.String(), "GET /new") || !strings.Contains(plain.String(), "new row") {
		t.Fatalf("a row only in the new run is not shown:\n%s", plain.String())
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, rep); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, want := range []string{`id="base-rps"`, `id="new-lat"`, "regression(s) beyond the tolerances", `class="bad"`, "uPlot"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML report lacks %q", want)
		}
	}
}

func TestLoadRejectsOtherJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.json")
	os.WriteFile(p, []byte(`{"a":1}`), 0o644)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "x.json") {
		t.Fatalf("Load of a non-result: %v", err)
	}
}
