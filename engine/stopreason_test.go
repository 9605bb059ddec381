package engine

import (
	"context"
	"testing"
	"time"
)

// A StopTest with a message makes it the stop reason; a bare one keeps the generic reason.
func TestStopTestReason(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{StopTestReason("enough data"), "enough data"},
		{ErrStopTest, "StopTest raised by a user"},
	} {
		ft := &fakeTest{classes: []UserClass{{Name: "A", Weight: 1}}}
		ft.task = func(int) (time.Duration, error) { return 0, tc.err }
		r := NewRunner(ft, Config{Users: 1, SpawnRate: 100, RunTime: 20 * time.Second, StopTimeout: time.Second})
		done := make(chan struct{})
		go func() { r.Run(context.Background()); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			r.Kill("test timeout")
			t.Fatalf("%v did not stop the test", tc.err)
		}
		if r.Reason() != tc.want {
			t.Errorf("%v: reason %q, want %q", tc.err, r.Reason(), tc.want)
		}
	}
}
