package tsout

import (
	"sync"
	"time"
)

// DefaultInterval is how often live outputs push when --out-interval is not given.
const DefaultInterval = 5 * time.Second

// periodic is the push schedule the remote outputs share: Snapshot keeps the latest sample, a
// ticker pushes it every interval, Stop pushes the final one. Pushing from its own goroutine
// keeps a slow database off the run's path, and keeps the cadence whatever the caller's.
type periodic struct {
	interval time.Duration
	push     func(Sample) error

	mu      sync.Mutex
	last    Sample
	fresh   bool      // last has not been pushed yet
	pushed  time.Time // the last pushed sample's time: databases refuse going back
	lastErr error

	stop chan struct{}
	done chan struct{}
}

func newPeriodic(interval time.Duration, push func(Sample) error) *periodic {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &periodic{interval: interval, push: push}
}

// Start begins the periodic pushes.
func (p *periodic) Start() error {
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.loop()
	return nil
}

func (p *periodic) loop() {
	defer close(p.done)
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if err := p.flush(); err != nil {
				p.mu.Lock()
				p.lastErr = err
				p.mu.Unlock()
			}
		}
	}
}

// Snapshot records the run's latest state; the next tick pushes it.
func (p *periodic) Snapshot(s Sample) {
	p.mu.Lock()
	p.last, p.fresh = s, true
	p.mu.Unlock()
}

// Stop ends the periodic pushes and writes final, the run's final totals. It returns the final
// push's error, or else the last periodic push's, so that a run can warn that the database
// missed part of it.
func (p *periodic) Stop(final Sample) error {
	if p.stop != nil {
		close(p.stop)
		<-p.done
		p.stop = nil
	}
	p.Snapshot(final)
	if err := p.flush(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastErr
}

// flush pushes the latest sample unless it went out already.
func (p *periodic) flush() error {
	p.mu.Lock()
	// A repeat of the moment last pushed adds nothing, and remote write refuses samples that
	// go back in time.
	s, fresh := p.last, p.fresh && p.last.Time.After(p.pushed)
	p.fresh = false
	p.mu.Unlock()
	if !fresh {
		return nil
	}
	if err := p.push(s); err != nil {
		return err
	}
	p.mu.Lock()
	p.pushed = s.Time
	p.mu.Unlock()
	return nil
}
