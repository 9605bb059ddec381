package js

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// JavaScript that runs outside the tasks (the module's top level, onTestStart, setup(),
// teardown(), onTestStop, shape()) is not stopped by the engine: an endless loop there would
// outlive -t and every signal. Each such call is watched: it is interrupted when it runs longer
// than a limit (the run time + the stop timeout) or when InterruptOutside is called (a second
// SIGINT/SIGTERM), and the error names where it was stuck.

// StuckError is JavaScript outside the tasks that was interrupted before it finished.
type StuckError struct {
	Where  string // "setup()", "the module's top level", ...
	Reason string // "still running after 5s (run time + stop timeout)", "interrupted by a signal"
	At     string // file:line:col it was running, when known
}

func (e *StuckError) Error() string {
	s := e.Where + " did not finish: " + e.Reason
	if e.At != "" {
		s += ", stuck at " + e.At
	}
	return s
}

// outsideStop is the value an outside runtime is interrupted with.
type outsideStop struct{ reason string }

func (o *outsideStop) Error() string { return o.reason }

// outsideWatch tracks the runtimes running JavaScript outside the tasks.
type outsideWatch struct {
	mu      sync.Mutex
	running map[*vu]running
}

type running struct {
	where  string
	cancel context.CancelFunc // ends the runtime's sleep() and requests
}

// outside runs call in v, which is at where; limit > 0 bounds it. An interruption comes back
// as a *StuckError.
func (s *Script) outside(v *vu, where string, limit time.Duration, call func() error) error {
	w := &s.watch
	w.mu.Lock()
	if w.running == nil {
		w.running = map[*vu]running{}
	}
	prev := v.ctx
	ctx, cancel := context.WithCancel(prev)
	v.ctx = ctx
	w.running[v] = running{where, cancel}
	w.mu.Unlock()
	var timer *time.Timer
	if limit > 0 {
		timer = time.AfterFunc(limit, func() {
			w.interrupt(v, fmt.Sprintf("still running after %s (the run time + the stop timeout)", limit))
		})
	}
	err := call()
	if timer != nil {
		timer.Stop()
	}
	w.mu.Lock()
	delete(w.running, v)
	v.ctx = prev
	w.mu.Unlock()
	cancel()
	// An interrupt of ours that came as the call returned must not hit the runtime's next
	// call; one from the caller's context (a Ctrl-C in teardown) must, so it stays.
	if prev.Err() == nil {
		v.rt.ClearInterrupt()
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if stop, ok := ie.Value().(*outsideStop); ok {
			return &StuckError{Where: where, Reason: stop.reason, At: stackTop(&ie.Exception)}
		}
	}
	return err
}

// interrupt stops v if it is still running outside the tasks.
func (w *outsideWatch) interrupt(v *vu, reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r, ok := w.running[v]
	if !ok {
		return
	}
	v.rt.Interrupt(&outsideStop{reason})
	r.cancel()
	if v.client != nil {
		v.client.Abort()
	}
}

// InterruptOutside interrupts any JavaScript running outside the tasks (setup(), teardown(),
// shape(), the module's top level) and returns where it was, "" when nothing was running.
func (s *Script) InterruptOutside(reason string) string {
	w := &s.watch
	w.mu.Lock()
	var where []string
	vus := make([]*vu, 0, len(w.running))
	for v, r := range w.running {
		where = append(where, r.where)
		vus = append(vus, v)
	}
	w.mu.Unlock()
	for _, v := range vus {
		w.interrupt(v, reason)
	}
	return strings.Join(where, ", ")
}

// RunningOutside names the JavaScript running outside the tasks now, "" when none is.
func (t *Test) RunningOutside() string {
	w := &t.s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	var where []string
	for _, r := range w.running {
		where = append(where, r.where)
	}
	return strings.Join(where, ", ")
}

// InterruptOutside is Script.InterruptOutside for the test's script.
func (t *Test) InterruptOutside(reason string) string { return t.s.InterruptOutside(reason) }

// stackTop is the innermost user frame of an exception, as file:line:col.
func stackTop(ex *goja.Exception) string {
	for _, f := range ex.Stack() {
		p := f.Position()
		if p.Filename == "" || p.Line == 0 || strings.HasPrefix(p.Filename, "gust:") {
			continue
		}
		return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
	}
	return ""
}
