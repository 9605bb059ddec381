package session

import (
	"strings"
	"testing"
)

func TestConfigCheckNamesTheValue(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Users: -1}, "bad --users -1"},
		{Config{SpawnRate: -0.5}, "bad --spawn-rate -0.5"},
		{Config{Iterations: -2}, "bad --iterations -2"},
		{Config{Rate: -3}, "bad --rate -3"},
		{Config{Host: "ftp://127.0.0.1"}, "ftp://127.0.0.1"},
	} {
		if err := c.cfg.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
	if err := (&Config{Users: 5, Host: "http://127.0.0.1:8089"}).Check(); err != nil {
		t.Errorf("good settings refused: %v", err)
	}
}

func TestParseThresholdsFromBothSources(t *testing.T) {
	ts, err := ParseThresholds([]any{"p95<300ms"}, []string{"fail_ratio<1%"})
	if err != nil || len(ts) != 2 {
		t.Fatalf("%v %v", ts, err)
	}
	if _, err := ParseThresholds(nil, []string{"p95<<1"}); err == nil || !strings.Contains(err.Error(), "(from --threshold)") {
		t.Fatalf("a bad --threshold: %v", err)
	}
}
