package session

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Serve serves the web UI ui on ln until ctx ends, SIGINT or SIGTERM arrives (a second one
// stops the test at once), or, with Autostart and a run time or iteration limit, the test
// ends. Every test the UI stops hands its result to the outputs as it stops; Serve then
// stops the running one and returns the last result (a result of no test when none ran, which
// the outputs get too, so that the reports the flags asked for say so), with what the outputs
// or the server said.
func (s *Session) Serve(ctx context.Context, ln net.Listener, ui http.Handler) (*Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	s.ctx = ctx
	s.mu.Unlock()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		select {
		case <-sigs:
			fmt.Fprintln(s.cfg.Log, "\ngust: quitting (running tasks get the stop timeout; Ctrl-C again to stop at once)")
			cancel()
		case <-quit:
			return
		}
		select {
		case <-sigs:
			s.Kill("interrupted twice")
		case <-quit:
		}
	}()

	srv := &http.Server{Handler: ui, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(s.cfg.Out, "gust: web UI on http://%s (Ctrl-C to quit)\n", ln.Addr())

	var autoquit <-chan struct{}
	if s.cfg.Autostart {
		if err := s.Start(s.cfg.Users, s.cfg.SpawnRate, "", s.cfg.RunTime); err != nil {
			srv.Close()
			return nil, err
		}
		if s.cfg.RunTime > 0 || s.cfg.Iterations > 0 {
			_, autoquit = s.current()
		}
	}
	if s.cfg.AutoQuit {
		autoquit = s.quitAfterTests(ctx, s.cfg.AutoQuitAfter)
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case <-autoquit:
	case err := <-served:
		serveErr = fmt.Errorf("web UI: %w", err)
	}
	s.mu.Lock()
	s.quitting = true
	s.mu.Unlock()
	s.stop("stopped from the web UI")
	s.waitFinished()
	shut, cancelShut := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancelShut()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}

	s.mu.Lock()
	run, res, err := s.run, s.last, s.lastErr
	s.mu.Unlock()
	if run == nil {
		// No test ran; the reports the flags asked for still say so, as Locust's do.
		s.finish(nil)
		s.mu.Lock()
		res, err = s.last, s.lastErr
		s.mu.Unlock()
	}
	if serveErr != nil {
		return res, serveErr
	}
	return res, err
}

// waitFinished waits for the current test's outputs: its running tasks get the stop timeout,
// and stuck users are given up soon after.
func (s *Session) waitFinished() {
	s.mu.Lock()
	finished := s.finished
	s.mu.Unlock()
	if finished == nil {
		return
	}
	t := time.NewTimer(s.cfg.StopTimeout + 5*time.Second)
	defer t.Stop()
	select {
	case <-finished:
		return
	case <-t.C:
	}
	s.Kill("the stop timeout ran out")
	t.Reset(5 * time.Second)
	select {
	case <-finished:
	case <-t.C:
		s.cfg.Warn("the test did not stop; its reports are not written")
	}
}

// quitAfterTests closes the channel it returns once a test has ended and none has run for
// after (--autoquit); a test started meanwhile puts the countdown off until it ends too.
func (s *Session) quitAfterTests(ctx context.Context, after time.Duration) <-chan struct{} {
	quit := make(chan struct{})
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		var since time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			s.mu.Lock()
			ended := s.run != nil && isClosed(s.done)
			s.mu.Unlock()
			switch {
			case !ended:
				since = time.Time{}
			case since.IsZero():
				since = time.Now()
				fmt.Fprintf(s.cfg.Out, "gust: quitting in %s unless a test starts (--autoquit)\n", after)
			}
			if ended && time.Since(since) >= after {
				close(quit)
				return
			}
		}
	}()
	return quit
}
