package merge_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Local processes stand in for machines: the tests run the real gust binary, several
// `gust run --segment` processes against one counting server, and merge their results.

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gust-merge-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "gust")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/gust").CombinedOutput(); err != nil {
		panic("go build: " + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server counts what it served and remembers the paths; request n (counted across every
// process) takes n%5 ms, so that the whole test's response times are the same set however it
// is split.
type server struct {
	*httptest.Server
	n     atomic.Int64
	mu    sync.Mutex
	paths []string
}

func newServer(t *testing.T) *server {
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.n.Add(1)
		time.Sleep(time.Duration(n%5) * time.Millisecond)
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.Path)
		s.mu.Unlock()
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) reset() {
	s.n.Store(0)
	s.mu.Lock()
	s.paths = nil
	s.mu.Unlock()
}

const script = `import { HttpUser, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0);
  static tasks = { root: 3, items: 1 };
  root() { this.client.get("/u/" + this.id + "/" + this.environment.segment.replace("/", "-"), { name: "/u" }); }
  items() { this.client.get("/items/"); }
}
`

func writeScript(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "s.js")
	if err := os.WriteFile(p, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type proc struct {
	code           int
	stdout, stderr string
}

// gust runs the binary with env added and a time limit.
func gust(t *testing.T, env []string, args ...string) proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("gust %v: no exit within 90s\n%s", args, errb.String())
	}
	return proc{cmd.ProcessState.ExitCode(), out.String(), errb.String()}
}

// fleet runs n segments of the same command line at once, starting together.
func fleet(t *testing.T, n int, dir string, args ...string) []string {
	t.Helper()
	at := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	results := make([]string, n)
	var wg sync.WaitGroup
	procs := make([]proc, n)
	for i := range n {
		results[i] = filepath.Join(dir, fmt.Sprintf("seg%d.json", i))
		a := append([]string{"run", "--headless", "--segment", fmt.Sprintf("%d/%d", i, n), "--start-at", at, "--json", results[i]}, args...)
		wg.Add(1)
		go func() {
			defer wg.Done()
			procs[i] = gust(t, nil, a...)
		}()
	}
	wg.Wait()
	for i, p := range procs {
		if p.code != 0 {
			t.Fatalf("segment %d/%d exited %d\n%s", i, n, p.code, p.stderr)
		}
	}
	return results
}

// runInfo is the part of a JSON result the tests read.
type runInfo struct {
	Start time.Time `json:"start"`
	Run   struct {
		Users      int    `json:"users"`
		Iterations int64  `json:"iterations"`
		Segment    string `json:"segment"`
	} `json:"run"`
	Total struct {
		Requests int64 `json:"requests"`
	} `json:"total"`
	Thresholds []struct {
		Expr   string `json:"expr"`
		Passed bool   `json:"passed"`
	} `json:"thresholds"`
}

func readRun(t *testing.T, path string) runInfo {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r runInfo
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// aggregated is the Aggregated row of a stats CSV: count, then the percentile columns.
func aggregated(t *testing.T, path string) (count int64, pcts []float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		if r[1] == "Aggregated" {
			count, _ = strconv.ParseInt(r[2], 10, 64)
			for _, c := range r[11:] {
				v, _ := strconv.ParseFloat(c, 64)
				pcts = append(pcts, v)
			}
			return count, pcts
		}
	}
	t.Fatalf("%s: no Aggregated row", path)
	return 0, nil
}

