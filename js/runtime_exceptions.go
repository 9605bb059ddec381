package js

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// exceptionLog shows each distinct script exception the first time it happens, as Locust's
// console logs them, so that a headless run that only throws does not end with a bare exit 1.
// Lines are rate-limited (a burst, then one a second): a script that throws a new message on
// every task must not flood the terminal; what is held back is counted and said with the next
// line, and every exception is in the summary's Exceptions table anyway.
type exceptionLog struct {
	w io.Writer

	mu       sync.Mutex
	seen     map[string]struct{}
	tokens   float64
	last     time.Time
	held     int // distinct exceptions not shown by the rate limit
	now      func() time.Time
	maxKinds int // beyond this many distinct exceptions, stop remembering (and showing) new ones
}

const (
	exceptionBurst = 5   // lines shown at once before the rate limit applies
	exceptionRate  = 1.0 // lines a second after the burst
)

func newExceptionLog(w io.Writer) *exceptionLog {
	if w == nil {
		return nil
	}
	return &exceptionLog{w: newSafeWriter(w), seen: map[string]struct{}{}, tokens: exceptionBurst, now: time.Now, maxKinds: 1000}
}

// show prints msg (with where it was thrown) if it is new; tb is the traceback, innermost
// frame first.
func (l *exceptionLog) show(msg, tb string) {
	if l == nil {
		return
	}
	where, _, _ := strings.Cut(tb, "\n")
	key := msg + "\x00" + where
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[key]; ok || len(l.seen) >= l.maxKinds {
		return
	}
	l.seen[key] = struct{}{}
	now := l.now()
	if !l.last.IsZero() {
		l.tokens = min(exceptionBurst, l.tokens+now.Sub(l.last).Seconds()*exceptionRate)
	}
	l.last = now
	if l.tokens < 1 {
		l.held++
		return
	}
	l.tokens--
	line := "gust: exception: " + msg
	if where != "" {
		line += " " + where
	}
	if l.held > 0 {
		line += fmt.Sprintf(" (and %d other new exception(s) not shown; see the summary)", l.held)
		l.held = 0
	}
	fmt.Fprintln(l.w, line)
}

// rejection turns the reason of a rejected promise (an async task that threw) into the
// message and traceback of an exception.
func rejection(reason goja.Value) (msg, tb string) {
	if reason == nil {
		return "undefined", ""
	}
	o, ok := reason.(*goja.Object)
	if !ok {
		return reason.String(), ""
	}
	msg = reason.String()
	if name, m := o.Get("name"), o.Get("message"); name != nil && m != nil && !goja.IsUndefined(m) {
		msg = name.String()
		if s := m.String(); s != "" {
			msg += ": " + s
		}
	}
	if st := o.Get("stack"); st != nil && !goja.IsUndefined(st) {
		var frames []string
		for _, l := range strings.Split(st.String(), "\n") {
			l = strings.TrimSpace(l)
			if strings.HasPrefix(l, "at ") && !strings.Contains(l, "gust:") {
				frames = append(frames, l)
			}
		}
		tb = strings.Join(frames, "\n")
	}
	return msg, tb
}
