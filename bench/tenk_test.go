package bench

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
)

// TestManyUsersMemory spawns BENCH_USERS (default 10,000) users that each send one request
// per second to an in-process target, and logs where the process's memory goes: live heap,
// goroutine stacks and what the Go runtime holds from the OS. It is a measurement, run on
// demand (BENCH_USERS set, BENCH_TARGET=http://127.0.0.1:PORT of bench/target), not part of `go test ./...`.
func TestManyUsersMemory(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BENCH_USERS"))
	if n <= 0 {
		t.Skip("set BENCH_USERS to run")
	}
	// Set BENCH_TARGET: 10,000 connections at both ends would pass the file limit of one
	// process.
	host := targetURL(t)
	idle := `import { HttpUser, constant } from "gust";
export class Idle extends HttpUser {
  static waitTime = constant(1);
  static tasks = { root: 1 };
  root() { this.client.get("/"); }
}
`
	tt, stats := loadTest(t, idle, host)
	r := engine.NewRunner(tt, engine.Config{Users: n, SpawnRate: float64(n), RunTime: 10 * time.Second, StopTimeout: 2 * time.Second})
	start := time.Now()
	go func() {
		for r.Iterations() < int64(n) && time.Since(start) < 9*time.Second {
			time.Sleep(5 * time.Millisecond)
		}
		t.Logf("%d tasks done after %v", r.Iterations(), time.Since(start).Round(time.Millisecond))
		time.Sleep(2 * time.Second)
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if path := os.Getenv("BENCH_HEAPPROFILE"); path != "" {
			if f, err := os.Create(path); err == nil {
				pprof.WriteHeapProfile(f)
				f.Close()
			}
		}
		t.Logf("heap live %d MB, heap in use %d MB, stacks %d MB, sys %d MB, goroutines %d",
			m.HeapAlloc>>20, m.HeapInuse>>20, m.StackInuse>>20, m.Sys>>20, runtime.NumGoroutine())
	}()
	r.Run(context.Background())
	a := stats.Aggregate()
	t.Logf("%d requests in %v", a.Requests, time.Since(start).Round(time.Millisecond))
}

// TestRunUsers runs BENCH_RUN_USERS users with no wait for BENCH_RUN_SECONDS (default 10)
// against BENCH_TARGET, as `gust run` does without its console: run it with -cpuprofile or
// -memprofile to see where a busy generator's CPU and memory go.
func TestRunUsers(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BENCH_RUN_USERS"))
	if n <= 0 {
		t.Skip("set BENCH_RUN_USERS to run")
	}
	secs, _ := strconv.Atoi(os.Getenv("BENCH_RUN_SECONDS"))
	if secs <= 0 {
		secs = 10
	}
	tt, stats := loadTest(t, seed, targetURL(t))
	r := engine.NewRunner(tt, engine.Config{Users: n, SpawnRate: float64(n), RunTime: time.Duration(secs) * time.Second, StopTimeout: 2 * time.Second})
	r.Run(context.Background())
	a := stats.Aggregate()
	t.Logf("%d requests, %d failures, %.0f req/s", a.Requests, a.Failures, float64(a.Requests)/float64(secs))
}