// Three segments of -i 3001 serve every iteration once, each records its own share, the ids
// stay unique across the fleet, and the merged result matches one process running the whole
// test: counts exactly, percentiles within the spread of the server's own timing.
func TestSegmentsMergeLikeOneRun(t *testing.T) {
	dir := t.TempDir()
	s := writeScript(t, dir)
	srv := newServer(t)
	segs := fleet(t, 3, dir, "-H", srv.URL, "-u", "10", "-r", "100", "-i", "3001", s)
	if n := srv.n.Load(); n != 3001 {
		t.Fatalf("three segments of -i 3001 served %d", n)
	}
	var users []int
	for i, p := range segs {
		r := readRun(t, p)
		users = append(users, r.Run.Users)
		if want := fmt.Sprintf("%d/3", i); r.Run.Segment != want {
			t.Errorf("%s: run.segment %q, want %q", p, r.Run.Segment, want)
		}
		if want := []int64{1001, 1000, 1000}[i]; r.Run.Iterations != want || r.Total.Requests != want {
			t.Errorf("%s: run.iterations %d, requests %d, want %d", p, r.Run.Iterations, r.Total.Requests, want)
		}
		if r.Start.IsZero() {
			t.Errorf("%s: no start", p)
		}
	}
	if fmt.Sprint(users) != "[4 3 3]" {
		t.Errorf("-u 10 over 3 segments: users %v, want [4 3 3]", users)
	}
	// this.id is unique across the fleet, and this.environment.segment is each process's own.
	ids := map[string]string{}
	srv.mu.Lock()
	for _, p := range srv.paths {
		if f := strings.Split(p, "/"); len(f) == 4 && f[1] == "u" {
			if seg, ok := ids[f[2]]; ok && seg != f[3] {
				t.Errorf("user id %s ran in segments %s and %s", f[2], seg, f[3])
			}
			ids[f[2]] = f[3]
		}
	}
	srv.mu.Unlock()
	if len(ids) != 10 {
		t.Errorf("%d distinct user ids, want 10: %v", len(ids), ids)
	}
	for id, seg := range ids {
		n, _ := strconv.Atoi(id)
		if want := fmt.Sprintf("%d-3", (n-1)%3); seg != want {
			t.Errorf("user %s in segment %s, want %s", id, seg, want)
		}
	}

	m := gust(t, nil, append([]string{"merge", "--csv", filepath.Join(dir, "m"), "--json", filepath.Join(dir, "m.json"), "--html", filepath.Join(dir, "m.html")}, segs...)...)
	if m.code != 0 {
		t.Fatalf("merge exited %d: %s", m.code, m.stderr)
	}
	merged := readRun(t, filepath.Join(dir, "m.json"))
	if merged.Run.Users != 10 || merged.Run.Iterations != 3001 || merged.Run.Segment != "0/3,1/3,2/3" || merged.Total.Requests != 3001 {
		t.Errorf("merged run: %+v", merged)
	}
	if html, _ := os.ReadFile(filepath.Join(dir, "m.html")); !strings.Contains(string(html), "</html>") {
		t.Error("merged HTML report incomplete")
	}
	if !strings.Contains(m.stdout, "Aggregated") {
		t.Errorf("merge printed no summary:\n%s", m.stdout)
	}

	srv.reset()
	whole := gust(t, nil, "run", "--headless", "-H", srv.URL, "-u", "10", "-r", "100", "-i", "3001", "--csv", filepath.Join(dir, "w"), s)
	if whole.code != 0 {
		t.Fatalf("whole run exited %d: %s", whole.code, whole.stderr)
	}
	mc, mp := aggregated(t, filepath.Join(dir, "m_stats.csv"))
	wc, wp := aggregated(t, filepath.Join(dir, "w_stats.csv"))
	if mc != wc || mc != 3001 {
		t.Errorf("merged count %d, one process %d, want 3001 both", mc, wc)
	}
	// p50 to p99: the server's sleeps (0-4 ms, the same set either way) dominate; what is left
	// is scheduling noise, far below a millisecond but not nothing on a shared machine.
	for i, p := range []string{"50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%"} {
		if d := mp[i] - wp[i]; d > 1.5 || d < -1.5 {
			t.Errorf("%s: merged %.2f ms, one process %.2f ms", p, mp[i], wp[i])
		}
	}

	// Merging is lossless: a result merged with itself keeps every percentile, and the merged
	// JSON merged again (alone) gives the same table.
	once := gust(t, nil, "merge", "--csv", filepath.Join(dir, "once"), segs[0])
	twice := gust(t, nil, "merge", "--csv", filepath.Join(dir, "twice"), segs[0], segs[0])
	again := gust(t, nil, "merge", "--csv", filepath.Join(dir, "again"), filepath.Join(dir, "m.json"))
	if once.code != 0 || twice.code != 0 || again.code != 0 {
		t.Fatalf("merge exit codes: once %d, twice %d (%s), again %d", once.code, twice.code, twice.stderr, again.code)
	}
	if !strings.Contains(twice.stderr, "merged with itself") {
		t.Errorf("a self-merge has no note: %q", twice.stderr)
	}
	oc, op := aggregated(t, filepath.Join(dir, "once_stats.csv"))
	tc, tp := aggregated(t, filepath.Join(dir, "twice_stats.csv"))
	if tc != 2*oc || !slices.Equal(op, tp) {
		t.Errorf("self-merge: %d %v, once: %d %v", tc, tp, oc, op)
	}
	ac, ap := aggregated(t, filepath.Join(dir, "again_stats.csv"))
	if ac != mc || !slices.Equal(ap, mp) {
		t.Errorf("merged result merged again: %d %v, want %d %v", ac, ap, mc, mp)
	}
}

// Thresholds are judged again on the merged whole, from the expressions the segments recorded:
// count<2500 holds for each segment (1000 requests) and is crossed by the whole (3001).
func TestMergeJudgesThresholdsOnTheWhole(t *testing.T) {
	dir := t.TempDir()
	s := writeScript(t, dir)
	srv := newServer(t)
	segs := fleet(t, 3, dir, "-H", srv.URL, "-u", "6", "-r", "100", "-i", "3001", "--threshold", "count<2500", "--threshold", "fail_ratio<1%", s)
	for _, p := range segs {
		for _, v := range readRun(t, p).Thresholds {
			if !v.Passed {
				t.Errorf("%s: %s crossed in a segment", p, v.Expr)
			}
		}
	}
	m := gust(t, nil, append([]string{"merge", "--json", filepath.Join(dir, "m.json")}, segs...)...)
	if m.code != 3 {
		t.Fatalf("merge exited %d, want 3 (count<2500 crossed by the whole)\n%s", m.code, m.stdout)
	}
	got := readRun(t, filepath.Join(dir, "m.json")).Thresholds
	if len(got) != 2 || got[0].Expr != "count<2500" || got[0].Passed || !got[1].Passed {
		t.Errorf("merged verdicts %+v", got)
	}
}

