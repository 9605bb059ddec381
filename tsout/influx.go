package tsout

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/influxdata/influxdb-client-go/v2/api/write"
)

// Influx writes the run's series to InfluxDB (--out influxdb=URL) in line protocol, every
// interval and once more at Stop with the final totals. Measurements: gust_requests (tags method,
// name; fields requests, failures, response_time_sum and one le_<bound> count per histogram
// bucket), gust_users (field value) and gust_<name> for custom metrics (field value); every
// point is tagged testid and segment. The encoding is influxdb-client-go's.
type Influx struct {
	*periodic
	url    string
	labels Labels
	client *http.Client
	token  string
}

// NewInflux checks rawURL and returns an output labelling its points with l, pushing every
// interval (DefaultInterval when <= 0). A URL without a path writes to InfluxDB 1.x's
// /write?db=gust; give the full write URL otherwise (2.x: /api/v2/write?org=O&bucket=B, with the
// token in INFLUX_TOKEN, passed here as token).
func NewInflux(rawURL string, l Labels, interval time.Duration, token string) (*Influx, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("influxdb=%q: want an http(s) URL such as http://localhost:8086/write?db=gust", rawURL)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/write"
		if u.Query().Get("db") == "" {
			q := u.Query()
			q.Set("db", "gust")
			u.RawQuery = q.Encode()
		}
	}
	w := &Influx{url: u.String(), labels: l, client: &http.Client{Timeout: 10 * time.Second}, token: token}
	w.periodic = newPeriodic(interval, w.push)
	return w, nil
}

// Lines renders s as line protocol, one point per line, nanosecond timestamps.
func (w *Influx) Lines(s Sample) string {
	var b strings.Builder
	tags := func(extra ...string) map[string]string {
		m := map[string]string{"testid": w.labels.Test, "segment": w.labels.Segment}
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i+1] != "" { // line protocol has no empty tag values
				m[extra[i]] = extra[i+1]
			}
		}
		return m
	}
	point := func(name string, t map[string]string, f map[string]any) {
		write.PointToLineProtocolBuffer(write.NewPoint(name, t, f, s.Time), &b, time.Nanosecond)
		b.WriteByte('\n')
	}
	point("gust_users", tags(), map[string]any{"value": int64(s.Users)})
	for _, r := range s.Rows {
		f := map[string]any{"requests": r.Requests, "failures": r.Failures, "response_time_sum": r.Seconds}
		for i, bound := range Bounds {
			if i < len(r.Buckets) {
				f["le_"+strconv.FormatFloat(bound, 'g', -1, 64)] = int64(r.Buckets[i])
			}
		}
		point("gust_requests", tags("method", r.Method, "name", r.Name), f)
	}
	for _, c := range s.Custom {
		t := tags()
		for k, v := range c.Labels {
			if v != "" && k != "testid" && k != "segment" {
				t[k] = v
			}
		}
		point(MetricName(c.Name), t, map[string]any{"value": c.Value})
	}
	return b.String()
}

func (w *Influx) push(s Sample) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, strings.NewReader(w.Lines(s)))
	if err != nil {
		return fmt.Errorf("influxdb write: %w", err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	if w.token != "" {
		req.Header.Set("Authorization", "Token "+w.token)
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("influxdb write: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("influxdb write: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return nil
}
