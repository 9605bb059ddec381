package js

import (
	"strings"

	"github.com/gustload/gust/engine"
)

// Script is the loaded script this test runs (the web UI lists its classes and task ratios).
func (t *Test) Script() *Script { return t.s }

// WithHost is a copy of the test whose every class targets host (the web UI's start form);
// everything else, setup data included, is shared with t.
func (t *Test) WithHost(host string) (*Test, error) {
	if err := engine.CheckHost(host); err != nil {
		return nil, err
	}
	c := *t
	c.hosts = make([]string, len(t.hosts))
	for i := range c.hosts {
		c.hosts[i] = strings.TrimRight(host, "/")
	}
	return &c, nil
}
