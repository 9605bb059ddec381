package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	f, err := Parse("gust.toml", "# settings\n[gust]\nhost = \"http://127.0.0.1:8000\" # the API\nusers = 1_000\nrun_time = '2m'\nheadless = true\ntags = [\"a\", 'b' , \"c\\\"d\"]\n\"spawn-rate\" = 2.5\r\n")
	if err != nil {
		t.Fatal(err)
	}
	want := File{
		"host":       {Items: []string{"http://127.0.0.1:8000"}, Pos: "gust.toml:3"},
		"users":      {Items: []string{"1000"}, Pos: "gust.toml:4"},
		"run-time":   {Items: []string{"2m"}, Pos: "gust.toml:5"},
		"headless":   {Items: []string{"true"}, Pos: "gust.toml:6"},
		"tags":       {Items: []string{"a", "b", `c"d`}, List: true, Pos: "gust.toml:7"},
		"spawn-rate": {Items: []string{"2.5"}, Pos: "gust.toml:8"},
	}
	if !reflect.DeepEqual(f, want) {
		t.Fatalf("got %+v\nwant %+v", f, want)
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	for text, want := range map[string]string{
		"users = 3\nusers = 4\n":  "gust.toml:2: users is set twice",
		"users = three\n":         `gust.toml:1: users: bad value "three"`,
		"host = \"unterminated\n": "gust.toml:1: host: unterminated string",
		"[locust]\n":              "gust.toml:1: table [locust] is not supported",
		"tags = [\"a\" \"b\"]\n":  "gust.toml:1: tags: arrays must be on one line",
		"users = 3 4\n":           `gust.toml:1: users: unexpected "4" after the value`,
		"a.b = 1\n":               `gust.toml:1: bad key "a.b"`,
		"\n\nusers\n":             "gust.toml:3: want key = value",
	} {
		if _, err := Parse("gust.toml", text); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

// Load: gust.toml is optional, a named file is not.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if f, err := Load(""); f != nil || err != nil {
		t.Fatalf("no gust.toml: %v %v", f, err)
	}
	if _, err := Load(filepath.Join(dir, "missing.toml")); err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Fatalf("a missing --config file: %v", err)
	}
	if err := os.WriteFile(DefaultFile, []byte("users = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, err := Load(""); err != nil || f["users"].Items[0] != "2" {
		t.Fatalf("gust.toml: %v %v", f, err)
	}
}