// A segment with nothing to do (-i 2 over 3) writes an empty result and exits 0; the merge of
// all three is the whole. The segment may come from JOB_COMPLETION_INDEX with GUST_SEGMENTS.
func TestIdleSegmentAndIndexedJobEnvironment(t *testing.T) {
	dir := t.TempDir()
	s := writeScript(t, dir)
	srv := newServer(t)
	var paths []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("j%d.json", i))
		r := gust(t, []string{"JOB_COMPLETION_INDEX=" + strconv.Itoa(i), "GUST_SEGMENTS=3"},
			"run", "--headless", "-H", srv.URL, "-u", "3", "-i", "2", "--json", p, s)
		if r.code != 0 {
			t.Fatalf("segment %d exited %d: %s", i, r.code, r.stderr)
		}
		info := readRun(t, p)
		if info.Run.Segment != fmt.Sprintf("%d/3", i) || info.Run.Iterations != []int64{1, 1, 0}[i] {
			t.Errorf("%s: segment %q iterations %d", p, info.Run.Segment, info.Run.Iterations)
		}
		paths = append(paths, p)
	}
	if n := srv.n.Load(); n != 2 {
		t.Fatalf("-i 2 over 3 segments served %d", n)
	}
	m := gust(t, nil, append([]string{"merge", "--csv", filepath.Join(dir, "m")}, paths...)...)
	if c, _ := aggregated(t, filepath.Join(dir, "m_stats.csv")); m.code != 0 || c != 2 {
		t.Errorf("merge exited %d with %d requests, want 0 and 2: %s", m.code, c, m.stderr)
	}
}

// The merge refuses what is not parts of one test, naming the files; a --start-at in the past
// starts at once with a warning; bad values are named.
func TestMergeRefusesAndFlagsAreChecked(t *testing.T) {
	dir := t.TempDir()
	s := writeScript(t, dir)
	srv := newServer(t)
	run := func(name string, args ...string) string {
		p := filepath.Join(dir, name)
		r := gust(t, nil, append([]string{"run", "--headless", "-H", srv.URL, "-u", "2", "-i", "20", "--json", p}, append(args, s)...)...)
		if r.code != 0 {
			t.Fatalf("%v exited %d: %s", args, r.code, r.stderr)
		}
		if name == "past.json" && !strings.Contains(r.stderr, "past: starting now") {
			t.Errorf("--start-at in the past: no warning in %q", r.stderr)
		}
		return p
	}
	a := run("a.json", "--segment", "0/2")
	b := run("b.json", "--segment", "0/2")
	c := run("past.json", "--segment", "0/3", "--start-at", "2020-01-01T00:00:00Z")
	other := filepath.Join(dir, "other.json")
	body, _ := os.ReadFile(a)
	var doc map[string]any
	json.Unmarshal(body, &doc)
	doc["run"].(map[string]any)["script"] = "other.js"
	doc["run"].(map[string]any)["segment"] = "1/2"
	body, _ = json.Marshal(doc)
	os.WriteFile(other, body, 0o644)
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{[]string{a, b}, "both ran segment 0/2"},
		{[]string{a, c}, "different splits"},
		{[]string{a, other}, "different scripts"},
		{[]string{a, filepath.Join(dir, "missing.json")}, "missing.json"},
	} {
		r := gust(t, nil, append([]string{"merge"}, tc.files...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("merge %v: exit %d, stderr %q; want 2 and %q", tc.files, r.code, r.stderr, tc.want)
		}
	}
	for _, bad := range [][]string{{"--segment", "3/3"}, {"--segment", "x"}, {"--start-at", "tomorrow"}, {"--out", "carbon=x"}, {"--local-ips", "127.0.0.9-127.0.0.2"}} {
		r := gust(t, nil, append([]string{"run", "--headless", "-H", srv.URL, "-i", "1"}, append(bad, s)...)...)
		if r.code != 2 || !strings.Contains(r.stderr, bad[1]) {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the value", bad, r.code, r.stderr)
		}
	}
}

// --rate splits with a phase: the segments' arrivals add up to the whole's. Without the phase,
// each segment would run 50/3 per second from its own first arrival: 3×34 arrivals in 2 s
// where the whole has 100.
func TestRateSplitAddsUp(t *testing.T) {
	dir := t.TempDir()
	s := writeScript(t, dir)
	srv := newServer(t)
	fleet(t, 3, dir, "-H", srv.URL, "--rate", "50", "-u", "30", "-t", "2s", s)
	split := srv.n.Load()
	srv.reset()
	if r := gust(t, nil, "run", "--headless", "-H", srv.URL, "--rate", "50", "-u", "30", "-t", "2s", s); r.code != 0 {
		t.Fatalf("whole run exited %d: %s", r.code, r.stderr)
	}
	whole := srv.n.Load()
	t.Logf("split %d whole %d", split, whole)
	if d := split - whole; d < -1 || d > 1 {
		t.Errorf("--rate 50 for 2s: three segments served %d, one process %d", split, whole)
	}
}
