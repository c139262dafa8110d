package readroute

import (
	"context"
	"net/http"
	"net/http/httptest"
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
	if lsn, err := ParseLSN(cookie.Value); err != nil || lsn == 0 || !cookie.HttpOnly {
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
