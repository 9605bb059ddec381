package client

import "testing"

func TestByteSize(t *testing.T) {
	for s, want := range map[string]int64{"8MiB": 8 << 20, "500KB": 500_000, "1048576": 1 << 20, "0": 0, "2 GiB": 2 << 30} {
		if got, err := byteSize(s); err != nil || got != want {
			t.Errorf("byteSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"lots", "-1MB", "", "1e30GB"} {
		if _, err := byteSize(s); err == nil {
			t.Errorf("byteSize(%q) accepted", s)
		}
	}
}
