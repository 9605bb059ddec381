package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gustload/gust/js"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/session"
	"github.com/gustload/gust/web"
)

// webMain runs tests driven from the web UI (not headless): it serves the UI until SIGINT or
// SIGTERM, or, with --autostart and a run time or iteration limit, until that test ends. The
// reports the flags ask for are written at every stop.
func webMain(f *runFlags, test *js.Test, stats *metrics.Stats, cfg session.Config, out io.Writer) int {
	sess := newWebSession(test, stats, cfg, out)
	addr := net.JoinHostPort(f.webHost, strconv.Itoa(f.webPort))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageError("web UI: %v", err)
	}
	ui, err := webHandler(f, sess, ln.Addr().String(), cfg)
	if err != nil {
		ln.Close()
		return usageError("%v", err)
	}
	if f.webAuth == "" && !loopback(f.webHost) {
		fmt.Fprintf(os.Stderr, "gust: warning: the web UI listens on %s without --web-auth: anyone who can reach it can start a test\n", ln.Addr())
	}
	res, err := sess.Serve(context.Background(), ln, ui)
	return exitCode(f, res, err)
}

// newWebSession is the session the web UI drives: it may retarget the test, and it tells out
// what it starts and stops.
func newWebSession(test *js.Test, stats *metrics.Stats, cfg session.Config, out io.Writer) *session.Session {
	cfg.Out = out
	cfg.Classes = webClasses(test)
	cfg.Retarget = func(host string) (session.Test, error) {
		t, err := test.WithHost(host)
		if err != nil {
			return nil, err // not a nil *js.Test in an interface
		}
		return t, nil
	}
	return session.New(test, stats, cfg)
}

// webHandler is the web UI over sess, answering only requests addressed to addr (or
// localhost, or --web-host).
func webHandler(f *runFlags, sess *session.Session, addr string, cfg session.Config) (*web.Server, error) {
	ui, err := web.New(sess, web.Options{Auth: f.webAuth, Users: f.users, SpawnRate: f.spawnRate, RunTime: f.runTime,
		Version: Version, Addr: addr, WebHost: f.webHost, Script: filepath.Base(cfg.Script), Metrics: cfg.Metrics})
	if err != nil {
		return nil, fmt.Errorf("bad --web-auth: want user:pass")
	}
	return ui, nil
}

// loopback tells whether the web UI's address serves this machine only.
func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// webClasses describes the test's classes for the Current ratio tab, with their tasks.
func webClasses(test *js.Test) []session.Class {
	infos := map[string]js.ClassInfo{}
	for _, c := range test.Script().Classes() {
		infos[c.Name] = c
	}
	var out []session.Class
	for _, c := range test.Classes() {
		out = append(out, session.Class{Name: c.Name, Weight: c.Weight, FixedCount: c.FixedCount, Tasks: webTasks(infos[c.Name].Tasks)})
	}
	return out
}

func webTasks(ts []js.TaskInfo) []session.Task {
	var out []session.Task
	for _, t := range ts {
		out = append(out, session.Task{Name: t.Name, Ratio: t.Ratio, Tasks: webTasks(t.Tasks)})
	}
	return out
}
