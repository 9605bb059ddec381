package js

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// defaultLocustfiles are what gust runs when no script is named, as Locust runs ./locustfile.py.
var defaultLocustfiles = []string{"locustfile.js", "locustfile.ts"}

// ScriptArgs splits `gust run`'s arguments into the script and the User class names. The
// script is locustfile (-f/--locustfile) when given, else GUST_LOCUSTFILE (through getenv), and
// then every argument names a class, as in Locust; else the first argument, else
// locustfile.js or locustfile.ts in the working directory. An argument that is no file and
// reads like a class name (`gust run MyUser`) names a class of that default locustfile.
func ScriptArgs(locustfile string, args []string, getenv func(string) string) (string, []string, error) {
	if locustfile == "" {
		locustfile = getenv("GUST_LOCUSTFILE")
	}
	if locustfile != "" {
		return locustfile, args, nil
	}
	if len(args) > 0 && !looksLikeClass(args[0]) {
		return args[0], args[1:], nil
	}
	found, err := defaultLocustfile(".")
	if err != nil {
		return "", nil, err
	}
	if found == "" {
		if len(args) > 0 {
			return args[0], args[1:], nil // not found: Load names the missing file
		}
		return "", nil, errors.New("no script given and no locustfile.js or locustfile.ts in the working directory (usage: gust run [flags] [SCRIPT] [UserClass...], or -f SCRIPT)")
	}
	return found, args, nil
}

// looksLikeClass reports whether a command-line argument is a User class name rather than a
// script: a JavaScript identifier that names no file or directory.
func looksLikeClass(arg string) bool {
	if arg == "" || strings.ContainsAny(arg, `./\,`) {
		return false
	}
	for i, r := range arg {
		letter := r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	_, err := os.Stat(arg)
	return errors.Is(err, fs.ErrNotExist)
}

// defaultLocustfile is the locustfile in dir, "" when there is none; both a .js and a .ts is
// an error, since running either could be the wrong one.
func defaultLocustfile(dir string) (string, error) {
	var found []string
	for _, name := range defaultLocustfiles {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && !st.IsDir() {
			found = append(found, name)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return filepath.Join(dir, found[0]), nil
	}
	return "", fmt.Errorf("both %s and %s are in the working directory: name one with -f", found[0], found[1])
}
