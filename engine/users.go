package engine

import (
	"errors"
	"time"
)

// The life of one user: started, looped over its tasks, stopped and forgotten.

func (r *Runner) startUser(class int) {
	r.nextID++
	v := &vu{id: r.nextID, class: class, quit: make(chan struct{})}
	if r.open {
		r.arrivals.building.Add(1)
	} else {
		v.timer = time.AfterFunc(time.Hour, func() { r.resume(v) })
		v.timer.Stop()
	}
	r.active[class] = append(r.active[class], v)
	r.all.Store(v.id, v)
	r.wg.Add(1)
	go r.runUser(v)
}

// stopUser asks the newest user of class to stop after its current task.
func (r *Runner) stopUser(class int) {
	list := r.active[class]
	v := list[len(list)-1]
	r.active[class] = list[:len(list)-1]
	close(v.quit)
	r.wake(v)
}

// forget removes a user that ended by itself (StopUser, an error) from the running set.
func (r *Runner) forget(v *vu) {
	r.all.Delete(v.id)
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.active[v.class]
	for i, w := range list {
		if w == v {
			r.active[v.class] = append(list[:i], list[i+1:]...)
			// A user that ended by itself is not replaced (Locust's StopUser); when none is
			// left, the test is over.
			r.target--
			if r.target <= 0 {
				go r.Stop("all users stopped")
			}
			return
		}
	}
}

func (r *Runner) runUser(v *vu) {
	var u User
	looping := false // loop ends the user from here on
	defer func() {
		if !looping {
			r.endUser(v, u)
		}
	}()
	ready := r.open // still counted as building until it first waits for an arrival
	defer func() {
		if ready {
			r.arrivals.building.Add(-1)
		}
	}()
	var err error
	if u, err = r.test.NewUser(v.class, v.id); err != nil {
		r.userError(err)
		u = nil
		return
	}
	v.user.Store(u)
	// A failed Start ends the user; endUser's Stop still hands over what Start recorded and
	// closes the user's connections.
	if err := u.Start(r.hardCtx); err != nil {
		r.flow(err)
		return
	}
	if r.open {
		ready = false
		r.serve(v, u)
		return
	}
	looping = true
	r.loop(v)
}

// loop runs v's tasks (closed model) until the user has to wait; then it arms v's timer and
// returns. A waiting user holds no goroutine: the timer, or wake on a stop, resumes it in a
// new one, so 10,000 users between tasks cost no stacks.
func (r *Runner) loop(v *vu) {
	u := v.user.Load().(User)
	for r.live(v) {
		if r.cfg.Iterations > 0 && r.iterTaken.Add(1) > r.cfg.Iterations {
			break
		}
		wait, goOn := r.step(u)
		if !goOn {
			break
		}
		if wait > 0 {
			v.baton.Add(1) // publishes this goroutine's work to whoever resumes the user
			v.timer.Reset(wait)
			// A stop that came before the timer was armed found nothing to wake: take the
			// timer back and end now. If the timer cannot be taken back, it (or wake) has
			// already resumed the user in another goroutine.
			if r.live(v) || !v.timer.Stop() {
				return
			}
		}
	}
	r.endUser(v, u)
}

// step runs one task of u and counts it; it returns the wait before the next task and
// whether the user goes on.
func (r *Runner) step(u User) (time.Duration, bool) {
	wait, err := u.Step(r.hardCtx)
	if n := r.iterDone.Add(1); r.cfg.Iterations > 0 && n >= r.cfg.Iterations {
		r.Stop("iterations reached")
	}
	if err != nil {
		r.flow(err)
		return wait, false
	}
	return wait, true
}

// endUser ends v: u's onStop (unless the test was killed), then v leaves the running set.
func (r *Runner) endUser(v *vu, u User) {
	if u != nil && r.hardCtx.Err() == nil {
		u.Stop(r.hardCtx)
	}
	r.forget(v)
	r.wg.Done()
}

// flow handles the error that ends a user, from Start or Step: StopTest stops the whole test
// (with the script's message as the reason when it gave one), StopUser and errors after a
// hard stop end the user quietly, anything else is reported through OnUserError.
func (r *Runner) flow(err error) {
	switch {
	case errors.Is(err, ErrStopTest):
		reason := "StopTest raised by a user"
		var given StopTestReason
		if errors.As(err, &given) && given != "" {
			reason = string(given)
		}
		r.Stop(reason)
	case errors.Is(err, ErrStopUser), r.hardCtx.Err() != nil:
	default:
		r.userError(err)
	}
}

func (r *Runner) userError(err error) {
	if r.cfg.OnUserError != nil && r.hardCtx.Err() == nil {
		r.cfg.OnUserError(err)
	}
}

// live reports whether the user should take another task.
func (r *Runner) live(v *vu) bool {
	select {
	case <-v.quit:
		return false
	case <-r.quit:
		return false
	default:
		return true
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
