package tsout

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/exp/api/remote"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/prometheus/prompb"
)

// RemoteWrite pushes the run's series to a Prometheus remote-write 1.0 endpoint
// (--out prometheus-rw=URL): the latest sample every interval, and the final one at Stop, so the
// database ends holding the run's final totals. The encoding is prompb's WriteRequest; the
// snappy compression, headers and retries are client_golang's exp remote API.
type RemoteWrite struct {
	*periodic
	api *remote.API
	exp *Exporter
}

// NewRemoteWrite checks rawURL (the full write URL, such as
// http://prometheus:9090/api/v1/write) and returns an output labelling its series with l, pushing
// every interval (DefaultInterval when <= 0).
func NewRemoteWrite(rawURL string, l Labels, interval time.Duration) (*RemoteWrite, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus-rw=%q: want an http(s) URL such as http://localhost:9090/api/v1/write", rawURL)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	// The URL given is the write endpoint itself; the API would otherwise append its own path.
	api, err := remote.NewAPI(rawURL, remote.WithAPIPath(""), remote.WithAPIHTTPClient(client),
		remote.WithAPIBackoff(remote.BackoffConfig{Min: 100 * time.Millisecond, Max: time.Second, MaxRetries: 3}))
	if err != nil {
		return nil, fmt.Errorf("prometheus-rw=%q: %w", rawURL, err)
	}
	w := &RemoteWrite{api: api, exp: NewExporter(l)}
	w.periodic = newPeriodic(interval, w.push)
	return w, nil
}

func (w *RemoteWrite) push(s Sample) error {
	w.exp.Snapshot(s)
	// A custom metric that fails to gather is reported, the rest still written.
	req, gatherErr := toWriteRequest(w.exp, s.Time)
	if req == nil {
		return gatherErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := w.api.Write(ctx, remote.WriteV1MessageType, req); err != nil {
		return fmt.Errorf("prometheus remote write: %w", err)
	}
	return gatherErr
}

// toWriteRequest gathers the exporter's registry and lays its families out as remote-write
// series, the way a Prometheus scrape of /metrics would store them: a histogram becomes its
// _bucket (with le), _sum and _count series.
func toWriteRequest(e *Exporter, at time.Time) (*prompb.WriteRequest, error) {
	fams, err := e.Gatherer().Gather()
	if err != nil && len(fams) == 0 {
		return nil, err
	}
	ts := at.UnixMilli()
	req := &prompb.WriteRequest{}
	add := func(name string, labels []*dto.LabelPair, v float64, extra ...prompb.Label) {
		ls := make([]prompb.Label, 0, len(labels)+1+len(extra))
		ls = append(ls, prompb.Label{Name: "__name__", Value: name})
		for _, lp := range labels {
			ls = append(ls, prompb.Label{Name: lp.GetName(), Value: lp.GetValue()})
		}
		ls = append(ls, extra...)
		// The protocol asks for labels sorted by name.
		sort.Slice(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
		req.Timeseries = append(req.Timeseries, prompb.TimeSeries{Labels: ls, Samples: []prompb.Sample{{Value: v, Timestamp: ts}}})
	}
	for _, f := range fams {
		name := f.GetName()
		for _, m := range f.GetMetric() {
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				add(name, m.GetLabel(), m.GetCounter().GetValue())
			case dto.MetricType_GAUGE:
				add(name, m.GetLabel(), m.GetGauge().GetValue())
			case dto.MetricType_UNTYPED:
				add(name, m.GetLabel(), m.GetUntyped().GetValue())
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				for _, b := range h.GetBucket() {
					if math.IsInf(b.GetUpperBound(), +1) {
						continue
					}
					add(name+"_bucket", m.GetLabel(), float64(b.GetCumulativeCount()), prompb.Label{Name: "le", Value: formatLe(b.GetUpperBound())})
				}
				add(name+"_bucket", m.GetLabel(), float64(h.GetSampleCount()), prompb.Label{Name: "le", Value: "+Inf"})
				add(name+"_sum", m.GetLabel(), h.GetSampleSum())
				add(name+"_count", m.GetLabel(), float64(h.GetSampleCount()))
			}
		}
	}
	if len(req.Timeseries) == 0 {
		return nil, errors.New("prometheus remote write: nothing to write")
	}
	return req, err
}

// formatLe writes a bucket bound as the text exposition does, so scraped and pushed series match.
func formatLe(v float64) string {
	if math.IsInf(v, +1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
