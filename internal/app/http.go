package app

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/delivery/providers"
	"github.com/invites/invites/internal/metrics"
	"github.com/invites/invites/internal/playground"
	"github.com/invites/invites/internal/webapp"
	"github.com/invites/invites/migrations"
)

// routes is every path the server answers: the API (with CORS), metrics, the playground, the
// web app's pages and assets, and the health checks.
func (a *App) routes(api http.Handler, meters *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", cors(a.cfg.AllowedOrigins(), api))
	mux.Handle("GET /metrics", bearerOnly(a.cfg.MetricsToken, meters.Handler()))
	pg := playground.Handler("/graphql")
	mux.Handle("GET "+playground.Path, pg)
	mux.Handle("GET "+playground.Prefix, pg)
	webapp.Mount(mux) // the app's pages at / and each route it has, its assets under /assets/
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", readyz(a.db))
	if a.hooks != nil {
		mux.Handle(providers.Prefix, a.hooks) // POST /hooks/email/<provider>
	}
	return mux
}

// readyz answers 200 when the database answers and every migration is applied.
func readyz(db *bun.DB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		pending, err := migrations.Pending(ctx, db)
		switch {
		case err != nil:
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		case pending > 0:
			http.Error(w, fmt.Sprintf("%d migrations pending", pending), http.StatusServiceUnavailable)
		default:
			fmt.Fprintln(w, "ready")
		}
	}
}

// logRequests logs each request's method, path, status and duration; never its headers,
// query or body, which carry tokens and passwords, and never the token in a page's path.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("path", withoutToken(r.URL.Path)),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}

// statusRecorder remembers the status a handler wrote, for logRequests.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush sends what was written so far: server-sent events need it.
func (r *statusRecorder) Flush() { http.NewResponseController(r.ResponseWriter).Flush() }

// tokenPages are the path prefixes of the web app's pages that end in a secret token (an
// emailed link's: /invite/, /join/, /verify-email/, /reset-password/), from its routes.
var tokenPages = func() []string {
	var prefixes []string
	for _, pattern := range webapp.Routes {
		_, path, _ := strings.Cut(pattern, " ")
		if prefix, ok := strings.CutSuffix(path, "{token}"); ok {
			prefixes = append(prefixes, prefix)
		}
	}
	return prefixes
}()

// withoutToken is path with the secret token of an emailed link's page cut off, so that a log
// never holds what would let its reader claim an invite, join, verify or reset a password.
func withoutToken(path string) string {
	for _, prefix := range tokenPages {
		if strings.HasPrefix(path, prefix) && len(path) > len(prefix) {
			return prefix + "…"
		}
	}
	return path
}

// bearerOnly asks for token as a bearer token before next; with no token, next answers anyone.
// The comparison takes the same time wherever the tokens differ.
func bearerOnly(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "a bearer token is needed (METRICS_TOKEN)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
