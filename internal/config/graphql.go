package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// GraphQL is the GraphQL handler's settings. Every limit is positive: Load refuses 0.
type GraphQL struct {
	// Introspection turns on schema introspection (the playground needs it). INTROSPECTION.
	Introspection bool
	// ComplexityLimit caps a query's cost: each field counts 1, and a connection 30 plus its
	// items `first` (or `last`) times (5,000: a page of 100 items with 50 fields).
	// COMPLEXITY_LIMIT.
	ComplexityLimit int
	// DepthLimit caps how deeply fields nest (introspection not counted). DEPTH_LIMIT.
	DepthLimit int
	// MaxBodyBytes caps a JSON request body: room for a bulk invite of 10,000 rows given
	// inline (not read from the environment).
	MaxBodyBytes int64
	// MaxUploadBytes caps a multipart request, a CSV upload (not read from the environment).
	MaxUploadBytes int64
	// TrustedProxies are the proxies whose X-Forwarded-For is believed for the client's
	// address; empty: none, the TCP peer is the client. TRUSTED_PROXIES.
	TrustedProxies []netip.Prefix
	// Limits bound a query document before it is validated, the errors of a response and a
	// request's time, and size the caches.
	Limits Limits
	// Live bounds the subscriptions (live updates).
	Live Live
}

// Live bounds the subscriptions served over WebSocket and server-sent events, per replica.
type Live struct {
	// SubscriptionsPerConnection caps the subscriptions open at once on one WebSocket
	// connection (an SSE request carries one). LIVE_SUBSCRIPTIONS_PER_CONNECTION.
	SubscriptionsPerConnection int
	// ConnectionsPerUser caps one user's live connections (WebSocket connections and SSE
	// streams) open at once on one replica. LIVE_CONNECTIONS_PER_USER.
	ConnectionsPerUser int
	// ConnectionsPerAddress caps the live connections (WebSocket connections and SSE
	// streams, anonymous ones included) open at once from one client address on one
	// replica; beyond it the handshake is answered 429. LIVE_CONNECTIONS_PER_ADDRESS.
	ConnectionsPerAddress int
	// InitTimeout is how long a WebSocket connection may wait before its connection_init;
	// then it is closed with 4408. LIVE_INIT_TIMEOUT.
	InitTimeout time.Duration
	// AnonymousIdleTimeout is how long a WebSocket connection initialised without a token
	// may stay open with no operation running; then it is closed.
	// LIVE_ANONYMOUS_IDLE_TIMEOUT.
	AnonymousIdleTimeout time.Duration
	// KeepAlive is how often an idle stream gets a keep-alive (a WebSocket ping, an SSE
	// comment). LIVE_KEEPALIVE.
	KeepAlive time.Duration
	// Buffer is how many changes a subscriber may fall behind before its stream is ended
	// rather than slowing the others (not read from the environment).
	Buffer int
}

// Limits bound what one request may cost before any expensive work: a query document's size
// is checked on its text, before validation, whose cost grows with the square of a selection.
type Limits struct {
	// QueryBytes caps a query document's length (large inputs go in variables).
	// QUERY_BYTES_LIMIT.
	QueryBytes int
	// QueryTokens caps a document's tokens (names, punctuation, values, comments).
	// QUERY_TOKEN_LIMIT.
	QueryTokens int
	// Aliases caps the aliased fields in a document. ALIAS_LIMIT.
	Aliases int
	// Selections caps the fields one selection set collects, its fragments expanded.
	// SELECTION_LIMIT.
	Selections int
	// Directives caps the directives on one field, fragment or operation. DIRECTIVE_LIMIT.
	Directives int
	// ValidationCost caps the work of validating a document: each field counts 1 (fragments
	// expanded where they are spread), plus 1 for every other field merged with it under the
	// same response name, which validation compares it with. VALIDATION_COST_LIMIT.
	ValidationCost int
	// Introspection caps the `__schema` and `__type` fields of an operation.
	// INTROSPECTION_LIMIT.
	Introspection int
	// Errors caps the errors of a response; the rest are counted in
	// extensions.errorsOmitted. ERROR_LIMIT.
	Errors int
	// RequestTimeout ends a request's work. REQUEST_TIMEOUT.
	RequestTimeout time.Duration
	// QueryCacheMiB bounds the parsed-query cache (1,000 documents) in memory.
	// QUERY_CACHE_MIB.
	QueryCacheMiB int
	// PersistedQueryCacheMiB bounds the automatic persisted queries (1,000) in memory.
	// APQ_CACHE_MIB.
	PersistedQueryCacheMiB int
}

// ParseTrustedProxies reads TRUSTED_PROXIES: CIDRs or single addresses, separated by commas
// or spaces. Empty means none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an address", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// defaultGraphQL is Default's GraphQL.
func defaultGraphQL() GraphQL {
	return GraphQL{
		Introspection:   true,
		ComplexityLimit: 5000,
		DepthLimit:      12,
		MaxBodyBytes:    4 << 20,
		MaxUploadBytes:  6 << 20,
		Limits: Limits{
			QueryBytes:             64 << 10,
			QueryTokens:            5000,
			Aliases:                100,
			Selections:             100,
			Directives:             10,
			ValidationCost:         50000,
			Introspection:          5,
			Errors:                 100,
			RequestTimeout:         30 * time.Second,
			QueryCacheMiB:          32,
			PersistedQueryCacheMiB: 16,
		},
		Live: Live{
			SubscriptionsPerConnection: 20,
			ConnectionsPerUser:         10,
			ConnectionsPerAddress:      100,
			InitTimeout:                10 * time.Second,
			AnonymousIdleTimeout:       time.Minute,
			KeepAlive:                  15 * time.Second,
			Buffer:                     256,
		},
	}
}
