package graph

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// HandlerOptions tune the GraphQL handler. Zero values take the defaults noted.
type HandlerOptions struct {
	// Introspection turns on schema introspection (the playground needs it).
	Introspection bool
	// ComplexityLimit caps a query's cost: each field counts 1, and a connection 30 plus its
	// items `first` times: 5,000 (a page of 100 items with 50 fields).
	ComplexityLimit int
	// DepthLimit caps how deeply fields nest: 12.
	DepthLimit int
	// MaxBodyBytes caps a JSON request body: 4 MiB, room for a bulk invite of 10,000 rows
	// given inline.
	MaxBodyBytes int64
	// MaxUploadBytes caps a multipart request (a CSV upload): 6 MiB.
	MaxUploadBytes int64
	// TrustedProxies are the proxies whose X-Forwarded-For is believed for the client's
	// address (WithClientAddr): none.
	TrustedProxies []netip.Prefix
	Logger         *slog.Logger
	// Extensions are added to the server (metrics, say).
	Extensions []graphql.HandlerExtension
	// Limits bound a query document before it is validated, the errors of a response and a
	// request's time, and size the caches.
	Limits Limits
}

// NewHandler returns the GraphQL endpoint: POST (JSON and multipart uploads), GET and OPTIONS,
// with a parsed-query cache, automatic persisted queries and a complexity limit. It expects
// WithBearerToken around it.
func NewHandler(r *Resolver, opt HandlerOptions) http.Handler {
	if opt.ComplexityLimit <= 0 {
		opt.ComplexityLimit = 5000
	}
	if opt.DepthLimit <= 0 {
		opt.DepthLimit = 12
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = 4 << 20
	}
	if opt.MaxUploadBytes <= 0 {
		opt.MaxUploadBytes = 6 << 20
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	lim := opt.Limits.withDefaults()

	srv := handler.New(NewExecutableSchema(Config{Resolvers: r, Complexity: complexity()}))
	// Our own transports (transport.go), but for OPTIONS: gqlgen's answer errors without a
	// code and with statuses that the GraphQL over HTTP spec does not give.
	srv.AddTransport(transport.Options{})
	srv.AddTransport(getQuery{})
	srv.AddTransport(postJSON{})
	srv.AddTransport(multipartForm{})
	srv.AddTransport(unsupported{})
	parsed := newQueryCache(cacheEntries, int64(lim.QueryCacheMiB)<<20)
	persisted := newPersistedQueries(cacheEntries, int64(lim.PersistedQueryCacheMiB)<<20)
	srv.SetQueryCache(parsed)
	srv.SetParserTokenLimit(lim.QueryTokens + 1) // documentLimits refuses more first, with its reason
	if opt.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(persisted)
	srv.Use(documentLimits{bytes: lim.QueryBytes, tokens: lim.QueryTokens, aliases: lim.Aliases,
		selections: lim.Selections, directives: lim.Directives, validationCost: lim.ValidationCost, cache: parsed})
	srv.Use(&strictVariables{}) // before the limits, which read the variables
	srv.Use(extension.FixedComplexityLimit(opt.ComplexityLimit))
	srv.Use(depthLimit{opt.DepthLimit})
	srv.Use(introspectionLimit{lim.Introspection})
	for _, e := range opt.Extensions {
		srv.Use(e)
	}
	srv.Use(cacheValidated{parsed, persisted})
	srv.Use(errorLimit{lim.Errors})
	srv.Use(timedOut{lim.RequestTimeout})
	srv.SetErrorPresenter(errorPresenter(opt.Logger))
	srv.SetRecoverFunc(recoverFunc(opt.Logger))

	return withDeadline(WithClientAddr(opt.TrustedProxies, WithBearerToken(r.withRequestLoaders(limitBody(srv, opt.MaxBodyBytes, opt.MaxUploadBytes)))), lim.RequestTimeout)
}

// withRequestLoaders gives each request its own dataloaders.
func (r *Resolver) withRequestLoaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		next.ServeHTTP(w, req.WithContext(r.withLoaders(req.Context())))
	})
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
			fmt.Fprintf(w, `{"errors":[{"message":"the request body is larger than %d bytes","extensions":{"code":"BAD_USER_INPUT","reason":"`+reasonBodyTooLarge+`"}}]}`, max)
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
