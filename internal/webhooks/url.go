package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"

	"code.dny.dev/ssrf"

	"github.com/invites/invites/internal/invites"
)

// urlRules are the rules of an endpoint's URL (SPEC §13): https, or http to a loopback
// address when loopback is allowed; no host that resolves to a private, link-local or
// loopback address (loopback passes when allowed). They are checked at registration on every
// address the host resolves to, and at each delivery on the address actually dialled, so that
// a name that resolves elsewhere later (DNS rebinding) is refused too.
type urlRules struct {
	allowLoopback bool
	resolver      *net.Resolver
}

// MaxURLLength is the longest endpoint URL accepted, in bytes: what browsers and proxies
// commonly accept, and what keeps a listing of endpoints small whatever a user stored.
const MaxURLLength = 2048

// check validates raw at registration: BAD_USER_INPUT naming url.
func (r urlRules) check(ctx context.Context, raw string) (string, error) {
	if len(raw) > MaxURLLength {
		return "", invites.Invalid("url", "the URL is longer than %d characters", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", invites.Invalid("url", "the URL is not an absolute http(s) URL")
	}
	if u.User != nil {
		return "", invites.Invalid("url", "the URL may not carry a user name or password")
	}
	if u.Fragment != "" {
		return "", invites.Invalid("url", "the URL may not have a fragment")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", invites.Invalid("url", "the URL must be https")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", invites.Invalid("url", "the URL's port %s is not from 1 to 65535", p)
		}
	}
	addrs, err := r.resolve(ctx, u.Hostname())
	if err != nil {
		return "", invites.Invalid("url", "the URL's host %q does not resolve", u.Hostname())
	}
	for _, a := range addrs {
		if err := r.allowed(a, u.Scheme); err != nil {
			return "", invites.Invalid("url", "the URL's host %q: %v", u.Hostname(), err)
		}
	}
	// What is stored is the URL as Go writes it, whose escapes can make it longer than the
	// input; the cap (and the table's CHECK) holds for it too.
	stored := u.String()
	if len(stored) > MaxURLLength {
		return "", invites.Invalid("url", "the URL, escaped, is longer than %d characters", MaxURLLength)
	}
	return stored, nil
}

func (r urlRules) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	addrs, err := r.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, errors.New("no address")
	}
	return addrs, nil
}

// errAddress is a refused address, at registration or dial time.
var errAddress = errors.New("address refused")

// addressError says why an address is refused.
type addressError struct{ msg string }

func (e *addressError) Error() string     { return e.msg }
func (e *addressError) Is(err error) bool { return err == errAddress }

func refused(format string, args ...any) error { return &addressError{fmt.Sprintf(format, args...)} }

// publicAddresses refuses every address of IANA's special-purpose registries (private,
// loopback, link-local, shared, documentation, benchmarking, reserved, multicast, broadcast,
// "this network") and every IPv6 address outside global unicast, which takes in the forms
// that embed an IPv4 address: NAT64 (64:ff9b::/96), IPv4-mapped and -translated (::ffff:…),
// IPv4-compatible (::a.b.c.d), and site-local fec0::/10; 6to4 (2002::/16) is refused too. The
// table is generated from the registries by code.dny.dev/ssrf, so that it stays current
// without a hand list here. Ports are checked by urlRules.check (any of 1-65535).
var publicAddresses = ssrf.New(ssrf.WithAnyPort())

// allowed decides whether an address may be posted to over scheme.
func (r urlRules) allowed(a netip.Addr, scheme string) error {
	if loopback := a.Unmap(); loopback.IsLoopback() {
		if !r.allowLoopback {
			return refused("%s is a loopback address", a)
		}
		return nil
	}
	if err := publicAddresses.SafeAddr(a); err != nil {
		return refused("%s is not a public address", a)
	}
	if scheme != "https" {
		return refused("http is allowed only to a loopback address; use https")
	}
	return nil
}

type schemeKey struct{}

// dialer dials only addresses the rules allow, judged on the address connected to; the URL's
// scheme comes in the context (withScheme).
func (r urlRules) dialer() *net.Dialer {
	return &net.Dialer{
		ControlContext: func(ctx context.Context, network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return refused("%s", address)
			}
			scheme, _ := ctx.Value(schemeKey{}).(string)
			return r.allowed(ap.Addr(), scheme)
		},
	}
}

func withScheme(ctx context.Context, scheme string) context.Context {
	return context.WithValue(ctx, schemeKey{}, scheme)
}
