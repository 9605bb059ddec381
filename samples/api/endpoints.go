package api

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// item is one entry of the catalog served as /items/ and /products.
type item struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

var catalog = []item{
	{1, "apple", 0.5},
	{2, "pear", 0.75},
	{3, "plum", 0.3},
	{4, "mango", 1.2},
	{5, "kiwi", 0.4},
}

// The bodies of the seed's two endpoints are fixed, so they are encoded once: these are the
// endpoints benchmarks hammer.
var (
	rootBody    = []byte(`{"message":"Hello World"}`)
	catalogBody = mustJSON(catalog)
)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func findItem(id int) (item, bool) {
	for _, it := range catalog {
		if it.ID == id {
			return it, true
		}
	}
	return item{}, false
}

func (s *Server) root(w http.ResponseWriter, _ *http.Request) {
	writeRaw(w, http.StatusOK, rootBody)
}

func (s *Server) items(w http.ResponseWriter, _ *http.Request) {
	writeRaw(w, http.StatusOK, catalogBody)
}

func (s *Server) item(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, "id: must be an integer")
		return
	}
	it, ok := findItem(id)
	if !ok {
		writeDetail(w, http.StatusNotFound, "Item not found")
		return
	}
	writeJSON(w, http.StatusOK, it)
}

// maxBody caps what a request body may hold, so a careless script cannot exhaust memory.
const maxBody = 1 << 20

// readJSON decodes the whole body into v; trailing garbage is an error, as in FastAPI.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return errors.New("body: field required")
	}
	return json.Unmarshal(b, v)
}

func (s *Server) predict(w http.ResponseWriter, r *http.Request) {
	var in struct {
		X *[]float64 `json:"x"`
	}
	if err := readJSON(w, r, &in); err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if in.X == nil || len(*in.X) == 0 {
		writeDetail(w, http.StatusUnprocessableEntity, "x: a non-empty list of numbers is required")
		return
	}
	sum := 0.0
	for _, x := range *in.X {
		sum += x
	}
	y := sum / float64(len(*in.X))
	if math.IsInf(y, 0) || math.IsNaN(y) {
		writeDetail(w, http.StatusUnprocessableEntity, "x: the mean overflows")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Y     float64 `json:"y"`
		Model string  `json:"model"`
	}{y, "mean-v1"})
}

// maxSlow keeps a typo such as ms=3000000 from holding a connection for an hour.
const maxSlow = 30 * time.Second

func (s *Server) slow(w http.ResponseWriter, r *http.Request) {
	ms := 0
	if q := r.URL.Query().Get("ms"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 {
			writeDetail(w, http.StatusUnprocessableEntity, "ms: must be a non-negative integer")
			return
		}
		ms = n
	}
	d := min(time.Duration(ms)*time.Millisecond, maxSlow)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return // the client went away; nobody reads an answer
	}
	writeJSON(w, http.StatusOK, struct {
		SleptMS int64 `json:"slept_ms"`
	}{d.Milliseconds()})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	code, err := strconv.Atoi(r.PathValue("code"))
	if err != nil || code < 200 || code > 599 {
		writeDetail(w, http.StatusUnprocessableEntity, "code: must be an integer from 200 to 599")
		return
	}
	if code == http.StatusNoContent || code == http.StatusNotModified {
		w.WriteHeader(code) // these may carry no body
		return
	}
	writeJSON(w, code, struct {
		Status int `json:"status"`
	}{code})
}

func (s *Server) flaky(w http.ResponseWriter, r *http.Request) {
	p := 0.3
	if q := r.URL.Query().Get("p"); q != "" {
		f, err := strconv.ParseFloat(q, 64)
		if err != nil || !(f >= 0 && f <= 1) {
			writeDetail(w, http.StatusUnprocessableEntity, "p: must be a number from 0 to 1")
			return
		}
		p = f
	}
	if rand.Float64() < p {
		writeDetail(w, http.StatusInternalServerError, "flaky failure")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		OK bool `json:"ok"`
	}{true})
}
