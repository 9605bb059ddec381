package tsout

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gustload/gust/metrics"
)

// startPrometheus runs Debian's prometheus on a free loopback port with a temporary database and
// the remote-write receiver on; it returns the base URL.
func startPrometheus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus is not installed (apt-get install prometheus)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 1s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--web.enable-remote-write-receiver")
	log, _ := os.Create(filepath.Join(dir, "prometheus.log"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("prometheus not ready after 30s: %v\n%s", err, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// query runs an instant PromQL query and returns the single result's value.
func query(t *testing.T, base, q string) (float64, bool) {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Status string
		Data   struct {
			Result []struct {
				Value [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Status != "success" {
		t.Fatalf("query %s: status %q err %v", q, r.Status, err)
	}
	if len(r.Data.Result) != 1 {
		return 0, false
	}
	v, err := strconv.ParseFloat(fmt.Sprint(r.Data.Result[0].Value[1]), 64)
	return v, err == nil
}

// Two segments push into a real Prometheus; the database holds each segment's final totals and
// PromQL adds the segments up, counters and histogram buckets alike.
func TestRemoteWriteIntoPrometheus(t *testing.T) {
	base := startPrometheus(t)
	start := time.Now().Add(-3 * time.Second)
	var outs []*RemoteWrite
	for i := range 2 {
		w, err := NewRemoteWrite(base+"/api/v1/write", Labels{Test: "rwtest", Segment: fmt.Sprintf("%d/2", i)}, 50*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, w)
	}
	// Live samples: growing counts, a second apart in sample time.
	for step := range 3 {
		for i, w := range outs {
			s := sample()
			s.Time = start.Add(time.Duration(step) * time.Second)
			s.Rows[0].Requests = int64(10*step + i)
			w.Snapshot(s)
		}
		time.Sleep(120 * time.Millisecond)
	}
	// The final totals: segment 0 served 1000 /items/, segment 1 served 234.
	for i, w := range outs {
		final := sample()
		final.Time = start.Add(3 * time.Second)
		final.Rows[0].Requests = []int64{1000, 234}[i]
		final.Rows[0].Buckets = cumulative(len(Bounds), uint64(100*(i+1)), uint64(final.Rows[0].Requests))
		if err := w.Stop(final); err != nil {
			t.Fatalf("final flush: %v", err)
		}
	}
	checks := []struct {
		q    string
		want float64
	}{
		{`sum(gust_requests_total{testid="rwtest",name="/items/"})`, 1234},
		{`gust_requests_total{testid="rwtest",name="/items/",segment="1/2"}`, 234},
		{`sum(gust_users{testid="rwtest"})`, 10},
		{`sum(gust_response_time_seconds_bucket{testid="rwtest",name="/items/",le="0.001"})`, 300},
		{`sum(gust_response_time_seconds_count{testid="rwtest",name="/items/"})`, 1234},
		{`sum(gust_orders{testid="rwtest",shop="eu"})`, 18},
		// The live samples are stored too, not only the last: the first live value of segment 1.
		{`min_over_time(gust_requests_total{testid="rwtest",name="/items/",segment="1/2"}[1m])`, 1},
	}
	for _, c := range checks {
		got, ok := query(t, base, c.q)
		if !ok || got != c.want {
			t.Errorf("%s = %v (found %v), want %v", c.q, got, ok, c.want)
		}
	}
	// Quantiles aggregate across segments from the buckets.
	if q, ok := query(t, base, `histogram_quantile(0.5, sum by (le) (gust_response_time_seconds_bucket{testid="rwtest",name="/items/"}))`); !ok || q <= 0.005 || q > 0.01 {
		t.Errorf("merged median %v (found %v), want in (0.005, 0.01]", q, ok)
	}
}

// A remote write that cannot reach its database reports it at Stop instead of hanging the run.
func TestRemoteWriteUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	w, err := NewRemoteWrite("http://"+addr+"/api/v1/write", Labels{Test: "x", Segment: "0/1"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Start()
	s := sample()
	begin := time.Now()
	if err := w.Stop(s); err == nil {
		t.Error("no error from a final flush to a closed port")
	}
	if d := time.Since(begin); d > 20*time.Second {
		t.Errorf("stop took %v", d)
	}
	if _, err := NewRemoteWrite("ftp://x/y", Labels{}, 0); err == nil {
		t.Error("accepted an ftp URL")
	}
}

// Real statistics from two processes, through FromSnapshot and remote write: Prometheus's
// fleet-wide p90 falls in the same bucket as the exact p90 of the merged histograms.
func TestSnapshotsQuantileInPrometheus(t *testing.T) {
	base := startPrometheus(t)
	var merged *metrics.Snapshot
	now := time.Now()
	for seg := range 2 {
		stats := metrics.New(metrics.Options{})
		r := stats.Recorder()
		for i := range 500 {
			// Segment 0 is fast (1-50 ms), segment 1 slow (20-520 ms): the fleet's p90 is
			// neither segment's.
			d := time.Duration(1+i%50) * time.Millisecond
			if seg == 1 {
				d = time.Duration(20+i) * time.Millisecond
			}
			r.Record("GET", "/", now, d, 0, "")
		}
		r.Flush()
		snap := stats.Snapshot()
		w, err := NewRemoteWrite(base+"/api/v1/write", Labels{Test: "qtest", Segment: fmt.Sprintf("%d/2", seg)}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		s := FromSnapshot(snap, 1)
		s.Time = now
		if err := w.Stop(s); err != nil {
			t.Fatal(err)
		}
		if merged == nil {
			merged = snap
		} else {
			merged.Merge(snap)
		}
	}
	exact := merged.Total.Percentile(90).Seconds()
	got, ok := query(t, base, `histogram_quantile(0.9, sum by (le) (gust_response_time_seconds_bucket{testid="qtest"}))`)
	if !ok {
		t.Fatal("no quantile from Prometheus")
	}
	bucket := func(v float64) int {
		for i, b := range Bounds {
			if v <= b {
				return i
			}
		}
		return len(Bounds)
	}
	if bucket(got) != bucket(exact) {
		t.Errorf("Prometheus p90 %.4fs, exact merged p90 %.4fs: different buckets", got, exact)
	}
	if n, _ := query(t, base, `sum(gust_requests_total{testid="qtest"})`); n != 1000 {
		t.Errorf("requests %v, want 1000", n)
	}
}
