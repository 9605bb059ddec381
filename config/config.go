// Package config reads gust's settings file (gust.toml in the working directory, or --config
// FILE), which holds defaults for any flag of `gust run`, keyed by the flag's long name:
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
// setting silently ignored is worse than one refused. Which keys are settings is the
// command's business (cmd/gust), not this package's.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// DefaultFile is read from the working directory when --config is not given.
const DefaultFile = "gust.toml"

// Value is one setting: its items (one for a scalar) and where it was written.
type Value struct {
	Items []string // the items, one for a scalar, as a flag would be given them
	List  bool     // written as an array
	Pos   string   // file:line
}

// File is a parsed config file, by flag name.
type File map[string]Value

// Load reads the config file named by --config (an error if it is missing) or, without
// one, gust.toml when it exists.
func Load(explicit string) (File, error) {
	name := explicit
	if name == "" {
		name = DefaultFile
	}
	data, err := os.ReadFile(name)
	if err != nil {
		if explicit == "" && errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("config %s: %v", name, err)
	}
	return Parse(name, string(data))
}

// Parse reads the TOML subset described above.
func Parse(name, text string) (File, error) {
	out := File{}
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
		if key == "locustfile" || key == "version" {
			// The script is found before the config file is read (the file may sit beside it).
			return nil, fmt.Errorf("%s: %q cannot be set in a config file: give it on the command line (-f SCRIPT) or as GUST_%s", pos, key, strings.ToUpper(key))
		}
		v, err := parseValue(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", pos, key, err)
		}
		v.Pos = pos
		out[key] = v
	}
	return out, nil
}

// parseValue reads a scalar or a one-line array, then allows only a comment after it.
func parseValue(s string) (Value, error) {
	if strings.HasPrefix(s, "[") {
		var v Value
		v.List = true
		s = strings.TrimSpace(s[1:])
		for {
			if strings.HasPrefix(s, "]") {
				return v, trailing(s[1:])
			}
			item, rest, err := parseScalar(s)
			if err != nil {
				return v, err
			}
			v.Items = append(v.Items, item)
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
		return Value{}, err
	}
	return Value{Items: []string{item}}, trailing(rest)
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
