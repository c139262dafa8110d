package graph

// The GraphQL handler's pipeline, assembled in the order a request meets it. Each part lives in
// a file of its own; this file only puts them together, and says why each stands where it does:
//
//  1. HTTP wrappers (wrapHTTP): the request's deadline, its client address and bearer token,
//     its Idempotency-Key, and the cap on its body.
//  2. Transports (addTransports): the first one whose Supports takes the request serves it.
//  3. gqlgen's executor, whose phases are fixed: the operation-parameter mutators (persisted
//     queries, document limits), then parsing (through the parsed-query cache), validation and
//     variable coercion, then the operation-context mutators in the order added (strict
//     variables, the limits, opt.Extensions, the caches' filling), then the operation and
//     response interceptors, the first added outermost. handlerExtensions lists them.
//  4. The error presenter and the recover func (errors.go): every error of a response, and
//     every panic of a resolver, goes through them.

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
)

// cacheEntries is how many documents each cache holds at most.
const cacheEntries = 1000

// NewHandler returns the GraphQL endpoint: POST (JSON and multipart uploads), GET and OPTIONS,
// with a parsed-query cache, automatic persisted queries and a complexity limit. It expects
// WithBearerToken around it.
func NewHandler(r *Resolver, opt HandlerOptions) http.Handler {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if r.Live != nil {
		r.Live.Hub.SetFanout(r.fanOut) // fanout.go: each change read once per project
	}
	lim := opt.Limits
	parsed := newQueryCache(cacheEntries, int64(lim.QueryCacheMiB)<<20)
	persisted := newPersistedQueries(cacheEntries, int64(lim.PersistedQueryCacheMiB)<<20)

	extensions := handlerExtensions(r, opt, parsed, persisted)

	// A field interceptor (tracing, say) must see every field: with one installed, the plain
	// fields that leanexec makes marshal directly take gqlgen's own path (interceptors.go).
	srv := handler.New(NewExecutableSchema(Config{Resolvers: resolverRoot(r, extensions), Complexity: complexity(r.endpointLimit())}))
	addTransports(srv, r, lim.RequestTimeout)
	// gqlgen parses through the cache, but a document enters it only once every limit has
	// passed it (cacheValidated, below), so that a cached document skips the limits safely.
	srv.SetQueryCache(parsed)
	srv.SetParserTokenLimit(lim.QueryTokens + 1) // documentLimits refuses more first, with its reason
	for _, e := range extensions {
		srv.Use(e)
	}
	srv.SetErrorPresenter(errorPresenter(opt.Logger))
	srv.SetRecoverFunc(recoverFunc(opt.Logger))
	return wrapHTTP(r, srv, opt)
}

// addTransports adds the transports in the order gqlgen tries them. GET and POST are our own
// (transport.go): gqlgen's answer errors without a code and with statuses that the GraphQL
// over HTTP spec does not give. OPTIONS is gqlgen's.
func addTransports(srv *handler.Server, r *Resolver, timeout time.Duration) {
	srv.AddTransport(transport.Options{})
	if r.Live != nil {
		// Subscriptions (live.go), before our own transports: a WebSocket handshake is a GET,
		// which getQuery would otherwise take, and SSE is a POST of JSON that asks for
		// text/event-stream only, which postJSON would otherwise take. Each stream holds a
		// place of its client address (livecaps.go). graphql-transport-ws is ours
		// (wsproto.go); gqlgen's transport serves the legacy graphql-ws subprotocol.
		keepAlive := r.Live.Limits.KeepAlive
		srv.AddTransport(r.Live.capPerAddress(wsTransport{r}))
		srv.AddTransport(r.Live.capPerAddress(legacyTransport{transport.Websocket{
			InitFunc:              r.wsInit,
			InitTimeout:           r.Live.Limits.InitTimeout,
			KeepAlivePingInterval: keepAlive, // graphql-ws's "ka" messages
			Implementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{
				InsecureSkipVerify: true, // as wsTransport's
			}},
		}}))
		srv.AddTransport(r.Live.capPerAddress(sse{transport.SSE{KeepAlivePingInterval: keepAlive}}))
	}
	// A POST of JSON that asks for multipart/mixed first (Apollo Client's subscriptions and
	// @defer; multipartmixed.go), which postJSON would otherwise take. A stream too, it holds
	// a place of its client address like the others.
	var multipart graphql.Transport = newMultipartMixed(r, timeout)
	if r.Live != nil {
		multipart = r.Live.capPerAddress(multipart)
	}
	srv.AddTransport(multipart)
	srv.AddTransport(getQuery{})
	srv.AddTransport(postJSON{})
	srv.AddTransport(multipartForm{})
	srv.AddTransport(unsupported{}) // last: it takes every request, to answer 405 or 415
}

