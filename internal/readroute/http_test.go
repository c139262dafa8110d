package readroute

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestMiddleware_CookieCarriesTheWrite: the answer to a POST that committed sets the cookie
// with the primary's position, and a later request that carries it reads on the primary while
// the replica lacks the write, though its token and address are new to this process (as on
// another server); without the cookie the same request reads the replica.
func TestMiddleware_CookieCarriesTheWrite(t *testing.T) {
	t.Parallel()
	r := startRouted(t, time.Hour)
	r.waitRoute(t, WithSession(context.Background(), 0, "token:probe"), TargetReplica, ReasonCaughtUp)
	r.cluster.Standby.PauseReplay()

	type seen struct {
		standby bool
		notes   int
		where   [2]string
	}
	var got seen
	h := r.Middleware(func(req *http.Request) string { return req.Header.Get("X-Client") }, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodPost {
			r.write(t, req.Context(), 1)
			w.Write([]byte("written")) //nolint:errcheck
			return
		}
		got.standby, got.notes, got.where = r.read(t, req.Context())
	}))

	post := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	post.Header.Set("Authorization", "Bearer writer")
	post.Header.Set("X-Client", "10.0.0.1")
	answer := httptest.NewRecorder()
	h.ServeHTTP(answer, post)
	var cookie *http.Cookie
	for _, c := range answer.Result().Cookies() {
		if c.Name == CookieName {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatalf("the answer to a committed POST sets no %s cookie: %v", CookieName, answer.Header())
	}
	if lsn := r.cookieLSN(cookie.Value); lsn == 0 || !cookie.HttpOnly {
		t.Fatalf("cookie %s = %q (HttpOnly %v): want a position, HttpOnly", CookieName, cookie.Value, cookie.HttpOnly)
	}

	read := func(withCookie bool) seen {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		req.Header.Set("Authorization", "Bearer another-session")
		req.Header.Set("X-Client", "10.0.0.2")
		if withCookie {
			req.AddCookie(cookie)
		}
		got = seen{}
		h.ServeHTTP(httptest.NewRecorder(), req)
		return got
	}
	if s := read(true); s.standby || s.notes != 1 || s.where != [2]string{TargetPrimary, ReasonReadYourWrites} {
		t.Errorf("a read with the cookie: %+v; want the primary's 1 note for read-your-writes", s)
	}
	if s := read(false); !s.standby || s.notes != 0 || s.where != [2]string{TargetReplica, ReasonCaughtUp} {
		t.Errorf("the same read without the cookie: %+v; want the replica's 0 notes", s)
	}
}

// TestMiddleware_CookieSigned: the cookie a committed POST gets is signed with the
// configured key, and a request carrying it has its position; an unsigned position (the
// cookie before it was signed), a tampered one, one signed with another key and garbage all
// say nothing. Without a key no cookie is set nor believed.
func TestMiddleware_CookieSigned(t *testing.T) {
	const wrote = LSN(0x16B3748)
	serve := func(r *Router, method, cookie string) (after LSN, set []*http.Cookie) {
		t.Helper()
		h := r.Middleware(func(*http.Request) string { return "10.0.0.1" }, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			rq := requestFrom(req.Context())
			after = rq.after
			if req.Method == http.MethodPost {
				rq.wrote.Store(uint64(wrote))
			}
			w.Write([]byte("ok")) //nolint:errcheck
		}))
		req := httptest.NewRequest(method, "/graphql", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
		}
		answer := httptest.NewRecorder()
		h.ServeHTTP(answer, req)
		return after, answer.Result().Cookies()
	}
	r := New(nil, nil, Config{CookieKey: []byte("key one")})
	_, set := serve(r, http.MethodPost, "")
	if len(set) != 1 || set[0].Name != CookieName {
		t.Fatalf("a committed POST sets cookies %v, want one %s", set, CookieName)
	}
	signed := set[0].Value
	position, mac, _ := strings.Cut(signed, ".")
	if position != wrote.String() || mac == "" {
		t.Fatalf("cookie value %q, want %s and a signature", signed, wrote)
	}
	if got, _ := serve(r, http.MethodGet, signed); got != wrote {
		t.Errorf("with the signed cookie: position %s, want %s", got, wrote)
	}
	forged := map[string]string{
		"unsigned":              wrote.String(),
		"tampered position":     "FFFFFFFF/0." + mac,
		"empty signature":       wrote.String() + ".",
		"another key's":         New(nil, nil, Config{CookieKey: []byte("key two")}).cookieValue(wrote),
		"garbage":               "not a cookie",
		"signature of position": mac + "." + position,
	}
	for name, value := range forged {
		if got, _ := serve(r, http.MethodGet, value); got != 0 {
			t.Errorf("%s cookie %q: position %s, want none", name, value, got)
		}
	}
	unkeyed := New(nil, nil, Config{})
	if got, set := serve(unkeyed, http.MethodPost, signed); got != 0 || len(set) != 0 {
		t.Errorf("without a key: position %s and cookies %v, want neither", got, set)
	}
}
