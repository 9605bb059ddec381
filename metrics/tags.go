package metrics

import (
	"fmt"
	"slices"
	"strings"
)

// Tags are the tags of a custom metric's value, as k6's .add(value, tags): name to value.
type Tags map[string]string

// SubMetric registers the part of m made of the values whose tags include all
// of tags (k6's sub-metric, what a threshold 'cart_value{region:eu}: p(95)<200'
// judges) and returns it; it is a metric of its own named SubMetricName(m, tags)
// in every output. Register sub-metrics at load, before users record: a
// Recorder reads the list without a lock.
func (s *Stats) SubMetric(m *Metric, tags Tags) (*Metric, error) {
	if len(tags) == 0 {
		return nil, fmt.Errorf("metric %q: a sub-metric needs at least one tag", m.name)
	}
	name := SubMetricName(m.name, tags)
	s.mu.Lock()
	defer s.mu.Unlock()
	if sub := s.custom.byName[name]; sub != nil {
		return sub, nil
	}
	sub := &Metric{name: name, kind: m.kind, isTime: m.isTime, idx: len(s.custom.values), tags: tags}
	s.custom.byName[name] = sub
	s.custom.values = append(s.custom.values, emptyValue(sub))
	m.subs = append(m.subs, sub)
	return sub, nil
}

// SubMetricName is the name of m's sub-metric of tags: "name{k1:v1,k2:v2}", keys sorted.
func SubMetricName(name string, tags Tags) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		keys[i] = k + ":" + tags[k]
	}
	return name + "{" + strings.Join(keys, ",") + "}"
}

// ParseSubMetric splits a threshold's name such as "cart_value{region:eu}" into
// the metric's name and its tags; ok is false for a name without a selector.
func ParseSubMetric(s string) (name string, tags Tags, ok bool, err error) {
	open := strings.IndexByte(s, '{')
	if open < 0 {
		return s, nil, false, nil
	}
	if !strings.HasSuffix(s, "}") {
		return "", nil, false, fmt.Errorf("bad metric selector %q: want name{tag:value,...}", s)
	}
	name = strings.TrimSpace(s[:open])
	tags = Tags{}
	for pair := range strings.SplitSeq(s[open+1:len(s)-1], ",") {
		k, v, found := strings.Cut(pair, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !found || k == "" {
			return "", nil, false, fmt.Errorf("bad metric selector %q: want name{tag:value,...}", s)
		}
		tags[k] = v
	}
	return name, tags, true, nil
}

// AddTagged records value v of m with tags: in m, and in each of m's
// sub-metrics whose tags are all among these.
func (r *Recorder) AddTagged(m *Metric, v float64, tags Tags) {
	r.addCustom(customSample{m: m, v: v})
	for _, sub := range m.subs {
		if sub.matches(tags) {
			r.addCustom(customSample{m: sub, v: v})
		}
	}
}

func (m *Metric) matches(tags Tags) bool {
	for k, v := range m.tags {
		if got, ok := tags[k]; !ok || got != v {
			return false
		}
	}
	return true
}
