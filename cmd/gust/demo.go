package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gustload/gust/samples"
	"github.com/gustload/gust/samples/api"
	"github.com/spf13/pflag"
)

// demoCmd is `gust demo`: the bundled sample API on a free loopback port, and the seed
// locustfile run against it headless.
func demoCmd(args []string) int {
	fs := pflag.NewFlagSet("demo", pflag.ContinueOnError)
	runTime := fs.StringP("run-time", "t", "15s", "how long the demo runs")
	users := fs.StringP("users", "u", "20", "users")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	srv := api.New()
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return usageError("cannot start the sample API: %v", err)
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "gust-demo-")
	if err != nil {
		return usageError("%v", err)
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "locustfile.js")
	if err := os.WriteFile(script, samples.Locustfile, 0o644); err != nil {
		return usageError("%v", err)
	}
	fmt.Printf("gust demo: sample API on %s, running samples/locustfile.js with %s users for %s\n\n", base, *users, *runTime)
	code := runCmd([]string{"--headless", "-u", *users, "-r", "10", "-t", *runTime, script}, &runOverrides{host: base})
	fmt.Printf("\nThe sample API served %d requests.\n", srv.Served())
	return code
}
