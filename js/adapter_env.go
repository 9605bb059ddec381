package js

import (
	"fmt"
	"os"
	"strings"
)

// Environ is what a script reads as env / __ENV: the process environment, then each -e
// KEY=VAL pair; a pair without KEY= is an error naming it.
func Environ(pairs []string) (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("bad -e %q: want KEY=VAL", kv)
		}
		env[k] = v
	}
	return env, nil
}
