package engine

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func segments(n int) []Segment {
	out := make([]Segment, n)
	for i := range out {
		out[i] = Segment{Index: i, Count: n}
	}
	return out
}

func TestParseSegment(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Segment
		wantErr string
	}{
		{in: "0/3", want: Segment{0, 3}},
		{in: " 2/3 ", want: Segment{2, 3}},
		{in: "0/1", want: Segment{0, 1}},
		{in: "3/3", wantErr: "I must be from 0 to N-1 (2)"},
		{in: "-1/3", wantErr: "I must be from 0 to N-1"},
		{in: "0/0", wantErr: "N must be at least 1"},
		{in: "1", wantErr: "want I/N"},
		{in: "a/3", wantErr: "whole numbers"},
	} {
		got, err := ParseSegment(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.in)) {
				t.Errorf("ParseSegment(%q) error %v, want one naming the value and saying %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSegment(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if s := (Segment{1, 4}).String(); s != "1/4" {
		t.Errorf("String() = %q", s)
	}
}

func TestSegmentFromEnv(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		want    Segment
		ok      bool
		wantErr string
	}{
		{env: nil},
		{env: map[string]string{"GUST_SEGMENT": "1/3"}, want: Segment{1, 3}, ok: true},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "2", "GUST_SEGMENTS": "5"}, want: Segment{2, 5}, ok: true},
		// GUST_SEGMENT wins over the Kubernetes pair.
		{env: map[string]string{"GUST_SEGMENT": "0/2", "JOB_COMPLETION_INDEX": "4", "GUST_SEGMENTS": "5"}, want: Segment{0, 2}, ok: true},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "2"}, wantErr: "set both"},
		{env: map[string]string{"JOB_COMPLETION_INDEX": "5", "GUST_SEGMENTS": "5"}, wantErr: "I must be from 0 to N-1"},
		{env: map[string]string{"GUST_SEGMENT": "x"}, wantErr: "GUST_SEGMENT"},
	} {
		got, ok, err := SegmentFromEnv(func(k string) string { return tc.env[k] })
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: error %v, want %q", tc.env, err, tc.wantErr)
			}
			continue
		}
		if err != nil || ok != tc.ok || got != tc.want {
			t.Errorf("%v: got %v %v %v, want %v %v", tc.env, got, ok, err, tc.want, tc.ok)
		}
	}
}

func TestShareAddsUp(t *testing.T) {
	// The examples first.
	var got []int64
	for _, s := range segments(3) {
		got = append(got, s.Share(10))
	}
	if fmt.Sprint(got) != "[4 3 3]" {
		t.Errorf("-u 10 over 3 = %v, want [4 3 3]", got)
	}
	for n := 1; n <= 9; n++ {
		for whole := int64(0); whole <= 200; whole++ {
			var sum int64
			for _, s := range segments(n) {
				sh := s.Share(whole)
				if sh < 0 || sh > whole/int64(n)+1 {
					t.Fatalf("Share(%d) of %v = %d: not an even split", whole, s, sh)
				}
				// A share only grows with the whole, so ramps line up.
				if whole > 0 && sh < s.Share(whole-1) {
					t.Fatalf("Share of %v shrank from %d to %d", s, whole-1, whole)
				}
				sum += sh
			}
			if sum != whole {
				t.Fatalf("shares of %d over %d add up to %d", whole, n, sum)
			}
		}
	}
	big := int64(1) << 62
	var sum int64
	for _, s := range segments(7) {
		sum += s.Share(big)
	}
	if sum != big {
		t.Errorf("shares of 2^62 over 7 add up to %d", sum)
	}
}

func TestSplitConfigIterations(t *testing.T) {
	// -i 3001 over 3: each iteration runs exactly once fleet-wide.
	var sum int64
	for _, s := range segments(3) {
		c, busy := s.SplitConfig(Config{Users: 10, SpawnRate: 10, Iterations: 3001})
		if !busy {
			t.Fatalf("%v idle", s)
		}
		sum += c.Iterations
	}
	if sum != 3001 {
		t.Errorf("iterations over 3 segments add up to %d", sum)
	}
	// -i 2 over 3: the third segment has nothing to do and must not run without a limit.
	c, busy := Segment{2, 3}.SplitConfig(Config{Users: 10, Iterations: 2})
	if busy || c.Iterations != 0 {
		t.Errorf("-i 2, segment 2/3: busy %v iterations %d; want idle", busy, c.Iterations)
	}
	// -u 2 over 3 without a shape: segment 2 owns no user.
	if _, busy := (Segment{2, 3}).SplitConfig(Config{Users: 2, RunTime: time.Second}); busy {
		t.Error("-u 2, segment 2/3 should be idle")
	}
	// The whole is left alone.
	whole := Config{Users: 7, Rate: 3.5, Iterations: 5}
	if c, busy := (Segment{}).SplitConfig(whole); !busy || c.Users != 7 || c.Rate != 3.5 || c.Iterations != 5 {
		t.Errorf("zero segment changed the config: %+v", c)
	}
}

