package js

import (
	"fmt"
	"slices"

	"github.com/dop251/goja"
	"github.com/gustload/gust/metrics"
)

// Request tags (k6's): the request option tags: { key: value } lets a threshold judge the
// requests that carry them, 'http_req_duration{page:home}: p(95)<200' (also http_req_failed
// and http_reqs). Each such selector is a metric of its own, registered at NewTest; a request
// finds the selectors its tags match once, when it is sent, and keeps them as a bitmask in
// the response's padding, so that tags cost nothing when no threshold selects them and the
// response object does not grow. tags.name, as in k6, names the row when name is not given.

// reqMetrics are the built-in request metrics a threshold may select by tags, with the kind of
// the sub-metric that stands for the selection.
var reqMetrics = map[string]metrics.MetricKind{"http_req_duration": metrics.Trend, "http_req_failed": metrics.Rate, "http_reqs": metrics.Counter}

// maxReqSubs bounds the tag selectors on request metrics: one bit each in a response.
const maxReqSubs = 32

// reqSub is one tag selector on a request metric.
type reqSub struct {
	m    *metrics.Metric
	base string
	tags metrics.Tags
}

// registerReqSub registers the selector base{tags} as a metric of its own.
func (t *Test) registerReqSub(base string, tags metrics.Tags, expr string) error {
	name := metrics.SubMetricName(base, tags)
	if slices.ContainsFunc(t.reqSubs, func(s reqSub) bool { return s.m.Name() == name }) {
		return nil
	}
	if len(t.reqSubs) == maxReqSubs {
		return fmt.Errorf("bad threshold %q: at most %d tag selectors on request metrics", expr, maxReqSubs)
	}
	m, err := t.cfg.Stats.Metric(name, reqMetrics[base], base == "http_req_duration")
	if err != nil {
		return err
	}
	t.reqSubs = append(t.reqSubs, reqSub{m: m, base: base, tags: tags})
	return nil
}

// requestTags reads the tags option: the bitmask of the selectors they match, and the row
// name tags.name gives.
func (v *vu) requestTags(val goja.Value) (mask uint32, name string, err error) {
	o, ok := val.(*goja.Object)
	if !ok || isArray(o) {
		return 0, "", fmt.Errorf("tags: want an object of { key: value }, not %s", val.String())
	}
	if n := o.Get("name"); n != nil && !goja.IsUndefined(n) {
		name = n.String()
	}
	if v.t == nil {
		return 0, name, nil
	}
	for i, s := range v.t.reqSubs {
		match := true
		for k, want := range s.tags {
			got := o.Get(k)
			if got == nil || goja.IsUndefined(got) || got.String() != want {
				match = false
				break
			}
		}
		if match {
			mask |= 1 << i
		}
	}
	return mask, name, nil
}

// recordTagged adds a recorded response to the selectors its tags matched.
func (r *response) recordTagged(errMsg string) {
	for i, s := range r.v.t.reqSubs {
		if r.subs&(1<<i) == 0 {
			continue
		}
		switch s.base {
		case "http_req_duration":
			r.v.rec.Add(s.m, ms(r.r.Elapsed))
		case "http_req_failed":
			failed := 0.0
			if errMsg != "" {
				failed = 1
			}
			r.v.rec.Add(s.m, failed)
		default:
			r.v.rec.Add(s.m, 1)
		}
	}
}
