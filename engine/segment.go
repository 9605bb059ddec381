package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Segments split one test over N processes without a coordinator (issue "Scale-out"): each
// process is told its segment I/N and derives its own share of everything from the whole test's
// numbers, so that the N shares add up to the whole exactly, whatever N.
//
// The rule behind every integer share is interleaving: number the whole test's units (users,
// iterations, arrivals) 0, 1, 2, ... and give unit k to segment k mod N. Segment I then owns
// Share(n) = ceil((n-I)/N) of the first n units. Three properties follow and are tested:
//   - the shares of any n add up to n (-u 10 over 3 is 4+3+3, -i 3001 is 1001+1000+1000);
//   - a share only grows with n, so while the whole ramps from 0 to n users each segment holds
//     exactly its part of the users started so far, and ramps line up;
//   - rates split as rate/N with a phase (ArrivalPhase): segment I's arrivals are the whole
//     schedule's arrivals I, I+N, I+2N, ..., so the arrivals of all segments up to any moment
//     add up to the whole's, fractional rates included.
//
// Wiring (cmd/session, a few lines; the runner needs no other change than the phase):
//
//	seg, ok, err := engine.SegmentFromEnv(os.Getenv)      // or ParseSegment(flag value)
//	cfg, busy := seg.SplitConfig(cfg)                      // users, rates, iterations, shape
//	if !busy { /* nothing to run: write an empty result and exit 0 */ }
//	test = seg.Test(test)                                  // fixed counts, fleet-unique ids
//	env["segment"] = seg.String()                          // this.environment.segment
//	at, err := engine.ParseStartAt(flagValue, time.Now())  // then sleep until at
//
// and in arrivals.setRate, where the schedule first begins, `a.x0 = phase` instead of 0 (with
// phase = seg.ArrivalPhase() carried in Config), so that owed() and dueAt() follow the
// segment's slots of the whole schedule.

// Segment is part Index (from 0) of a test split into Count parts. The zero value, like 0/1,
// is the whole test.
type Segment struct {
	Index, Count int
}

// Whole reports whether s is the whole test (no split).
func (s Segment) Whole() bool { return s.Count <= 1 }

func (s Segment) n() int64 { return int64(max(s.Count, 1)) }

// String is "I/N", as --segment takes it and the JSON result records it.
func (s Segment) String() string { return fmt.Sprintf("%d/%d", s.Index, s.n()) }

// ParseSegment reads "I/N" with 0 <= I < N (I counts from 0, as Kubernetes'
// JOB_COMPLETION_INDEX).
func ParseSegment(v string) (Segment, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(v), "/")
	if !ok {
		return Segment{}, fmt.Errorf("segment %q: want I/N, such as 0/3", v)
	}
	idx, err1 := strconv.Atoi(strings.TrimSpace(i))
	cnt, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil {
		return Segment{}, fmt.Errorf("segment %q: I and N must be whole numbers, as in 0/3", v)
	}
	return newSegment(v, idx, cnt)
}

func newSegment(v string, idx, cnt int) (Segment, error) {
	switch {
	case cnt < 1:
		return Segment{}, fmt.Errorf("segment %q: N must be at least 1", v)
	case idx < 0 || idx >= cnt:
		return Segment{}, fmt.Errorf("segment %q: I must be from 0 to N-1 (%d)", v, cnt-1)
	}
	return Segment{Index: idx, Count: cnt}, nil
}

