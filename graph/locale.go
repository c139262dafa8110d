package graph

import (
	"context"
	"net/http"
)

type acceptLanguageKey struct{}

// withAcceptLanguage puts the request's Accept-Language header where resolvers find it: the
// language of an invite that names none, and of a new account (SPEC §17).
func withAcceptLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		al := r.Header.Get("Accept-Language")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), acceptLanguageKey{}, al)))
	})
}

// acceptLanguage returns the request's Accept-Language header; "" where none was sent.
func acceptLanguage(ctx context.Context) string {
	al, _ := ctx.Value(acceptLanguageKey{}).(string)
	return al
}
