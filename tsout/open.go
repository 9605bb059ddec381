package tsout

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Output is a live output's life: Start once, Snapshot as the run goes, Stop with the final
// sample. RemoteWrite and Influx implement it; the run lifecycle drives it like its other outputs.
type Output interface {
	Start() error
	Snapshot(s Sample)
	Stop(final Sample) error
}

// Open builds the output an --out value names: "prometheus-rw=URL" (remote write 1.0) or
// "influxdb=URL" (line protocol; the token, if any, from INFLUX_TOKEN via getenv). ok is false
// when the value names neither, so that the caller can try its other outputs (csv=, json=, ...).
func Open(spec string, l Labels, interval time.Duration, getenv func(string) string) (out Output, ok bool, err error) {
	kind, target, _ := strings.Cut(spec, "=")
	switch kind {
	case "prometheus-rw":
		w, err := NewRemoteWrite(target, l, interval)
		return w, true, err
	case "influxdb":
		w, err := NewInflux(target, l, interval, getenv("INFLUX_TOKEN"))
		return w, true, err
	}
	return nil, false, nil
}

// NewTestID returns a default --test-id: the start time to the second and a random suffix, so
// that runs sort by time and two runs started together still differ. Segments of one test must
// share one id, so a fleet passes --test-id explicitly.
func NewTestID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%s", now.UTC().Format("20060102-150405"), hex.EncodeToString(b[:]))
}
