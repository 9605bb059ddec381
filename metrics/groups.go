package metrics

import "time"

// Error and exception groups: both are counted by key in a Stats, capped at MaxErrors groups
// (a new key past the cap counts in an OtherErrors group), and merged by key across
// snapshots. One way to do each, for both kinds.

type errorKey struct{ method, name, err string }

type exceptionKey struct{ msg, traceback string }

func (g *ErrorGroup) key() errorKey { return errorKey{g.Method, g.Name, g.Error} }

// add counts o's occurrences in g; the group spans both.
func (g *ErrorGroup) add(o *ErrorGroup) {
	g.Occurrences += o.Occurrences
	g.FirstSeen = earliest(g.FirstSeen, o.FirstSeen)
	if o.LastSeen.After(g.LastSeen) {
		g.LastSeen = o.LastSeen
	}
}

func (g *ExceptionGroup) key() exceptionKey { return exceptionKey{g.Message, g.Traceback} }

// add counts o's occurrences in g, and the processes that saw it.
func (g *ExceptionGroup) add(o *ExceptionGroup) {
	g.Count += o.Count
	g.Nodes = joinNodes(g.Nodes, o.Nodes)
}

// groupOf is the group of k in m, made by newGroup when there is none; once m holds limit
// groups, a new key counts in the group of other instead.
func groupOf[K comparable, G any](m map[K]*G, k K, limit int, other K, newGroup func(K) *G) *G {
	if g := m[k]; g != nil {
		return g
	}
	if len(m) >= limit {
		if k = other; m[k] != nil {
			return m[k]
		}
	}
	g := newGroup(k)
	m[k] = g
	return g
}

// mergeGroups adds the groups of from to into: one with a key into has is added to it, the
// others are appended.
func mergeGroups[K comparable, G any, P interface {
	*G
	key() K
	add(*G)
}](into, from []G) []G {
	at := make(map[K]int, len(into))
	for i := range into {
		at[P(&into[i]).key()] = i
	}
	for i := range from {
		k := P(&from[i]).key()
		if j, ok := at[k]; ok {
			P(&into[j]).add(&from[i])
			continue
		}
		at[k] = len(into)
		into = append(into, from[i])
	}
	return into
}

// addError counts sample sm, a failure of e, in its error group.
func (s *Stats) addError(e *entry, sm *sample) {
	t := time.Unix(0, sm.endNs)
	k := errorKey{e.method, e.name, sm.err}
	g := groupOf(s.errors, k, s.maxErrors, errorKey{e.method, e.name, OtherErrors}, func(k errorKey) *ErrorGroup {
		return &ErrorGroup{Method: k.method, Name: k.name, Error: k.err, FirstSeen: t}
	})
	g.add(&ErrorGroup{Occurrences: 1, FirstSeen: t, LastSeen: t})
}

// addException counts one script exception in its group.
func (s *Stats) addException(msg, traceback string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := groupOf(s.exceptions, exceptionKey{msg, traceback}, s.maxErrors, exceptionKey{OtherErrors, ""}, func(k exceptionKey) *ExceptionGroup {
		return &ExceptionGroup{Message: k.msg, Traceback: k.traceback, Nodes: s.node}
	})
	g.Count++
}
