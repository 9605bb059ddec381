package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/gustload/gust/config"
	"github.com/gustload/gust/js"
	"github.com/spf13/pflag"
)

// The config file (gust.toml, or --config FILE; read by package config) holds defaults for any
// flag of `gust run`, keyed by the flag's long name.

// setConfigFlag gives a flag its config-file value: lists item by item to list flags.
func setConfigFlag(fl *pflag.Flag, cv config.Value) error {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		return sv.Replace(cv.Items)
	}
	if cv.List {
		return fmt.Errorf("takes one value, not an array")
	}
	return fl.Value.Set(cv.Items[0])
}

// readConfig loads the config file named by --config or GUST_CONFIG, else ./gust.toml if it
// exists, and rejects settings that are not flags of `gust run`.
func readConfig(fs *pflag.FlagSet, f *runFlags) (config.File, error) {
	name := f.config
	if !fs.Changed("config") {
		name = os.Getenv("GUST_CONFIG")
	}
	conf, err := config.Load(name)
	if err != nil {
		return nil, err
	}
	for key, cv := range conf {
		if fl := fs.Lookup(key); fl == nil || key == "config" {
			return nil, fmt.Errorf("%s: unknown setting %q (settings are the long flag names of gust run, like users, spawn-rate, run-time, host)", cv.Pos, key)
		}
	}
	return conf, nil
}

// given reports whether any source (flag, GUST_* variable, config file, options) set name.
func given(fs *pflag.FlagSet, conf config.File, options map[string]any, name string) bool {
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
