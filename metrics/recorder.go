package metrics

import "time"

const (
	// maxBuffered is how many samples a Recorder holds before it flushes.
	maxBuffered = 128
	// flushAge bounds how stale a busy recorder's buffer gets, so that live
	// values lag by a fraction of a second at most.
	flushAge = 250 * time.Millisecond
)

// Recorder buffers one virtual user's samples and hands them to the shared
// Stats in batches, so that recording a request takes no shared lock. A
// Recorder is used by one goroutine at a time (its user's). It flushes when its buffer is full, when
// a Record finds the oldest buffered sample 250 ms older than the new one,
// and on Flush: call Flush before a long wait and when the user stops,
// otherwise the last samples stay buffered.
type Recorder struct {
	s        *Stats
	buf      []sample
	custom   []customSample // custom metric values and check outcomes
	gen      uint64         // the Stats generation the buffered samples belong to
	oldestNs int64
}

// sample is one request as recorded; kept small because 10,000 users each
// hold a buffer of them.
type sample struct {
	method, name, err string
	endNs             int64
	elapsed           int64
	size              int64
}

// Record records one request that completed at end after elapsed, with a
// response of size bytes. errMsg == "" means success; otherwise the request
// failed and is grouped by (method, name, errMsg).
func (r *Recorder) Record(method, name string, end time.Time, elapsed time.Duration, size int64, errMsg string) {
	if g := r.s.gen.Load(); g != r.gen {
		r.dropBuffered(g)
	}
	endNs := end.UnixNano()
	if r.empty() {
		r.oldestNs = endNs
	}
	if len(r.buf) == cap(r.buf) {
		r.grow()
	}
	r.buf = append(r.buf, sample{
		method:  method,
		name:    name,
		err:     errMsg,
		endNs:   endNs,
		elapsed: int64(max(elapsed, 0)),
		size:    size,
	})
	if len(r.buf) >= maxBuffered || endNs-r.oldestNs >= int64(flushAge) {
		r.Flush()
	}
}

// grow doubles the buffer up to maxBuffered: a user who waits seconds between
// requests never needs more than a few slots, and 10,000 of them add up.
func (r *Recorder) grow() {
	n := min(max(2*cap(r.buf), 4), maxBuffered)
	buf := make([]sample, len(r.buf), n)
	copy(buf, r.buf)
	r.buf = buf
}

// dropBuffered forgets what is buffered: Stats were reset, and it belongs to the cleared run.
func (r *Recorder) dropBuffered(gen uint64) {
	r.buf = r.buf[:0]
	clear(r.custom)
	r.custom = r.custom[:0]
	r.gen = gen
}

// empty tells whether nothing is buffered.
func (r *Recorder) empty() bool {
	return len(r.buf) == 0 && len(r.custom) == 0
}

// Flush hands the buffered samples to the shared Stats.
func (r *Recorder) Flush() {
	if r.empty() {
		return
	}
	r.s.apply(r.gen, r.buf, r.custom)
	switch {
	case cap(r.custom) <= 4:
		r.custom = nil // as the request buffer below: a user adding a value now and then holds none
	default:
		clear(r.custom)
		r.custom = r.custom[:0]
	}
	if cap(r.buf) <= 4 {
		// A user that flushes this often waits between requests: it holds no buffer while it
		// waits, which at 10,000 idle users is 3 MB of heap.
		r.buf = nil
		return
	}
	clear(r.buf) // drop references to names and messages
	r.buf = r.buf[:0]
}

// Exception counts a script error, grouped by message and traceback. It is
// rare, so it goes straight to the shared Stats.
func (r *Recorder) Exception(msg, traceback string) {
	r.s.addException(msg, traceback)
}