// handlerExtensions are the server's extensions, in the order they are added. Within each of
// gqlgen's phases that order is the order they run in (interceptors: the first is outermost).
func handlerExtensions(r *Resolver, opt HandlerOptions, parsed *queryCache, persisted persistedQueries) []graphql.HandlerExtension {
	lim := opt.Limits
	var out []graphql.HandlerExtension
	if opt.Introspection {
		out = append(out, extension.Introspection{}) // it only allows __schema and __type
	}
	out = append(out,
		// Before parsing (operation-parameter mutators): the persisted query first, so that
		// the document limits measure the text that a hash stands for.
		persisted,
		documentLimits{bytes: lim.QueryBytes, tokens: lim.QueryTokens, aliases: lim.Aliases,
			selections: lim.Selections, directives: lim.Directives, validationCost: lim.ValidationCost, cache: parsed},
		// After validation (operation-context mutators), each able to refuse the operation.
		&strictVariables{}, // before the limits, which read the variables
		extension.FixedComplexityLimit(opt.ComplexityLimit),
		depthLimit{opt.DepthLimit},
		introspectionLimit{lim.Introspection},
	)
	// The caller's (metrics): a mutator among them sees only operations within the limits;
	// a response interceptor wraps errorLimit, and so counts the errors as they are sent.
	out = append(out, opt.Extensions...)
	return append(out,
		// Last of the mutators: a document is cached, and its hash remembered, only once
		// nothing can refuse it any more (documentLimits skips a cached document).
		cacheValidated{parsed, persisted},
		// An operation interceptor: each operation checks its token anew (auth.go).
		freshAuth{},
		// A response interceptor: it also sees the request errors (the transports send them
		// through the executor), where one invalid document can make thousands.
		errorLimit{lim.Errors},
		// The innermost response interceptor: each response (an answer, or one event of a
		// subscription) resolves with dataloaders of its own, never a connection's.
		freshLoaders{r},
		// The operation interceptor, outside the response: it answers when the deadline
		// (wrapHTTP's withDeadline) passed before the response was made.
		timedOut{lim.RequestTimeout},
	)
}

// wrapHTTP puts the HTTP wrappers around the server, the first named outermost:
//   - withDeadline (requestlimits.go): the deadline covers everything after it; a
//     subscription's stream is exempt, and so is a request for multipart/mixed, whose
//     transport sets the deadline itself once it knows the operation.
//   - WithClientAddr (client.go) and WithBearerToken (auth.go) only put the client's address
//     and token where resolvers find them (the token is checked when one asks for the viewer);
//     they may come in either order. The dataloaders are no wrapper's: a request may be a
//     socket that lives for hours, so each response gets its own (freshLoaders, loaders.go).
//   - withRetries (idempotency.go) only puts a POST's Idempotency-Key where the transports
//     find it: they claim the key once they know the request is a mutation that will run
//     (parsed, validated, within the limits), which no wrapper can know. It stands inside
//     WithBearerToken and WithClientAddr, whose token and address say whose key it is, and
//     inside withDeadline, which bounds its database work with the request's.
//   - limitBody, nearest the server: the transports read the body, so its cap is set first.
func wrapHTTP(r *Resolver, srv http.Handler, opt HandlerOptions) http.Handler {
	h := limitBody(srv, opt.MaxBodyBytes, opt.MaxUploadBytes)
	h = r.withRetries(opt.Retries, opt.Logger, h)
	h = WithBearerToken(h)
	h = WithClientAddr(opt.TrustedProxies, h)
	h = withAcceptLanguage(h)
	return withDeadline(h, opt.Limits.RequestTimeout)
}
