package js

import (
	"strings"
	"testing"
)

// An unknown options key is refused naming it and the nearest flag's key, or gust's name for
// a k6 option; flag keys, stages and thresholds pass.
func TestCheckOptionKeys(t *testing.T) {
	flags := []string{"users", "spawnRate", "runTime", "host"}
	for src, want := range map[string]string{
		`{ users: 5, spawnRate: 2, stages: [], thresholds: [] }`: "",
		`{ usres: 5 }`:    `unknown key "usres" in ` + "`export const options`" + ` (did you mean "users"?)`,
		`{ vus: 5 }`:      `(that is k6's name: gust's is "users")`,
		`{ zzzzzzzz: 1 }`: `unknown key "zzzzzzzz"`,
	} {
		path := write(t, "opt.js", "import { HttpUser } from \"gust\";\nexport const options = "+src+";\nexport class U extends HttpUser { static tasks = { a: 1 }; a() {} }\n")
		s, err := Load(path, LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		err = s.CheckOptionKeys(flags)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("options %s: %v, want %q", src, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "did you mean") && strings.Contains(src, "zzz") {
			t.Errorf("a far key got a suggestion: %v", err)
		}
	}
}
