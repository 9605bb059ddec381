package capacity

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
)

// drive runs the search's decisions against a service that holds every rate up to limit, the
// way judge does after each step, and returns the result.
func drive(t *testing.T, s *Search, holds func(rate float64, n int) bool) Result {
	t.Helper()
	for n := 0; n < 100; n++ {
		st := Step{Phase: s.kind, Rate: s.rate, Held: holds(s.rate, n)}
		if !st.Held {
			st.Broken = []string{"p95<60ms"}
		}
		s.res.Steps = append(s.res.Steps, st)
		next, more := s.decide(st)
		if !more {
			return s.Result()
		}
		s.rate = next
	}
	t.Fatal("the search did not end in 100 steps")
	return Result{}
}

func phases(r Result) string {
	var out []string
	for _, st := range r.Steps {
		out = append(out, st.Phase)
	}
	return strings.Join(out, ",")
}

func TestSearchRampsBisectsAndConfirms(t *testing.T) {
	tests := []struct {
		name       string
		limit      float64
		start      float64
		lo, hi     float64 // where the rate found must land
		brokeAbove float64
	}{
		{"400/s service from 10/s", 333, 10, 317, 333, 333},
		{"fast service", 5000, 100, 4750, 5000, 5000},
		{"the start breaks", 4, 10, 3.7, 4, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{Start: tc.start})
			r := drive(t, s, func(rate float64, _ int) bool { return rate <= tc.limit })
			if r.Rate < tc.lo || r.Rate > tc.hi || !r.Confirmed || !r.Complete {
				t.Errorf("found %v (confirmed %v) for a %v/s service; want %v..%v", r.Rate, r.Confirmed, tc.limit, tc.lo, tc.hi)
			}
			if r.BrokeAt <= tc.brokeAbove || r.BrokeAt > tc.brokeAbove*(1+DefaultPrecision)+1 || r.Limit != "p95<60ms" {
				t.Errorf("broke at %v on %q; want just above %v", r.BrokeAt, r.Limit, tc.brokeAbove)
			}
			if p := phases(r); !strings.HasSuffix(p, "confirm") || !strings.Contains(p, "bisect") {
				t.Errorf("phases %s: want ramp or bisect steps, then a confirm", p)
			}
		})
	}
}

// A rate that held once and breaks when it runs again is still the highest that held, but
// unconfirmed; the bracket does not move.
func TestSearchUnconfirmed(t *testing.T) {
	s := New(Options{Start: 10})
	r := drive(t, s, func(rate float64, _ int) bool { return rate <= 333 && s.kind != "confirm" })
	last := r.Steps[len(r.Steps)-1]
	if r.Confirmed || last.Phase != "confirm" || r.Rate != last.Rate || r.Rate < 317 || r.Rate > 333 || r.BrokeAt <= r.Rate {
		t.Errorf("result %+v (last step %+v): want the rate that held, unconfirmed", r, last)
	}
	var b strings.Builder
	r.WriteSummary(&b)
	if !strings.Contains(b.String(), "not confirmed") {
		t.Errorf("summary %q", b.String())
	}
}

// A break of the ramp that does not happen again (the machine hiccuped) does not end the ramp;
// one that does starts the bisection.
func TestSearchRechecksTheRampsBreaks(t *testing.T) {
	s := New(Options{Start: 10})
	r := drive(t, s, func(rate float64, n int) bool { return rate <= 333 && n != 3 })
	if p := phases(r); !strings.HasPrefix(p, "ramp,ramp,ramp,ramp,recheck,ramp,ramp,ramp,recheck,bisect") {
		t.Errorf("phases %s: want the false break at 80/s and the real one at 640/s run again", p)
	}
	if r.Rate < 317 || r.Rate > 333 || !r.Confirmed {
		t.Errorf("found %v (confirmed %v), want 317..333", r.Rate, r.Confirmed)
	}
}

