package graph

import (
	"context"
	"net/http"
	"net/netip"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// The caps on live connections, per replica: each open WebSocket connection and SSE stream
// holds one place of its client address (from the handshake on, so that sockets that never
// authenticate are bounded too) and, once authenticated, one of its user.

// connCounts counts the live connections open per key (a user, a client address).
type connCounts[K comparable] struct {
	mu sync.Mutex
	n  map[K]int
}

// take counts one more connection of key, or reports false where key already has limit.
// release gives the place back; it may be called more than once.
func (c *connCounts[K]) take(key K, limit int) (release func(), ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[K]int{}
	}
	if c.n[key] >= limit {
		return nil, false
	}
	c.n[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.n[key]--; c.n[key] <= 0 {
				delete(c.n, key)
			}
		})
	}, true
}

// capped is a live transport whose requests each hold a place of their client address while
// they are served: beyond LIVE_CONNECTIONS_PER_ADDRESS the request is answered 429 before any
// upgrade or stream starts.
type capped struct {
	graphql.Transport
	live *Live
}

// capPerAddress wraps a live transport (WebSocket, SSE) in the per-address cap.
func (l *Live) capPerAddress(t graphql.Transport) graphql.Transport { return capped{t, l} }

func (t capped) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	addr := clientAddr(r.Context())
	if !addr.IsValid() {
		// No address to count under (a peer on a Unix socket): counting all such
		// clients as one would let one of them lock out the rest.
		t.Transport.Do(w, r, exec)
		return
	}
	release, ok := t.live.addrs.take(addrKey(addr), t.live.Limits.ConnectionsPerAddress)
	if !ok {
		sendLiveRefusal(w, r, exec, http.StatusTooManyRequests, invites.RateLimited,
			"too many live connections from this address: at most %d; close one first", t.live.Limits.ConnectionsPerAddress)
		return
	}
	place := &addrPlace{release: release}
	t.Transport.Do(w, r.WithContext(context.WithValue(r.Context(), addrPlaceKey{}, place)), exec)
	place.done()
}

// addrPlace is the place of a live request's client address. It is given back when the
// request's handler returns, unless the transport took it to give back itself (a WebSocket
// served after its handler has returned: wsconn.go).
type addrPlace struct {
	mu      sync.Mutex
	release func()
	taken   bool
}

type addrPlaceKey struct{}

// takeAddrPlace takes ctx's place of its client address away from the handler: the caller
// gives it back with the function returned (a no-op where the request holds none).
func takeAddrPlace(ctx context.Context) (release func()) {
	p, _ := ctx.Value(addrPlaceKey{}).(*addrPlace)
	if p == nil {
		return func() {}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.taken = true
	return p.release
}

// done gives the place back unless the transport took it.
func (p *addrPlace) done() {
	p.mu.Lock()
	taken := p.taken
	p.mu.Unlock()
	if !taken {
		p.release()
	}
}

// addrKey is what a client address is counted under, as the domain's per-client limits count
// it: an IPv4 address as it is, an IPv6 address by its /64 (one subscriber's network, whose
// host has 2^64 addresses to rotate through).
func addrKey(a netip.Addr) netip.Prefix {
	a = a.Unmap()
	bits := 64
	if a.Is4() {
		bits = 32
	}
	p, _ := a.Prefix(bits)
	return p
}

// sendLiveRefusal answers a live request refused before it started, with one error of code.
func sendLiveRefusal(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, status int, code invites.Code, format string, args ...any) {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": string(code)}
	ctx := graphql.WithOperationContext(r.Context(), &graphql.OperationContext{})
	write(w, responseMediaType(r), status, exec.DispatchError(ctx, gqlerror.List{err}))
}
