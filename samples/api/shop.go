package api

import (
	"crypto/rand"
	"net/http"
	"sync"
)

// maxSessions bounds memory when users log in again and again without logging out; past it,
// an arbitrary old session is dropped, as a real server's session store would expire one.
const maxSessions = 100000

// password is the one every sample user logs in with.
const password = "secret"

const cookieName = "session"

// session is one logged-in user and their cart (product id -> quantity). A cart holds at most
// one entry per catalog product, so it cannot grow without bound.
type session struct {
	username string
	cart     map[int]int
}

type sessions struct {
	mu      sync.Mutex
	byToken map[string]*session
}

func (ss *sessions) create(username string) string {
	token := rand.Text()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.byToken) >= maxSessions {
		for k := range ss.byToken {
			delete(ss.byToken, k)
			break
		}
	}
	ss.byToken[token] = &session{username: username, cart: map[int]int{}}
	return token
}

func (ss *sessions) delete(token string) {
	ss.mu.Lock()
	delete(ss.byToken, token)
	ss.mu.Unlock()
}

// with runs f on the request's session under the lock, or reports false when there is none.
func (ss *sessions) with(r *http.Request, f func(*session)) bool {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	sess, ok := ss.byToken[c.Value]
	if ok {
		f(sess)
	}
	return ok
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	// Locust scripts often post a form, so a form login works as well as JSON.
	if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			writeDetail(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		in.Username, in.Password = r.PostForm.Get("username"), r.PostForm.Get("password")
	} else if err := readJSON(w, r, &in); err != nil {
		writeDetail(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	if in.Username == "" || in.Password != password {
		writeDetail(w, http.StatusUnauthorized, "Invalid credentials")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: s.sessions.create(in.Username),
		Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusOK, struct {
		Username string `json:"username"`
	}{in.Username})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	var name string
	if !s.sessions.with(r, func(sess *session) { name = sess.username }) {
		writeDetail(w, http.StatusUnauthorized, "Not authenticated")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Username string `json:"username"`
	}{name})
}

// logout always succeeds, like most sites: logging out twice is not an error.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		s.sessions.delete(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	writeJSON(w, http.StatusOK, struct {
		Message string `json:"message"`
	}{"Logged out"})
}

type cartLine struct {
	item
	Qty int `json:"qty"`
}

type cartView struct {
	Items []cartLine `json:"items"`
	Total float64    `json:"total"`
}

// view lists the cart in catalog order; the total is summed in cents to avoid 0.1+0.2 noise.
func (sess *session) view() cartView {
	v := cartView{Items: []cartLine{}}
	cents := 0
	for _, it := range catalog {
		if q := sess.cart[it.ID]; q > 0 {
			v.Items = append(v.Items, cartLine{it, q})
			cents += q * int(it.Price*100+0.5)
		}
	}
	v.Total = float64(cents) / 100
	return v
}

func (s *Server) addToCart(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID *int `json:"id"`
	}
	if err := readJSON(w, r, &in); err != nil || in.ID == nil {
		writeDetail(w, http.StatusUnprocessableEntity, "id: an integer product id is required")
		return
	}
	if _, ok := findItem(*in.ID); !ok {
		writeDetail(w, http.StatusNotFound, "Product not found")
		return
	}
	var v cartView
	if !s.sessions.with(r, func(sess *session) { sess.cart[*in.ID]++; v = sess.view() }) {
		writeDetail(w, http.StatusUnauthorized, "Not authenticated")
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) cart(w http.ResponseWriter, r *http.Request) {
	var v cartView
	if !s.sessions.with(r, func(sess *session) { v = sess.view() }) {
		writeDetail(w, http.StatusUnauthorized, "Not authenticated")
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) checkout(w http.ResponseWriter, r *http.Request) {
	var v cartView
	if !s.sessions.with(r, func(sess *session) { v = sess.view(); clear(sess.cart) }) {
		writeDetail(w, http.StatusUnauthorized, "Not authenticated")
		return
	}
	if len(v.Items) == 0 {
		writeDetail(w, http.StatusBadRequest, "Cart is empty")
		return
	}
	n := 0
	for _, l := range v.Items {
		n += l.Qty
	}
	writeJSON(w, http.StatusOK, struct {
		OrderID int64   `json:"order_id"`
		Items   int     `json:"items"`
		Total   float64 `json:"total"`
	}{s.orders.Add(1), n, v.Total})
}
