package metrics

import (
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkRecord measures recording from many virtual users at once, each
// with its own Recorder, over a handful of repeated names.
func BenchmarkRecord(b *testing.B) {
	names := []string{"/", "/items/", "/items/[id]", "/login", "/cart"}
	s := New(Options{})
	base := time.Now()
	var users atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		u := users.Add(1)
		r := s.Recorder()
		end := base
		i := int(u)
		for pb.Next() {
			i++
			end = end.Add(20 * time.Microsecond) // a busy user: ~50,000 requests/s
			msg := ""
			if i%100 == 0 {
				msg = "HTTP 503"
			}
			r.Record("GET", names[i%len(names)], end, time.Duration(200+i%5000)*time.Microsecond, 512, msg)
		}
		r.Flush()
	})
}

func TestRecordAllocs(t *testing.T) {
	s := New(Options{})
	r := s.Recorder()
	end := time.Now()
	rec := func() {
		end = end.Add(time.Millisecond)
		r.Record("GET", "/items/", end, 3*time.Millisecond, 100, "")
		r.Record("GET", "/items/", end, 3*time.Millisecond, 100, "HTTP 500")
	}
	for range 1000 { // grow the buffer and create the row and error group
		rec()
	}
	if n := testing.AllocsPerRun(1000, rec); n != 0 {
		t.Errorf("%v allocations per Record in steady state, want 0", n)
	}
}