// SegmentFromEnv reads the segment from the environment when no --segment was given:
// GUST_SEGMENT ("I/N"), else JOB_COMPLETION_INDEX (Kubernetes' Indexed Job) with
// GUST_SEGMENTS (N). ok is false when neither is set; an error names the bad value.
func SegmentFromEnv(getenv func(string) string) (s Segment, ok bool, err error) {
	if v := getenv("GUST_SEGMENT"); v != "" {
		s, err = ParseSegment(v)
		if err != nil {
			return Segment{}, false, fmt.Errorf("GUST_SEGMENT: %w", err)
		}
		return s, true, nil
	}
	idx, cnt := getenv("JOB_COMPLETION_INDEX"), getenv("GUST_SEGMENTS")
	if idx == "" && cnt == "" {
		return Segment{}, false, nil
	}
	if idx == "" || cnt == "" {
		return Segment{}, false, fmt.Errorf("JOB_COMPLETION_INDEX=%q and GUST_SEGMENTS=%q: set both, or GUST_SEGMENT=I/N", idx, cnt)
	}
	i, err1 := strconv.Atoi(idx)
	n, err2 := strconv.Atoi(cnt)
	if err1 != nil || err2 != nil {
		return Segment{}, false, fmt.Errorf("JOB_COMPLETION_INDEX=%q, GUST_SEGMENTS=%q: both must be whole numbers", idx, cnt)
	}
	s, err = newSegment(idx+"/"+cnt, i, n)
	return s, err == nil, err
}

// Share is how many of the whole test's first n units (users, iterations, arrivals) belong to
// this segment: those numbered k < n with k mod N = I. The shares of all segments add up to n.
func (s Segment) Share(n int64) int64 {
	if n <= 0 {
		return 0
	}
	i := int64(max(s.Index, 0))
	if n <= i {
		return 0
	}
	return (n - i + s.n() - 1) / s.n()
}

func (s Segment) share(n int) int { return int(s.Share(int64(n))) }

// Rate is this segment's share of a rate (arrivals or users per second): rate/N. Together with
// ArrivalPhase it places the segment's events on the whole schedule's slots I, I+N, ...
func (s Segment) Rate(rate float64) float64 { return rate / float64(s.n()) }

// ArrivalPhase is where the segment's arrival count starts, in arrivals: -I/N. The open model's
// schedule counts x(t) = x0 + elapsed*rate arrivals due; starting at x0 = -I/N with rate/N makes
// the segment's due count floor((whole - I)/N) + 1, its slots of the whole schedule.
func (s Segment) ArrivalPhase() float64 {
	return -float64(max(s.Index, 0)) / float64(s.n())
}

// Owed is the number of arrivals due after elapsed at rate (whole test) for this segment, the
// open model's formula with the phase applied: the segments' values add up to the whole's
// floor(elapsed*rate) + 1. It documents and tests the arithmetic the runner's schedule follows.
func (s Segment) Owed(elapsed time.Duration, rate float64) int64 {
	if rate <= 0 {
		return 0
	}
	x := s.ArrivalPhase() + elapsed.Seconds()*s.Rate(rate)
	if x < 0 {
		return 0
	}
	return int64(x) + 1
}

// UserID maps a user's number within this process (1, 2, ...) to one unique across the fleet:
// segment I's k-th user gets (k-1)*N + I + 1, so ids never collide however many users each
// segment starts or stops, and the whole test (N = 1) keeps its ids unchanged.
func (s Segment) UserID(local int) int {
	return (local-1)*int(s.n()) + max(s.Index, 0) + 1
}

// SplitConfig returns this segment's part of a whole test's configuration: users and
// iterations by Share, spawn rate and arrival rate by Rate, stages and shape targets likewise.
// Run time and stop timeout are everyone's. busy is false when the segment has nothing to do:
// the whole has an iteration limit and none of them is this segment's (-i 2 over 3), or a fixed
// number of users none of which is its own; the caller should not start the runner then, since
// an engine limit of 0 means "no limit". Split the final whole configuration, defaults resolved
// (the open model's default pool cap, say), so that every segment splits the same numbers.
func (s Segment) SplitConfig(cfg Config) (c Config, busy bool) {
	c = cfg
	if s.Whole() {
		return c, true
	}
	c.Users = s.share(cfg.Users)
	c.SpawnRate = s.Rate(cfg.SpawnRate)
	c.Rate = s.Rate(cfg.Rate)
	c.Iterations = s.Share(cfg.Iterations)
	switch sh := cfg.Shape.(type) {
	case nil:
	case Stages:
		c.Shape = s.Stages(sh)
	default:
		c.Shape = segmentShape{inner: sh, seg: s}
	}
	if cfg.Iterations > 0 && c.Iterations == 0 {
		return c, false
	}
	// Without a shape the user count never changes (the web UI aside, which does not run
	// segments); a segment owning none of the users would idle until the run time ends.
	if cfg.Shape == nil && cfg.Users > 0 && c.Users == 0 {
		return c, false
	}
	return c, true
}

