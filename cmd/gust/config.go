package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gustload/gust/js"
	"github.com/spf13/pflag"
)

// The config file (gust.toml in the working directory, or --config FILE) holds defaults for
// any flag of `gust run`, keyed by the flag's long name:
//
//	# gust.toml
//	host = "http://127.0.0.1:8000"
//	users = 50
//	spawn-rate = 10
//	run-time = "2m"
//	headless = true
//	tags = ["smoke", "api"]
//
// Only the TOML that this needs is read: `key = value` lines with strings (basic "..." with
// escapes, or literal '...'), numbers, booleans and one-line arrays of those; # comments;
// an optional [gust] table header. Anything else is an error naming file:line, because a
// setting silently ignored is worse than one refused.

// defaultConfigFile is read from the working directory when --config is not given.
const defaultConfigFile = "gust.toml"

// configValue is one setting: its items (one for a scalar) and where it was written.
type configValue struct {
	items []string
	list  bool
	pos   string // file:line
}

// configFile is a parsed config file, by flag name.
type configFile map[string]configValue

// loadConfig reads the config file named by --config (an error if it is missing) or, without
// one, gust.toml when it exists.
func loadConfig(explicit string) (configFile, error) {
	name := explicit
	if name == "" {
		name = defaultConfigFile
	}
	data, err := os.ReadFile(name)
	if err != nil {
		if explicit == "" && errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("config %s: %v", name, err)
	}
	return parseConfig(name, string(data))
}

// parseConfig reads the TOML subset described above.
func parseConfig(name, text string) (configFile, error) {
	out := configFile{}
	for i, raw := range strings.Split(text, "\n") {
		pos := fmt.Sprintf("%s:%d", name, i+1)
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '[' {
			if h := strings.TrimSpace(stripComment(line)); h != "[gust]" {
				return nil, fmt.Errorf("%s: table %s is not supported: write settings at the top level or under [gust]", pos, h)
			}
			continue
		}
		key, rest, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: want key = value, got %q", pos, line)
		}
		key = strings.TrimSpace(key)
		if k, err := strconv.Unquote(key); err == nil {
			key = k
		}
		if key == "" || strings.ContainsAny(key, " \t.") {
			return nil, fmt.Errorf("%s: bad key %q", pos, key)
		}
		key = strings.ReplaceAll(key, "_", "-")
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%s: %s is set twice", pos, key)
		}
		v, err := parseConfigValue(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", pos, key, err)
		}
		v.pos = pos
		out[key] = v
	}
	return out, nil
}

// parseConfigValue reads a scalar or a one-line array, then allows only a comment after it.
func parseConfigValue(s string) (configValue, error) {
	if strings.HasPrefix(s, "[") {
		var v configValue
		v.list = true
		s = strings.TrimSpace(s[1:])
		for {
			if strings.HasPrefix(s, "]") {
				return v, trailing(s[1:])
			}
			item, rest, err := parseScalar(s)
			if err != nil {
				return v, err
			}
			v.items = append(v.items, item)
			s = strings.TrimSpace(rest)
			switch {
			case strings.HasPrefix(s, ","):
				s = strings.TrimSpace(s[1:])
			case strings.HasPrefix(s, "]"):
			default:
				return v, fmt.Errorf("arrays must be on one line, items separated by commas")
			}
		}
	}
	item, rest, err := parseScalar(s)
	if err != nil {
		return configValue{}, err
	}
	return configValue{items: []string{item}}, trailing(rest)
}

// parseScalar reads one string, number or boolean at the start of s and returns it as the
// text a flag would be given, with what follows.
func parseScalar(s string) (val, rest string, err error) {
	switch {
	case s == "":
		return "", "", fmt.Errorf("missing value")
	case s[0] == '"':
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				v, err := strconv.Unquote(s[:i+1])
				if err != nil {
					return "", "", fmt.Errorf("bad string %s", s[:i+1])
				}
				return v, s[i+1:], nil
			}
		}
		return "", "", fmt.Errorf("unterminated string")
	case s[0] == '\'':
		end := strings.IndexByte(s[1:], '\'')
		if end < 0 {
			return "", "", fmt.Errorf("unterminated string")
		}
		return s[1 : end+1], s[end+2:], nil
	}
	end := strings.IndexAny(s, ",]# \t")
	if end < 0 {
		end = len(s)
	}
	tok := s[:end]
	if tok == "true" || tok == "false" {
		return tok, s[end:], nil
	}
	num := strings.ReplaceAll(tok, "_", "")
	if _, err := strconv.ParseFloat(num, 64); err != nil {
		return "", "", fmt.Errorf("bad value %q: quote strings (\"...\")", tok)
	}
	return num, s[end:], nil
}

// trailing accepts only blanks and a comment after a value.
func trailing(s string) error {
	if s = strings.TrimSpace(s); s != "" && s[0] != '#' {
		return fmt.Errorf("unexpected %q after the value", s)
	}
	return nil
}

func stripComment(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

// setConfigFlag gives a flag its config-file value: lists item by item to list flags.
func setConfigFlag(fl *pflag.Flag, cv configValue) error {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		return sv.Replace(cv.items)
	}
	if cv.list {
		return fmt.Errorf("takes one value, not an array")
	}
	return fl.Value.Set(cv.items[0])
}

// readConfig loads the config file named by --config or GUST_CONFIG, else ./gust.toml if it
// exists, and rejects settings that are not flags of `gust run`.
func readConfig(fs *pflag.FlagSet, f *runFlags) (configFile, error) {
	name := f.config
	if !fs.Changed("config") {
		name = os.Getenv("GUST_CONFIG")
	}
	conf, err := loadConfig(name)
	if err != nil {
		return nil, err
	}
	for key, cv := range conf {
		if key == "locustfile" || key == "version" {
			// The script is found before the config file is read (the file may sit beside it).
			return nil, fmt.Errorf("%s: %q cannot be set in a config file: give it on the command line (-f SCRIPT) or as GUST_%s", cv.pos, key, strings.ToUpper(key))
		}
		if fl := fs.Lookup(key); fl == nil || key == "config" {
			return nil, fmt.Errorf("%s: unknown setting %q (settings are the long flag names of gust run, like users, spawn-rate, run-time, host)", cv.pos, key)
		}
	}
	return conf, nil
}

// given reports whether any source (flag, GUST_* variable, config file, options) set name.
func given(fs *pflag.FlagSet, conf configFile, options map[string]any, name string) bool {
	if fs.Changed(name) {
		return true
	}
	if _, ok := os.LookupEnv("GUST_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); ok {
		return true
	}
	if _, ok := conf[name]; ok {
		return true
	}
	_, ok := options[camel(name)]
	return ok
}

// teardown runs the script's teardown(data) and onTestStop(); a failure is reported and
// counted as a script exception. Cancelling ctx interrupts them.
func teardown(ctx context.Context, test *js.Test) {
	if err := test.Teardown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gust:", err)
	}
}
