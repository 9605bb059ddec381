package main

import (
	"strings"
	"testing"
	"time"
)

// decoratedLocustfile is Locust's spelling in TypeScript: @task(3), @task and @tag.
const decoratedLocustfile = `import { FastHttpUser, task, tag, constant } from "gust";
export class U extends FastHttpUser {
  static waitTime = constant(0);
  @task(3) root() { this.client.get("/"); }
  @tag("heavy") @task items() { this.client.get("/items/"); }
}
export class Other extends FastHttpUser {
  static waitTime = constant(0);
  @task predict() { this.client.post("/predict", { json: { x: [1] } }); }
}
`

// With no script argument gust runs ./locustfile.ts; an argument that reads like a class name
// picks a class of it, as `locust MyUser` does; -f names the script and leaves every argument
// to classes.
func TestDefaultLocustfileAndF(t *testing.T) {
	srv, base := itemsAPI(t)
	dir := writeFiles(t, "locustfile.ts", decoratedLocustfile)
	r := gustIn(t, dir, nil, "run", "--headless", "-H", base, "-u", "1", "-i", "40", "U")
	if r.code != 0 {
		t.Fatalf("gust run U in a directory with locustfile.ts: exit %d: %s", r.code, r.stderr)
	}
	root, items := srv.get("GET /"), srv.get("GET /items/")
	if root+items != 40 || root < 20 || items < 3 || srv.get("POST /predict") != 0 {
		t.Fatalf("@task(3)/@task of class U: / %d, /items/ %d, /predict %d of 40", root, items, srv.get("POST /predict"))
	}

	other := t.TempDir() // -f from elsewhere, -T heavy
	r = gustIn(t, other, nil, "run", "-f", dir+"/locustfile.ts", "--headless", "-H", base, "-u", "1", "-i", "20", "-T", "heavy", "U")
	if r.code != 0 {
		t.Fatalf("gust run -f FILE --headless: exit %d: %s", r.code, r.stderr)
	}
	if got := srv.get("GET /items/") - items; got != 20 || srv.get("GET /") != root {
		t.Fatalf("-T heavy ran /items/ %d times (want 20) and / %d more", got, srv.get("GET /")-root)
	}

	r = gustIn(t, other, []string{"GUST_LOCUSTFILE=" + dir + "/locustfile.ts"}, "run", "--headless", "-H", base, "-u", "1", "-i", "5", "Other")
	if r.code != 0 || srv.get("POST /predict") != 5 {
		t.Fatalf("GUST_LOCUSTFILE: exit %d, /predict %d (want 5): %s", r.code, srv.get("POST /predict"), r.stderr)
	}
}

func TestLocustfileMistakesExitTwo(t *testing.T) {
	both := writeFiles(t, "locustfile.js", "", "locustfile.ts", "")
	tests := []struct {
		name, dir string
		args      []string
		want      string
	}{
		{"none", t.TempDir(), []string{"run", "--headless"}, "no locustfile.js or locustfile.ts"},
		{"both", both, []string{"run", "--headless"}, "both locustfile.js and locustfile.ts"},
		{"missing -f", t.TempDir(), []string{"run", "-f", "nope.js"}, "nope.js"},
		{"config", writeFiles(t, "gust.toml", "locustfile = \"x.js\"\n", "locustfile.js", decoratedLocustfile), []string{"run", "--headless"}, `"locustfile" cannot be set in a config file`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gustIn(t, tc.dir, nil, tc.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
}

func TestVersionFlags(t *testing.T) {
	for _, args := range [][]string{{"-V"}, {"--version"}, {"version"}} {
		r := gust(t, args...)
		if r.code != 0 || strings.TrimSpace(r.stdout) != "gust "+Version {
			t.Errorf("gust %v: exit %d, %q", args, r.code, r.stdout)
		}
	}
}

// The flags reach the session: --autoquit holds the web UI open after an autostarted test,
// --reset-stats leaves the ramp-up out of the result, --autoquit -2 is refused.
func TestAutoquitAndResetStatsFlags(t *testing.T) {
	srv, base := itemsAPI(t)
	dir := writeFiles(t, "locustfile.ts", decoratedLocustfile)
	start := time.Now()
	r := gustIn(t, dir, nil, "run", "--web-port", "0", "--autostart", "-t", "300ms", "--autoquit", "1", "-H", base, "-u", "1", "U")
	if el := time.Since(start); r.code != 0 || el < 1300*time.Millisecond {
		t.Fatalf("--autostart -t 300ms --autoquit 1: exit %d after %v (want 0, after at least 1.3 s): %s", r.code, el, r.stderr)
	}
	before := srv.total()
	r = gustIn(t, dir, nil, "run", "--headless", "-H", base, "-u", "4", "-r", "8", "-t", "1s", "--reset-stats", "--json", dir+"/r.json", "U")
	res := readResult(t, dir+"/r.json")
	recorded := res["total"].(map[string]any)["requests"].(float64)
	if sent := srv.total() - before; r.code != 0 || sent-int(recorded) < 5 || !strings.Contains(r.stdout+r.stderr, "statistics reset") {
		t.Errorf("--reset-stats: exit %d, %v recorded of %d sent; want the ramp's left out", r.code, recorded, sent)
	}
	if r = gustIn(t, dir, nil, "run", "--headless", "--autoquit", "-2"); r.code != exitUsage || !strings.Contains(r.stderr, "--autoquit -2") {
		t.Errorf("--autoquit -2: exit %d, %q", r.code, r.stderr)
	}
}