// Stages returns this segment's part of a declarative profile: each stage's users by Share,
// spawn rate and rate by Rate, durations unchanged so that every segment moves at once.
func (s Segment) Stages(st Stages) Stages {
	out := make(Stages, len(st))
	for i, x := range st {
		out[i] = Stage{Duration: x.Duration, Users: s.share(x.Users), SpawnRate: s.Rate(x.SpawnRate), Rate: s.Rate(x.Rate)}
	}
	return out
}

// Load returns this segment's part of the load a shape asks for.
func (s Segment) Load(l Load) Load {
	l.Users = s.share(l.Users)
	l.SpawnRate = s.Rate(l.SpawnRate)
	l.Rate = s.Rate(l.Rate)
	return l
}

// segmentShape scales a script's shape (Locust's LoadTestShape) to one segment. The shape is
// given the segment's own user count: a segment cannot know the fleet's without a coordinator.
type segmentShape struct {
	inner Shape
	seg   Segment
}

// Tick implements Shape with the script's load split for the segment.
func (p segmentShape) Tick(runTime time.Duration, users int) (Load, bool) {
	l, ok := p.inner.Tick(runTime, users)
	return p.seg.Load(l), ok
}

// Classes returns the user classes with their fixed counts split among the segments. The fixed
// users are numbered in class order (as Distribute fills them) and interleaved like every other
// unit, so each class's shares add up to its count. A class left with no fixed user in this
// segment keeps weight 0 rather than becoming a weighted class.
func (s Segment) Classes(classes []UserClass) []UserClass {
	out := make([]UserClass, len(classes))
	var before int64
	for i, c := range classes {
		out[i] = c
		if c.FixedCount <= 0 || s.Whole() {
			continue
		}
		after := before + int64(c.FixedCount)
		out[i].FixedCount = int(s.Share(after) - s.Share(before))
		if out[i].FixedCount == 0 {
			out[i].Weight = 0
		}
		before = after
	}
	return out
}

// Test wraps a test for this segment: its classes' fixed counts are split (Classes) and its
// users numbered fleet-wide (UserID), so this.id stays unique across segments.
func (s Segment) Test(t Test) Test {
	if s.Whole() {
		return t
	}
	return segmentTest{Test: t, seg: s, classes: s.Classes(t.Classes())}
}

type segmentTest struct {
	Test
	seg     Segment
	classes []UserClass
}

// Classes implements Test: the fixed counts are the segment's.
func (t segmentTest) Classes() []UserClass { return t.classes }

// NewUser implements Test with the fleet-wide id.
func (t segmentTest) NewUser(class, id int) (User, error) {
	return t.Test.NewUser(class, t.seg.UserID(id))
}

// ParseStartAt reads --start-at: an RFC 3339 time ("2026-12-02T03:00:00Z") or a delay from now
// ("+30s", "+2m"). The caller waits until the returned time; one in the past means "start now"
// (late is reported by the caller as a warning, not refused, so a slow pod still runs).
func ParseStartAt(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if rest, ok := strings.CutPrefix(v, "+"); ok {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return time.Time{}, fmt.Errorf("--start-at %q: want +DURATION such as +30s, or an RFC 3339 time", v)
		}
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--start-at %q: want an RFC 3339 time such as 2026-01-02T15:04:05Z, or +30s", v)
	}
	return t, nil
}
