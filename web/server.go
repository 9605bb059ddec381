// Package web serves Locust's web UI for a gust test: the page with its live table and charts,
// and the HTTP endpoints Locust users and their scripts know (POST /swarm, GET /stop,
// GET /stats/requests, the CSV downloads, ...). Every asset is embedded: the page works offline.
package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gustload/gust/engine"
	"github.com/gustload/gust/metrics"
	"github.com/gustload/gust/report"
	"github.com/gustload/gust/session"
)

//go:embed static
var staticFiles embed.FS

//go:embed templates
var templateFiles embed.FS

var pageTemplate = template.Must(template.ParseFS(templateFiles, "templates/index.html"))

// assetVersion changes with the embedded files, so that the page's links to them change too
// and a browser never mixes a cached old script with a new page.
var assetVersion = func() string {
	h := sha256.New()
	fs.WalkDir(staticFiles, "static", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFiles.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	h.Write(report.UPlotJS)
	h.Write(report.UPlotCSS)
	return fmt.Sprintf("%x", h.Sum(nil))[:12]
}()

// asset serves one embedded file.
func asset(contentType string, body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	})
}

// maxForm bounds the body of POST /swarm, which carries a handful of short fields.
const maxForm = 64 << 10

// maxUsers bounds user_count so that a typo cannot ask for a billion goroutines.
const maxUsers = 1_000_000

// Options configure a Server.
type Options struct {
	// Auth is "user:pass" to require HTTP basic auth on every path; "" serves without.
	Auth string
	// Users, SpawnRate and RunTime fill the start form.
	Users     int
	SpawnRate float64
	RunTime   time.Duration
	// Script names the test script in the page title.
	Script string
	// Version is shown in the page footer.
	Version string
	// Addr is the address the UI listens on (host:port). When set, a request whose Host
	// header names another server is refused, so that a hostile page cannot reach the UI
	// through DNS rebinding: see allowedHost.
	Addr string
	// WebHost is --web-host, a name the UI is also reached by.
	WebHost string
	// Metrics, when set, is served at /metrics: the live series in Prometheus's format.
	Metrics http.Handler
}

// Server is the web UI: an http.Handler over a Controller.
type Server struct {
	c    Controller
	o    Options
	mux  *http.ServeMux
	user [32]byte // sha256 of the credentials, so that comparing them takes constant time
	pass [32]byte

	// building is held while one /stats/requests body is built, so that pages polling at
	// once share one copy of the statistics instead of each taking its own.
	building  sync.Mutex
	mu        sync.Mutex
	cached    []byte // the last /stats/requests body
	cachedAt  time.Time
	cachedGen uint64
	gen       uint64 // bumped by every state change, so that the cache never outlives one
}

// statsCacheTTL bounds how often /stats/requests copies the statistics, however many pages
// poll it (Locust memoizes it the same way).
const statsCacheTTL = 900 * time.Millisecond