func TestSearchEndsWhenNothingHolds(t *testing.T) {
	r := drive(t, New(Options{Start: 10}), func(float64, int) bool { return false })
	if r.Rate != 0 || !r.Complete || len(r.Steps) > maxSteps {
		t.Errorf("found %v in %d steps; want 0 within %d", r.Rate, len(r.Steps), maxSteps)
	}
	var b strings.Builder
	r.WriteSummary(&b)
	if !strings.Contains(b.String(), "no rate held") {
		t.Errorf("summary %q", b.String())
	}
}

func TestCheckNamesTheValue(t *testing.T) {
	th, _ := metrics.ParseThreshold("p95<60ms")
	tests := []struct {
		o    Options
		want string
	}{
		{Options{}, "needs at least one --threshold"},
		{Options{Thresholds: []metrics.Threshold{th}, Factor: 1}, "--capacity-factor 1"},
		{Options{Thresholds: []metrics.Threshold{th}, Step: 100 * time.Millisecond}, "--capacity-step 100ms"},
	}
	for _, tc := range tests {
		if err := Check(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Check(%+v) = %v, want %q", tc.o, err, tc.want)
		}
	}
	if err := Check(Options{Thresholds: []metrics.Threshold{th}}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// httpTest is an engine.Test whose users GET url once per task with a real HTTP client and
// record into stats, as gust's script users do.
type httpTest struct {
	url   string
	stats *metrics.Stats
	cl    *http.Client
}

func (h *httpTest) Classes() []engine.UserClass { return []engine.UserClass{{Name: "U", Weight: 1}} }
func (h *httpTest) NewUser(int, int) (engine.User, error) {
	return &httpUser{h: h, rec: h.stats.Recorder()}, nil
}

type httpUser struct {
	h   *httpTest
	rec *metrics.Recorder
}

func (u *httpUser) Start(context.Context) error { return nil }
func (u *httpUser) Step(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.h.url, nil)
	res, err := u.h.cl.Do(req)
	msg := ""
	if err != nil {
		msg = err.Error()
	} else {
		res.Body.Close()
	}
	u.rec.Record("GET", "/cap", time.Now(), time.Since(start), 0, msg)
	u.rec.Flush()
	return 0, nil
}
func (u *httpUser) Stop(context.Context) { u.rec.Flush() }
func (u *httpUser) Interrupt()           {}

// Against a real server that serves one request at a time in 20 ms (at most 50/s, less on a
// busy machine: past that its queue and latency climb), the search lands near 50/s. The
// threshold is far above the service time, so that a busy machine's hiccups do not decide.
func TestSearchFindsALimitedServersCapacity(t *testing.T) {
	worker := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case worker <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		time.Sleep(20 * time.Millisecond)
		<-worker
	}))
	defer srv.Close()
	stats := metrics.New(metrics.Options{})
	th, _ := metrics.ParseThreshold("p95<150ms")
	var log strings.Builder
	s := New(Options{Start: 10, Factor: 2, Step: time.Second, Users: 100, Thresholds: []metrics.Threshold{th}, Stats: stats, Log: &log})
	test := &httpTest{url: srv.URL, stats: stats, cl: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}, Timeout: 5 * time.Second}}
	r := engine.NewRunner(test, engine.Config{Users: 100, Shape: s, Open: true, StopTimeout: 2 * time.Second, RunTime: 60 * time.Second})
	stats.CountIterations(r.Iterations)
	s.CountDropped(r.Dropped)
	r.Run(context.Background())
	res := s.Result()
	if res.Rate < 25 || res.Rate > 60 || !res.Complete || r.Reason() != "load shape ended" {
		t.Fatalf("found %v/s for a service of at most 50/s (want 25..60), complete %v, stop %q\n%s", res.Rate, res.Complete, r.Reason(), log.String())
	}
	if res.BrokeAt <= res.Rate || !strings.Contains(res.Limit, "p95<150ms") && !strings.Contains(res.Limit, "rate not reached") {
		t.Errorf("broke at %v on %q\n%s", res.BrokeAt, res.Limit, log.String())
	}
	for _, st := range res.Steps {
		if st.Requests == 0 || st.P95Ms <= 0 {
			t.Errorf("step %+v measured nothing", st)
		}
	}
	t.Log(log.String())
}
