package js

import (
	"strings"
	"testing"

	"github.com/gustload/gust/engine"
)

// decorated is the check's locustfile: Locust's spelling, @task(3), @task and @tag.
const decorated = `import { HttpUser, task, tag, constant } from "gust";
export class U extends HttpUser {
  static waitTime = constant(0);
  @task(3) root() { this.client.get("/"); }
  @tag("heavy") @task items() { this.client.get("/items/"); }
  helper() { return 1; }
}
`

// Both decorator forms esbuild lowers record the tasks: standard decorators (a .js file, and a
// .ts file without a tsconfig) and TypeScript's experimentalDecorators (a tsconfig that asks
// for them), so the same file runs whichever the editor's project uses.
func TestDecoratorsMakeTasks(t *testing.T) {
	forms := []struct{ name, file, tsconfig string }{
		{"js", "locustfile.js", ""},
		{"ts", "locustfile.ts", ""},
		{"ts experimentalDecorators", "locustfile.ts", `{"compilerOptions":{"experimentalDecorators":true}}`},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			files := []string{f.file, decorated}
			if f.tsconfig != "" {
				files = append(files, "tsconfig.json", f.tsconfig)
			}
			path := write(t, files...)
			s, err := Load(path, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			tasks := s.Classes()[0].Tasks
			if len(tasks) != 2 || tasks[0].Name != "root" || tasks[0].Ratio != 0.75 || tasks[1].Name != "items" || tasks[1].Ratio != 0.25 {
				t.Fatalf("tasks %+v, want root 0.75 and items 0.25 (helper is no task)", tasks)
			}
			snap, _ := runUsers(t, path, engine.Config{Users: 1, Iterations: 40}, TestConfig{Tags: []string{"heavy"}})
			if r, i := row(snap, "GET", "/").Requests, row(snap, "GET", "/items/").Requests; r != 0 || i != 40 {
				t.Errorf("-T heavy: / %d, /items/ %d; want 0 and 40", r, i)
			}
			snap, _ = runUsers(t, path, engine.Config{Users: 1, Iterations: 40}, TestConfig{ExcludeTags: []string{"heavy"}})
			if r, i := row(snap, "GET", "/").Requests, row(snap, "GET", "/items/").Requests; r != 40 || i != 0 {
				t.Errorf("-E heavy: / %d, /items/ %d; want 40 and 0", r, i)
			}
		})
	}
}

// A SequentialTaskSet keeps the order of its decorated methods, its base class's first; an
// override without @task hides the base's task; FastHttpUser is HttpUser.
func TestDecoratedOrderAndInheritance(t *testing.T) {
	path := write(t, "seq.ts", `import { FastHttpUser, SequentialTaskSet, task, constant } from "gust";
class Base extends SequentialTaskSet {
  @task first() { this.client.get("/a"); }
  @task dropped() { this.client.get("/dropped"); }
}
class Flow extends Base {
  dropped() {}
  @task(2) second() { this.client.get("/b"); }
  @task third() { this.client.get("/c"); this.interrupt(); }
}
export class U extends FastHttpUser {
  static waitTime = constant(0);
  static tasks = [Flow];
}
`)
	s, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ti := range s.Classes()[0].Tasks[0].Tasks {
		names = append(names, ti.Name)
	}
	if got := strings.Join(names, ","); got != "first,second,third" {
		t.Fatalf("Flow's tasks %s, want first,second,third", got)
	}
	snap, _ := runUsers(t, path, engine.Config{Users: 1, Iterations: 8}, TestConfig{})
	a, b, c := row(snap, "GET", "/a").Requests, row(snap, "GET", "/b").Requests, row(snap, "GET", "/c").Requests
	if a != 2 || b != 4 || c != 2 || row(snap, "GET", "/dropped").Requests != 0 {
		t.Errorf("8 tasks of a first, 2x second, third sequence: /a %d /b %d /c %d", a, b, c)
	}
}

func TestDecoratorMistakesFailAtLoad(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"both forms", "static tasks = { a: 1 };\n  a() {}\n  @task b() {}", "both `static tasks` and @task"},
		{"zero weight", "@task(0) a() {}", "weight"},
		{"bare tag", "@tag @task a() {}", "@tag needs the tag names"},
		{"task on a field", "@task x = 1;\n  @task a() {}", "@task decorates a method, not a field"},
		{"tag without task", "@tag(\"x\") a() {}", "no tasks defined on U"},
		{"tag not a string", "@tag(3) @task a() {}", "non-empty strings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "import { HttpUser, task, tag } from \"gust\";\nexport class U extends HttpUser {\n  " + tc.body + "\n}\n"
			_, err := Load(write(t, "bad.js", src), LoadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