func TestSplitConfigRates(t *testing.T) {
	for _, whole := range []Config{
		{Users: 60, Rate: 300, RunTime: 5 * time.Second},
		{Users: 10, SpawnRate: 10},
		{Users: 7, Rate: 10, SpawnRate: 0.5},
	} {
		for _, n := range []int{2, 3, 7} {
			var users int
			var rate, spawn float64
			for _, s := range segments(n) {
				c, _ := s.SplitConfig(whole)
				users += c.Users
				rate += c.Rate
				spawn += c.SpawnRate
				if c.RunTime != whole.RunTime {
					t.Errorf("run time changed: %v", c.RunTime)
				}
			}
			if users != whole.Users || !near(rate, whole.Rate) || !near(spawn, whole.SpawnRate) {
				t.Errorf("%+v over %d: users %d rate %v spawn %v", whole, n, users, rate, spawn)
			}
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

// The segments' arrivals up to any moment add up to the whole's, fractional rates included:
// the whole schedule counts floor(t*rate)+1 arrivals by t.
func TestSegmentArrivalsAddUp(t *testing.T) {
	for _, rate := range []float64{300, 10, 1, 0.7, 33.3} {
		for _, n := range []int{1, 2, 3, 4, 7} {
			for ms := 0; ms <= 5000; ms += 7 {
				el := time.Duration(ms) * time.Millisecond
				if x := el.Seconds() * rate; x-math.Floor(x) < 1e-6 || math.Ceil(x)-x < 1e-6 {
					// On a slot's exact instant float rounding may put it either side.
					continue
				}
				var sum int64
				for _, s := range segments(n) {
					sum += s.Owed(el, rate)
				}
				want := int64(el.Seconds()*rate) + 1
				if sum != want {
					t.Fatalf("rate %v over %d at %v: segments owe %d, whole %d", rate, n, el, sum, want)
				}
			}
		}
	}
	// --rate 300 over 3 for 5 s: 1500 arrivals due before the deadline.
	var sum int64
	for _, s := range segments(3) {
		sum += s.Owed(5*time.Second-time.Nanosecond, 300)
	}
	if sum != 1500 {
		t.Errorf("--rate 300 over 3 for 5s: %d arrivals", sum)
	}
}

func TestSegmentStagesAndShape(t *testing.T) {
	st := Stages{{Duration: time.Second, Users: 10, SpawnRate: 5}, {Duration: 2 * time.Second, Users: 25, Rate: 7}, {Duration: time.Second}}
	for _, n := range []int{2, 3, 4} {
		var users [3]int
		var rates, spawns [3]float64
		for _, s := range segments(n) {
			part := s.Stages(st)
			if part.Total() != st.Total() || part.Open() != st.Open() {
				t.Errorf("%v: durations or model changed: %+v", s, part)
			}
			for i := range part {
				users[i] += part[i].Users
				rates[i] += part[i].Rate
				spawns[i] += part[i].SpawnRate
			}
			c, _ := s.SplitConfig(Config{Shape: st})
			if _, ok := c.Shape.(Stages); !ok {
				t.Errorf("stages shape became %T", c.Shape)
			}
		}
		for i := range st {
			if users[i] != st[i].Users || !near(rates[i], st[i].Rate) || !near(spawns[i], st[i].SpawnRate) {
				t.Errorf("stage %d over %d: users %d rate %v spawn %v", i, n, users[i], rates[i], spawns[i])
			}
		}
	}
	// A script's shape: its targets are split tick by tick, its end kept.
	shape := shapeFunc(func(rt time.Duration, _ int) (Load, bool) {
		return Load{Users: 11, SpawnRate: 3, Rate: 2, Classes: []string{"A"}}, rt < time.Second
	})
	var sum int
	for _, s := range segments(3) {
		c, _ := s.SplitConfig(Config{Shape: shape})
		l, ok := c.Shape.Tick(0, 0)
		if !ok || len(l.Classes) != 1 || !near(l.Rate, 2.0/3) {
			t.Errorf("%v: shape load %+v ok %v", s, l, ok)
		}
		sum += l.Users
		if _, ok := c.Shape.Tick(time.Second, 0); ok {
			t.Error("split shape did not end with the script's")
		}
	}
	if sum != 11 {
		t.Errorf("shape users over 3 add up to %d", sum)
	}
}

type shapeFunc func(time.Duration, int) (Load, bool)

func (f shapeFunc) Tick(rt time.Duration, u int) (Load, bool) { return f(rt, u) }

func TestSegmentClasses(t *testing.T) {
	classes := []UserClass{{Name: "Admin", FixedCount: 1, Weight: 1}, {Name: "Buyer", FixedCount: 5}, {Name: "Browser", Weight: 3}, {Name: "Bot", Weight: 1}}
	for _, n := range []int{2, 3, 4} {
		for _, whole := range []int{6, 10, 23} {
			want := distribute(classes, whole)
			got := make([]int, len(classes))
			total := 0
			for _, s := range segments(n) {
				c, _ := s.SplitConfig(Config{Users: whole})
				part := distribute(s.Classes(classes), c.Users)
				for i := range part {
					got[i] += part[i]
					total += part[i]
				}
			}
			if total != whole {
				t.Errorf("%d users over %d: segments run %d", whole, n, total)
			}
			// Fixed counts are exact fleet-wide; a class with no fixed user in a segment
			// must not pick up weighted users there.
			if got[0] != want[0] || got[1] != want[1] {
				t.Errorf("%d users over %d: fixed classes %v, whole %v", whole, n, got[:2], want[:2])
			}
		}
	}
}

type idTest struct{ ids []int }

func (t *idTest) Classes() []UserClass { return []UserClass{{Name: "U", Weight: 1}} }
func (t *idTest) NewUser(_, id int) (User, error) {
	t.ids = append(t.ids, id)
	return nil, nil
}

func TestSegmentUserIDsUnique(t *testing.T) {
	seen := map[int]string{}
	for _, s := range segments(3) {
		rec := &idTest{}
		wrapped := s.Test(rec)
		for local := 1; local <= 50; local++ {
			_, _ = wrapped.NewUser(0, local)
		}
		for _, id := range rec.ids {
			if prev, dup := seen[id]; dup {
				t.Fatalf("id %d given to %v and %s", id, s, prev)
			}
			seen[id] = s.String()
		}
	}
	if len(seen) != 150 || seen[1] != "0/3" || seen[150] == "" {
		t.Errorf("ids not dense from 1: %d ids", len(seen))
	}
	// The whole test keeps its ids.
	rec := &idTest{}
	_, _ = Segment{}.Test(rec).NewUser(0, 7)
	if rec.ids[0] != 7 {
		t.Errorf("whole test renumbered user 7 as %d", rec.ids[0])
	}
}

// A split config runs on the real runner: three segments of -i 301 execute 301 tasks in all.
func TestSegmentsRunIterationsExactly(t *testing.T) {
	var total int64
	for _, s := range segments(3) {
		cfg, busy := s.SplitConfig(Config{Users: 4, Iterations: 301, StopTimeout: time.Second})
		if !busy {
			t.Fatal("idle segment")
		}
		ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
		ft.task = func(int) (time.Duration, error) { return 0, nil }
		r := NewRunner(s.Test(ft), cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r.Run(ctx)
		cancel()
		total += ft.tasks.Load()
	}
	if total != 301 {
		t.Errorf("3 segments of -i 301 ran %d tasks", total)
	}
}

func TestParseStartAt(t *testing.T) {
	now := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{in: "+30s", want: now.Add(30 * time.Second)},
		{in: "+2m", want: now.Add(2 * time.Minute)},
		{in: "2026-12-02T03:00:00Z", want: time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)},
		{in: "2026-12-02T04:00:00.5+01:00", want: time.Date(2026, 12, 2, 3, 0, 0, 5e8, time.UTC)},
		{in: "+-3s", err: true},
		{in: "30s", err: true},
		{in: "tomorrow", err: true},
	} {
		got, err := ParseStartAt(tc.in, now)
		if tc.err {
			if err == nil || !strings.Contains(err.Error(), tc.in) {
				t.Errorf("ParseStartAt(%q) error %v, want one naming the value", tc.in, err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseStartAt(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// The runner's own schedule, given each segment's rate and Config.Phase, hands out arrivals
// that add up to the whole schedule's at every moment, and each arrival's due time is its
// slot of the whole schedule.
func TestRunnerPhaseFollowsWholeSchedule(t *testing.T) {
	const rate = 10.0
	t0 := time.Unix(1_000_000, 0)
	for _, n := range []int{2, 3, 7} {
		parts := make([]*arrivals, n)
		for i := range parts {
			seg := Segment{Index: i, Count: n}
			r := NewRunner(&idTest{}, Config{Rate: seg.Rate(rate), Phase: seg.ArrivalPhase()})
			r.arrivals.start(t0, 0, seg.Rate(rate))
			parts[i] = &r.arrivals
		}
		var whole arrivals
		whole.start(t0, 0, rate)
		for ms := 0; ms <= 3000; ms += 7 {
			at := t0.Add(time.Duration(ms) * time.Millisecond)
			var sum int64
			for _, a := range parts {
				sum += a.owed(at)
			}
			if want := whole.owed(at); sum != want {
				t.Fatalf("N=%d at %dms: segments owe %d arrivals, the whole %d", n, ms, sum, want)
			}
		}
		for i, a := range parts {
			// Segment i's k-th arrival is the whole's arrival i + (k-1)*n.
			for k := int64(1); k <= 5; k++ {
				got, _ := a.dueAt(k)
				want, _ := whole.dueAt(int64(i) + (k-1)*int64(n) + 1)
				if d := got.Sub(want); d < -time.Microsecond || d > time.Microsecond {
					t.Fatalf("N=%d segment %d arrival %d due at %v, the whole's slot at %v", n, i, k, got.Sub(t0), want.Sub(t0))
				}
			}
		}
	}
}
