// Package api is the bundled sample API: the seed's FastAPI app rewritten with net/http, plus
// the endpoints the sample scripts need (login, a shop journey, failures on demand). `gust demo`
// starts it in-process on a free loopback port and end-to-end tests run scripts against it.
//
//	GET  /               {"message":"Hello World"}
//	GET  /items/         the catalog; GET /items/{id} one item or 404
//	POST /predict        {"x":[...]} -> {"y": mean, "model":"mean-v1"}; bad input 422
//	GET  /slow?ms=N      answers after N ms (at most 30 s)
//	GET  /status/N       answers with status N; GET /flaky?p=P fails with probability P
//	POST /login, GET /me, POST /logout           cookie session ("session")
//	GET  /products, POST /cart, GET /cart, POST /checkout   shop journey (needs a session)
//	GET  /ws             a WebSocket that echoes every message; "bye" closes it
//	GET  /__count        requests served so far, not counted itself; POST /__count resets
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// maxPaths bounds the per-path counters: a test that requests endless distinct URLs
// (/items/1, /items/2, ...) must not grow the server's memory without limit.
const maxPaths = 10000

// Server is the sample API.
type Server struct {
	mux     *http.ServeMux
	handler http.Handler

	served atomic.Int64
	paths  sync.Map // URL path -> *atomic.Int64
	npaths atomic.Int64

	sessions sessions
	orders   atomic.Int64

	mu   sync.Mutex
	srv  *http.Server
	done chan struct{}
}

// New returns the sample API, not yet listening; use Handler to mount it or Start to serve it.
func New() *Server {
	s := &Server{mux: http.NewServeMux(), sessions: sessions{byToken: map[string]*session{}}}
	s.routes()
	s.handler = http.HandlerFunc(s.serve)
	return s
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /{$}", s.root)
	m.HandleFunc("GET /items/{$}", s.items)
	m.HandleFunc("GET /items/{id}", s.item)
	m.HandleFunc("POST /predict", s.predict)
	m.HandleFunc("GET /slow", s.slow)
	m.HandleFunc("GET /status/{code}", s.status)
	m.HandleFunc("GET /flaky", s.flaky)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("GET /me", s.me)
	m.HandleFunc("POST /logout", s.logout)
	m.HandleFunc("GET /products", s.items)
	m.HandleFunc("POST /cart", s.addToCart)
	m.HandleFunc("GET /cart", s.cart)
	m.HandleFunc("POST /checkout", s.checkout)
	m.HandleFunc("GET /ws", s.ws)
	m.HandleFunc("GET /__count", s.count)
	m.HandleFunc("POST /__count", s.count)
	m.HandleFunc("/", s.notFound)
}

// Handler returns the API as an http.Handler, counting every request except /__count.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/__count" {
		s.served.Add(1)
		s.countPath(r.URL.Path)
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) countPath(path string) {
	if c, ok := s.paths.Load(path); ok {
		c.(*atomic.Int64).Add(1)
		return
	}
	if s.npaths.Load() >= maxPaths {
		return
	}
	c, loaded := s.paths.LoadOrStore(path, new(atomic.Int64))
	if !loaded {
		s.npaths.Add(1)
	}
	c.(*atomic.Int64).Add(1)
}

// Start listens on addr ("127.0.0.1:0" when empty), serves in the background and returns the
// base URL, such as "http://127.0.0.1:41234".
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", errors.New("sample api: already started")
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sample api: listen %s: %w", addr, err)
	}
	s.srv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.done = make(chan struct{})
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		_ = srv.Serve(ln) // always ErrServerClosed or a listener error after Close
	}(s.srv, s.done)
	return "http://" + baseHost(ln.Addr().(*net.TCPAddr)), nil
}

// baseHost turns a wildcard listen address into one a client on this machine can dial.
func baseHost(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(a.Port))
}

// Close stops the server started by Start, dropping open connections; in-flight /slow
// requests end at once because their contexts are cancelled.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.srv, s.done = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	return err
}

// Served reports the requests served so far on every endpoint except /__count.
func (s *Server) Served() int64 { return s.served.Load() }

// ServedPath reports the requests served so far whose URL path is exactly path. Only the
// first 10,000 distinct paths are tracked; later ones count in Served alone.
func (s *Server) ServedPath(path string) int64 {
	if c, ok := s.paths.Load(path); ok {
		return c.(*atomic.Int64).Load()
	}
	return 0
}

// Reset sets every request counter back to zero; sessions, carts and orders are kept.
func (s *Server) Reset() {
	s.paths.Clear()
	s.npaths.Store(0)
	s.served.Store(0)
}

func (s *Server) count(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		s.Reset()
	}
	// A bare number is valid JSON and is what the project's counting target prints too,
	// so shell checks read either server the same way.
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "%d\n", s.Served())
}

// notFound answers like FastAPI: 405 with Allow when another method has a route, else 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		probe := *r
		probe.Method = m
		if _, pattern := s.mux.Handler(&probe); pattern != "/" && pattern != "" {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) == 0 {
		writeDetail(w, http.StatusNotFound, "Not Found")
		return
	}
	for _, m := range allow {
		w.Header().Add("Allow", m)
	}
	writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeDetail(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// jsonType is shared, never modified, so the hot endpoints allocate no header slice.
var jsonType = []string{"application/json"}

type detail struct {
	Detail string `json:"detail"`
}

func writeDetail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, detail{msg})
}