// New returns a Server driving c. It fails only on a malformed Options.Auth.
func New(c Controller, o Options) (*Server, error) {
	s := &Server{c: c, o: o, mux: http.NewServeMux()}
	if o.Auth != "" {
		u, p, ok := strings.Cut(o.Auth, ":")
		if !ok || u == "" {
			return nil, errors.New("bad web auth: want user:pass")
		}
		s.user, s.pass = sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))
	}
	static, _ := fs.Sub(staticFiles, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(24*time.Hour, http.FileServerFS(static))))
	// uPlot is vendored once, in package report, and served from there.
	s.mux.Handle("GET /static/uPlot.iife.min.js", cacheFor(24*time.Hour, asset("text/javascript; charset=utf-8", report.UPlotJS)))
	s.mux.Handle("GET /static/uPlot.min.css", cacheFor(24*time.Hour, asset("text/css; charset=utf-8", report.UPlotCSS)))
	// uPlot's MIT license travels with the copy served.
	s.mux.Handle("GET /static/uPlot.LICENSE", cacheFor(24*time.Hour, asset("text/plain; charset=utf-8", report.UPlotLicense)))
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("POST /swarm", s.sameOrigin(s.swarm))
	s.mux.HandleFunc("GET /stop", s.sameOrigin(s.stop))
	s.mux.HandleFunc("POST /stop", s.sameOrigin(s.stop)) // scripts and curl -XPOST alike
	s.mux.HandleFunc("GET /stats/reset", s.sameOrigin(s.reset))
	s.mux.HandleFunc("GET /stats/requests", s.requests)
	s.mux.HandleFunc("GET /stats/requests/csv", s.csv("requests", metrics.WriteStatsCSV))
	s.mux.HandleFunc("GET /stats/failures/csv", s.csv("failures", metrics.WriteFailuresCSV))
	s.mux.HandleFunc("GET /exceptions/csv", s.csv("exceptions", metrics.WriteExceptionsCSV))
	s.mux.HandleFunc("GET /stats/requests_full_history/csv", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Error: Server was not started with option to generate full history.", http.StatusNotFound)
	})
	s.mux.HandleFunc("GET /exceptions", s.exceptions)
	s.mux.HandleFunc("GET /tasks", s.tasks)
	s.mux.HandleFunc("GET /stats/report", s.report)
	s.mux.HandleFunc("GET /stats/json", s.result)
	s.mux.HandleFunc("GET /stats/history", s.history)
	if o.Metrics != nil {
		s.mux.Handle("GET /metrics", o.Metrics)
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	// The page renders data with textContent only; the policy is the second line of defence.
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	if !s.allowedHost(r.Host) {
		http.Error(w, fmt.Sprintf("refused: Host %q is not this server (use the address gust printed, or --web-host)", r.Host), http.StatusMisdirectedRequest)
		return
	}
	if s.o.Auth != "" && !s.authorized(r) {
		h.Set("WWW-Authenticate", `Basic realm="gust", charset="UTF-8"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) authorized(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	if !ok {
		return false
	}
	uh, ph := sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))
	return subtle.ConstantTimeCompare(uh[:], s.user[:])&subtle.ConstantTimeCompare(ph[:], s.pass[:]) == 1
}

// sameOrigin refuses state changes a browser makes on behalf of another site (a link or a
// form on a hostile page). Scripts and curl send no such headers and pass.
func (s *Server) sameOrigin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			jsonError(w, http.StatusForbidden, "refused: the request came from another site")
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			u, err := url.Parse(o)
			if err != nil || u.Host != r.Host {
				jsonError(w, http.StatusForbidden, fmt.Sprintf("refused: origin %q is not this server", o))
				return
			}
		}
		next(w, r)
	}
}

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d", int(d.Seconds())))
		next.ServeHTTP(w, r)
	})
}

// pageData is what the page needs before its first poll.
type pageData struct {
	Host, State, Script, Version, Asset string
	Users                               int
	SpawnRate                           string
	RunTime                             string
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	d := pageData{
		Host:      s.c.Host(),
		State:     string(s.c.State()),
		Script:    s.o.Script,
		Version:   s.o.Version,
		Asset:     assetVersion,
		Users:     s.o.Users,
		SpawnRate: strconv.FormatFloat(s.o.SpawnRate, 'f', -1, 64),
	}
	if s.o.RunTime > 0 {
		d.RunTime = s.o.RunTime.String()
	}
	var b strings.Builder
	if err := pageTemplate.Execute(&b, d); err != nil {
		http.Error(w, "render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, b.String())
}

// swarm is Locust's start and edit: the start form and the Edit form both post here.
func (s *Server) swarm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	// Locust (Flask) takes urlencoded and multipart forms alike.
	if err := r.ParseMultipartForm(maxForm); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.swarmError(w, http.StatusBadRequest, "bad form: "+err.Error())
		return
	}
	users, err := formInt(r, "user_count")
	if err != nil {
		s.swarmError(w, http.StatusBadRequest, err.Error())
		return
	}
	rate := s.o.SpawnRate
	if r.Form.Has("spawn_rate") {
		if rate, err = formRate(r, "spawn_rate"); err != nil {
			s.swarmError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	host := strings.TrimSpace(r.FormValue("host"))
	if host != "" {
		if err := engine.CheckHost(host); err != nil {
			s.swarmError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	var runTime time.Duration
	if v := strings.TrimSpace(r.FormValue("run_time")); v != "" {
		if runTime, err = engine.ParseDuration(v); err != nil || runTime < 0 {
			s.swarmError(w, http.StatusBadRequest, fmt.Sprintf("bad run_time %q: valid formats are 20, 20s, 3m, 2h, 1h20m, 3h30m10s", v))
			return
		}
	}
	switch s.c.State() {
	case engine.StateSpawning, engine.StateRunning:
		if err := s.c.Edit(users, rate); err != nil {
			s.swarmError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.changed()
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Swarming started", "host": s.c.Host()})
		return
	}
	if err := s.c.Start(users, rate, host, runTime); err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, session.ErrBusy) {
			code = http.StatusConflict
		}
		s.swarmError(w, code, err.Error())
		return
	}
	s.changed()
	resp := map[string]any{"success": true, "message": "Swarming started", "host": s.c.Host()}
	if runTime > 0 {
		resp["run_time"] = int64(runTime.Seconds())
	}
	writeJSON(w, http.StatusOK, resp)
}

// swarmError answers as Locust's /swarm does when it refuses: success false, a message, the host.
func (s *Server) swarmError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"success": false, "message": msg, "host": s.c.Host()})
}

func formInt(r *http.Request, key string) (int, error) {
	if !r.Form.Has(key) {
		return 0, fmt.Errorf("missing %s", key)
	}
	v := strings.TrimSpace(r.FormValue(key))
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxUsers {
		return 0, fmt.Errorf("bad %s %q: want a whole number from 0 to %d", key, v, maxUsers)
	}
	return n, nil
}

func formRate(r *http.Request, key string) (float64, error) {
	v := strings.TrimSpace(r.FormValue(key))
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("bad %s %q: want a number of users per second above 0", key, v)
	}
	return f, nil
}

func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	s.c.Stop()
	s.changed()
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Test stopped"})
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	s.c.Reset()
	s.changed()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok")
}

// changed drops the cached statistics: after a state change the next poll must see it.
func (s *Server) changed() {
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
}

func (s *Server) requests(w http.ResponseWriter, r *http.Request) {
	body, ok := s.cachedRequests()
	if !ok {
		s.building.Lock()
		// Another request may have built it while this one waited.
		if body, ok = s.cachedRequests(); !ok {
			s.mu.Lock()
			gen := s.gen
			s.mu.Unlock()
			var err error
			body, err = json.Marshal(s.requestsReport())
			if err != nil {
				s.building.Unlock()
				jsonError(w, http.StatusInternalServerError, "encode statistics: "+err.Error())
				return
			}
			s.mu.Lock()
			if s.gen == gen {
				s.cached, s.cachedAt, s.cachedGen = body, time.Now(), gen
			}
			s.mu.Unlock()
		}
		s.building.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

// cachedRequests returns the last /stats/requests body while it is fresh.
func (s *Server) cachedRequests() ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cached, s.cached != nil && s.cachedGen == s.gen && time.Since(s.cachedAt) < statsCacheTTL
}

func (s *Server) csv(prefix string, write func(io.Writer, *metrics.Snapshot) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		snap := s.c.Snapshot()
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%s_%d.csv", prefix, time.Now().Unix()))
		// Streamed: with thousands of rows a copy of the file would be the biggest thing here.
		// A write error means the client left; there is nobody to tell.
		_ = write(w, snap)
	}
}

func (s *Server) exceptions(w http.ResponseWriter, r *http.Request) {
	snap := s.c.Snapshot()
	rows := make([]exceptionJSON, 0, len(snap.Exceptions))
	for _, e := range snap.Exceptions {
		rows = append(rows, exceptionJSON{Count: e.Count, Msg: e.Message, Traceback: e.Traceback, Nodes: e.Nodes})
	}
	writeJSON(w, http.StatusOK, map[string]any{"exceptions": rows})
}

type exceptionJSON struct {
	Count     int64  `json:"count"`
	Msg       string `json:"msg"`
	Traceback string `json:"traceback"`
	Nodes     string `json:"nodes"`
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	snap := s.c.Snapshot()
	var b strings.Builder
	if err := s.c.Result(snap).WriteHTML(&b); err != nil {
		http.Error(w, "write report: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The report is one self-contained file, with its own inline styles and scripts.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
	if r.URL.Query().Get("download") != "" {
		h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=report_%d.html", time.Now().Unix()))
	}
	io.WriteString(w, b.String())
}

func (s *Server) result(w http.ResponseWriter, r *http.Request) {
	snap := s.c.Snapshot()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=result_%d.json", time.Now().Unix()))
	}
	// Streamed row by row (see metrics.WriteJSON); a write error means the client left.
	_ = s.c.Result(snap).WriteJSON(w)
}

// history lists the Aggregated rows over time, oldest first, as the JSON result's time_series.
func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	rows := append([]metrics.HistoryRow{}, s.c.History()...)
	writeJSON(w, http.StatusOK, map[string]any{"history": rows})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		body = []byte(`{"success":false,"message":"cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(body)
	w.Write([]byte("\n"))
}

// jsonError answers a refused request the way /swarm does: success false and a message.
func jsonError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"success": false, "message": msg})
}
