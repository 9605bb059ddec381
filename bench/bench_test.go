package bench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/js"
	"github.com/gustload/gust/metrics"
)

// seed is samples/locustfile.js with no wait, as the performance contract runs it.
const seed = `import { HttpUser, constant } from "gust";
export class APIUser extends HttpUser {
  static waitTime = constant(0);
  static tasks = { getItems: 1, getRoot: 1 };
  getItems() { this.client.get("/items/"); }
  getRoot() { this.client.get("/"); }
}
`

// targetURL is BENCH_TARGET (a bench/target process, so that its CPU stays out of profiles)
// or an in-process stand-in.
func targetURL(tb testing.TB) string {
	if u := os.Getenv("BENCH_TARGET"); u != "" {
		return u
	}
	return newTarget(tb)
}

// Canned answers of the stand-in: bench/target's two, with the headers net/http sends.
var (
	helloAnswer = answer(`{"message":"Hello World"}`)
	itemsAnswer = answer(`[{"id":1,"name":"apple"},{"id":2,"name":"pear"},{"id":3,"name":"plum"}]`)
)

func answer(body string) []byte {
	return []byte(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Wed, 02 Dec 2026 03:00:00 GMT\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
}

// newTarget is an in-process stand-in for bench/target, the same two answers, from a
// loopback HTTP/1.1 server that allocates nothing per request, and returns its URL.
// BenchmarkTask's allocs/op is meant to count the client's side: with net/http's server in
// the process it counted the server's too (about 20 per request, one for each request
// header value it parses), so that a default request header the client sends from
// remembered bytes (Accept-Encoding) showed as one more allocation per request.
func newTarget(tb testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); serveCanned(c) }()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}

// serveCanned answers the bodiless requests on c, kept alive, until c fails or closes.
func serveCanned(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 16<<10)
	n := 0
	for {
		i := bytes.Index(buf[:n], []byte("\r\n\r\n"))
		if i < 0 {
			if n == len(buf) {
				return // a request head larger than the stand-in takes
			}
			m, err := c.Read(buf[n:])
			if err != nil {
				return
			}
			n += m
			continue
		}
		a := helloAnswer
		if bytes.HasPrefix(buf[:i], []byte("GET /items/")) {
			a = itemsAnswer
		}
		if _, err := c.Write(a); err != nil {
			return
		}
		n = copy(buf, buf[i+4:n])
	}
}

func loadTest(tb testing.TB, source, host string) (*js.Test, *metrics.Stats) {
	path := filepath.Join(tb.TempDir(), "seed.js")
	if err := os.WriteFile(path, []byte(source), 0o644); err != nil {
		tb.Fatal(err)
	}
	s, err := js.Load(path, js.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	stats := metrics.New(metrics.Options{})
	t, err := js.NewTest(s, js.TestConfig{Host: host, Stats: stats})
	if err != nil {
		tb.Fatal(err)
	}
	return t, stats
}

// BenchmarkTask is one VU's loop: a JS task calls client.get, the client does the exchange
// over a kept connection, the recorder takes the sample. One op is one request.
func BenchmarkTask(b *testing.B) {
	t, stats := loadTest(b, seed, targetURL(b))
	u, err := t.NewUser(0, 1)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := u.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := u.Step(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	u.Stop(ctx)
	if n := stats.Aggregate().Requests; n == 0 {
		b.Fatal("nothing recorded")
	}
}

// BenchmarkNewUser builds one user: a runtime, the prelude, the script's module body and the
// class instance. Its B/op is the heap a user costs at spawn.
func BenchmarkNewUser(b *testing.B) {
	t, _ := loadTest(b, seed, "http://127.0.0.1:9")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := t.NewUser(0, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSpawn1000 starts 1,000 users at once through the engine (spawn rate 0) and times
// until every one has built its runtime and run its first task (an empty one, then a 10 s
// wait), so the figure is the spawn, not the requests.
func BenchmarkSpawn1000(b *testing.B) {
	idle := `import { HttpUser, constant } from "gust";
export class Idle extends HttpUser {
  static waitTime = constant(10);
  static tasks = { root: 1 };
  root() { }
}
`
	t, _ := loadTest(b, idle, "http://127.0.0.1:9")
	b.ReportAllocs()
	for b.Loop() {
		started := make(chan struct{})
		var once sync.Once
		r := engine.NewRunner(t, engine.Config{Users: 1000, SpawnRate: 0, StopTimeout: time.Second})
		go func() {
			for r.Iterations() < 1000 {
				time.Sleep(time.Millisecond)
			}
			once.Do(func() { close(started) })
		}()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		<-started
		b.StopTimer()
		cancel()
		<-done
		b.StartTimer()
	}
}

// BenchmarkRecord is one sample through a Recorder into the shared HDR histograms, with a
// recorder per goroutine as every VU has.
func BenchmarkRecord(b *testing.B) {
	stats := metrics.New(metrics.Options{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		rec := stats.Recorder()
		i := 0
		for pb.Next() {
			i++
			name := "/"
			if i&1 == 0 {
				name = "/items/"
			}
			rec.Record("GET", name, time.Now(), time.Duration(i%5000)*time.Microsecond, 70, "")
		}
		rec.Flush()
	})
}

// maxUserHeap bounds the heap one idle user holds. The contract is 400 MB resident at 10,000
// users, 40 KB a user for everything (run.sh checks the real process); the user's own heap
// must leave room in that for its goroutine stack and the runtime's overhead. About 11 KiB
// today: a regression to twice that fails here, long before the contract is at risk.
const maxUserHeap = 24 << 10

// TestUserHeap measures the heap one idle user holds once spawned and holds it under
// maxUserHeap. A count of bytes after GC, not a time: it does not depend on the machine's load.
func TestUserHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 1,000 runtimes")
	}
	tt, _ := loadTest(t, seed, "http://127.0.0.1:9")
	const n = 1000
	users := make([]engine.User, 0, n)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		u, err := tt.NewUser(0, i+1)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("heap per idle user: %.1f KiB", float64(per)/1024)
	if per > maxUserHeap {
		t.Errorf("an idle user holds %.1f KiB of heap, more than the %d KiB bound (400 MB at 10,000 users)", float64(per)/1024, maxUserHeap>>10)
	}
	if per <= 0 {
		t.Errorf("measured %d bytes per user: the users were not kept alive, so nothing was measured", per)
	}
	if path := os.Getenv("BENCH_HEAPPROFILE"); path != "" {
		// Written while the users are alive, which -memprofile (taken at exit) cannot do.
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			t.Fatal(err)
		}
	}
	runtime.KeepAlive(users)
}

// The stand-in allocates nothing per request, so that BenchmarkTask's allocs/op is the
// client's: requests over one raw connection, read into a fixed buffer, cost no allocation
// in the whole process.
func TestStandInAllocatesNothing(t *testing.T) {
	c, err := net.Dial("tcp", newTarget(t)[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET /items/ HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nUser-Agent: gust\r\n\r\n")
	buf := make([]byte, 1024)
	round := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(itemsAnswer); {
			m, err := c.Read(buf[n:])
			if err != nil {
				t.Fatal(err)
			}
			n += m
		}
	}
	round()
	if !bytes.Equal(buf[:len(itemsAnswer)], itemsAnswer) {
		t.Fatalf("answer %q", buf[:len(itemsAnswer)])
	}
	if a := testing.AllocsPerRun(200, round); a > 0.05 {
		t.Errorf("%.2f allocations per request with the stand-in, want 0: BenchmarkTask would count the server's", a)
	}
}
