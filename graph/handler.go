package graph

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/idempotency"
	"github.com/invites/invites/internal/invites"
)

// HandlerOptions are the GraphQL handler's settings (config.GraphQL, from config.Default or
// config.Load, taken as given) and what it runs with.
type HandlerOptions struct {
	config.GraphQL
	// Logger is nil for slog.Default().
	Logger *slog.Logger
	// Extensions are added to the server (metrics, tracing, say). A field interceptor sees
	// every field, plain scalar fields too (interceptors.go).
	Extensions []graphql.HandlerExtension
	// Retries keeps the mutations' Idempotency-Keys (idempotency.go); nil: the header is
	// ignored.
	Retries *idempotency.Store
}

// limitBody stops a request body at its cap, so that an oversized one fails to decode with a
// clear error instead of being read into memory whole.
func limitBody(next http.Handler, jsonMax, multipartMax int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		max := jsonMax
		if isMultipart(r) {
			max = multipartMax
		}
		if r.ContentLength > max {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			fmt.Fprintf(w, `{"errors":[{"message":"the request body is larger than %d bytes","extensions":{"code":"`+string(invites.BadUserInput)+`","reason":"`+reasonBodyTooLarge+`"}}]}`, max)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

func isMultipart(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "multipart/form-data")
}
