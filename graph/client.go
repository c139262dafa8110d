package graph

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
)

type clientAddrKey struct{}

// WithClientAddr puts the request's client address where resolvers find it, for the
// per-client limits of the domain. It is the TCP peer's address, unless the peer is one of
// the trusted proxies: then it is the right-most address of X-Forwarded-For that is not a
// trusted proxy (the left-most, where every one is). Entries left of it may be made up by
// the client, so they are never believed.
func WithClientAddr(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := ClientAddr(r, trusted)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, addr)))
	})
}

// ClientAddr returns the client address of r as WithClientAddr decides it; the zero Addr
// where the peer's address cannot be read.
func ClientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := peer.Addr().Unmap()
	if !isTrusted(addr, trusted) {
		return addr
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// Trusted proxies write well-formed entries: this one is not theirs, so the
			// client is the last hop they vouched for.
			return addr
		}
		addr = hop.Unmap()
		if !isTrusted(addr, trusted) {
			return addr
		}
	}
	return addr
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr returns the request's client address, for the domain's per-client limits.
func clientAddr(ctx context.Context) netip.Addr {
	a, _ := ctx.Value(clientAddrKey{}).(netip.Addr)
	return a
}
