// Package scaffold writes gust's TypeScript declarations and new projects (`gust types`,
// `gust new`): files an editor and the TypeScript compiler use to complete and check scripts.
package scaffold

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Declarations is gust.d.ts: the "gust", "gust/crypto" and "gust/encoding" modules and the
// globals a script sees, embedded so that the binary alone can write them.
//
//go:embed gust.d.ts
var Declarations []byte

// DeclarationsFile is the name the declarations are written under.
const DeclarationsFile = "gust.d.ts"

// WriteTypes writes the declarations into dir (created if missing), replacing an older copy,
// and returns the file's path.
func WriteTypes(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, DeclarationsFile)
	return path, os.WriteFile(path, Declarations, 0o644)
}

// Options choose what New writes.
type Options struct {
	TypeScript bool   // locustfile.ts instead of locustfile.js
	Host       string // the base URL of the service under test (default http://127.0.0.1:8000)
}

// New writes a project into dir: a locustfile, the declarations, tsconfig.json and
// jsconfig.json, gust.toml and a .gitignore. It refuses to overwrite any file but the
// declarations, so that running it in an existing project loses nothing. It returns the paths
// written.
func New(dir string, o Options) ([]string, error) {
	host := o.Host
	if host == "" {
		host = "http://127.0.0.1:8000"
	}
	script, scriptName := locustfileJS, "locustfile.js"
	if o.TypeScript {
		script, scriptName = locustfileTS, "locustfile.ts"
	}
	files := []struct{ name, text string }{
		{scriptName, script},
		{"tsconfig.json", tsconfig(o.TypeScript)},
		{"jsconfig.json", jsconfig},
		{"gust.toml", fmt.Sprintf(gustTOML, host)},
		{".gitignore", gitignore},
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if err == nil {
			return nil, fmt.Errorf("%s already exists: gust new does not overwrite a project", filepath.Join(dir, f.name))
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, []byte(f.text), 0o644); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	path, err := WriteTypes(dir)
	if err != nil {
		return written, err
	}
	return append(written, path), nil
}

const locustfileJS = `// A gust test: run it with
//   gust run --headless -u 10 -r 2 -t 1m locustfile.js
// or without --headless for the web UI on http://127.0.0.1:8089. The host, users and run time
// also come from gust.toml. gust.d.ts gives your editor completion;
// ` + "`npx -p typescript tsc -p .`" + ` checks this file against it.
import { HttpUser, between } from "gust";

export class APIUser extends HttpUser {
  static waitTime = between(1, 3);
  static tasks = { listItems: 3, getItem: 1, root: 1 }; // method name -> weight

  root() {
    this.client.get("/");
  }

  listItems() {
    this.client.get("/items/");
  }

  getItem() {
    const id = 1 + Math.floor(Math.random() * 5);
    // One stats row for every id instead of one per URL.
    const res = this.client.get(` + "`/items/${id}`" + `, { name: "/items/[id]", catchResponse: true });
    if (res.status === 404) res.success(); // an unknown id is an expected answer here
  }
}
`

const locustfileTS = `// A gust test in TypeScript: run it with
//   gust run --headless -u 10 -r 2 -t 1m locustfile.ts
// or without --headless for the web UI on http://127.0.0.1:8089. The host, users and run time
// also come from gust.toml. gust strips the types when it loads the file;
// ` + "`npx -p typescript tsc -p .`" + ` checks them against gust.d.ts.
import { HttpUser, between } from "gust";

interface Item {
  id: number;
  name: string;
  price: number;
}

export class APIUser extends HttpUser {
  static waitTime = between(1, 3);
  static tasks = { listItems: 3, getItem: 1, root: 1 }; // method name -> weight

  root(): void {
    this.client.get("/");
  }

  listItems(): void {
    const res = this.client.get("/items/", { catchResponse: true });
    if (!res.ok) return res.failure(` + "`HTTP ${res.status}`" + `);
    const items = res.json<Item[]>();
    if (!Array.isArray(items)) res.failure("the catalog is not a list");
  }

  getItem(): void {
    const id = 1 + Math.floor(Math.random() * 5);
    // One stats row for every id instead of one per URL.
    const res = this.client.get(` + "`/items/${id}`" + `, { name: "/items/[id]", catchResponse: true });
    if (res.status === 404) res.success(); // an unknown id is an expected answer here
  }
}
`

// compilerOptions shared by both configs: modern JavaScript, gust's own globals instead of the
// DOM's or Node's (types: [] keeps a stray @types/node from adding its own).
const baseOptions = `    "target": "ES2022",
    "module": "ES2022",
    "moduleResolution": "bundler",
    "lib": ["ES2022"],
    "types": [],
    "noEmit": true,
    "allowJs": true,`

// tsconfig is strict for a TypeScript project. For a JavaScript one it checks .js files without
// strict mode, whose noImplicitAny and strictNullChecks flag nearly every line of untyped JS.
func tsconfig(ts bool) string {
	if ts {
		return "{\n  \"compilerOptions\": {\n" + baseOptions + `
    "checkJs": false,
    "strict": true
  },
  "include": ["**/*.ts", "**/*.js"],
  "exclude": ["node_modules", "reports"]
}
`
	}
	return jsconfig
}

// jsconfig checks plain JavaScript against the declarations.
const jsconfig = "{\n  \"compilerOptions\": {\n" + baseOptions + `
    "checkJs": true
  },
  "include": ["**/*.ts", "**/*.js"],
  "exclude": ["node_modules", "reports"]
}
`

const gustTOML = `# Defaults for gust run in this directory, keyed by the long flag names (gust help run).
# Command-line flags and GUST_* environment variables override them.
host = %q
users = 10
spawn-rate = 2
run-time = "1m"
# headless = true
# csv = "reports/run"
# html = "reports/report.html"
# json = "reports/result.json"
# threshold = ["p95<500ms", "fail_ratio<1%%"]
`

const gitignore = `# gust's reports (--csv, --html, --json into reports/)
reports/
*_stats.csv
*_stats_history.csv
*_failures.csv
*_exceptions.csv
node_modules/
`
