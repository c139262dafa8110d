package graph

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"

	"github.com/invites/invites/internal/config"
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
}

// cacheEntries is how many documents each cache holds at most.
const cacheEntries = 1000

// NewHandler returns the GraphQL endpoint: POST (JSON and multipart uploads), GET and OPTIONS,
// with a parsed-query cache, automatic persisted queries and a complexity limit. It expects
// WithBearerToken around it.
func NewHandler(r *Resolver, opt HandlerOptions) http.Handler {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	lim := opt.Limits
	parsed := newQueryCache(cacheEntries, int64(lim.QueryCacheMiB)<<20)
	persisted := newPersistedQueries(cacheEntries, int64(lim.PersistedQueryCacheMiB)<<20)
	extensions := handlerExtensions(opt, parsed, persisted)

	srv := handler.New(NewExecutableSchema(Config{Resolvers: resolverRoot(r, extensions), Complexity: complexity()}))
	// Our own transports (transport.go), but for OPTIONS: gqlgen's answer errors without a
	// code and with statuses that the GraphQL over HTTP spec does not give.
	srv.AddTransport(transport.Options{})
	if r.Live != nil {
		// Subscriptions (live.go), before our own transports: SSE is a POST of JSON that asks
		// for text/event-stream only, which postJSON would otherwise take.
		keepAlive := r.Live.Limits.KeepAlive
		srv.AddTransport(transport.Websocket{
			InitFunc:              r.wsInit,
			KeepAlivePingInterval: keepAlive, // graphql-ws's "ka" messages
			PingPongInterval:      keepAlive, // graphql-transport-ws's ping, a silent client dropped
			Implementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{
				// Any origin: the connection is authenticated by the token in its
				// connection_init payload, never by a cookie, so another site's page gains
				// nothing by opening one.
				InsecureSkipVerify: true,
			}},
		})
		srv.AddTransport(sse{transport.SSE{KeepAlivePingInterval: keepAlive}})
	}
	srv.AddTransport(getQuery{})
	srv.AddTransport(postJSON{})
	srv.AddTransport(multipartForm{})
	srv.AddTransport(unsupported{})
	srv.SetQueryCache(parsed)
	srv.SetParserTokenLimit(lim.QueryTokens + 1) // documentLimits refuses more first, with its reason
	for _, e := range extensions {
		srv.Use(e)
	}
	srv.SetErrorPresenter(errorPresenter(opt.Logger))
	srv.SetRecoverFunc(recoverFunc(opt.Logger))

	return withDeadline(WithClientAddr(opt.TrustedProxies, WithBearerToken(r.withRequestLoaders(limitBody(srv, opt.MaxBodyBytes, opt.MaxUploadBytes)))), lim.RequestTimeout)
}

// handlerExtensions are the server's extensions, in the order they run: opt.Extensions
// after the limits, before the caches learn that a document passed them.
func handlerExtensions(opt HandlerOptions, parsed *queryCache, persisted persistedQueries) []graphql.HandlerExtension {
	lim := opt.Limits
	var out []graphql.HandlerExtension
	if opt.Introspection {
		out = append(out, extension.Introspection{})
	}
	out = append(out,
		persisted,
		documentLimits{bytes: lim.QueryBytes, tokens: lim.QueryTokens, aliases: lim.Aliases,
			selections: lim.Selections, directives: lim.Directives, validationCost: lim.ValidationCost, cache: parsed},
		&strictVariables{}, // before the limits, which read the variables
		extension.FixedComplexityLimit(opt.ComplexityLimit),
		depthLimit{opt.DepthLimit},
		introspectionLimit{lim.Introspection},
	)
	out = append(out, opt.Extensions...)
	return append(out, cacheValidated{parsed, persisted}, errorLimit{lim.Errors}, timedOut{lim.RequestTimeout})
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
