package invites

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// TXTResolver looks up the TXT records of a name; a name with none answers an empty list and
// no error. DNSResolver is the server's; tests give one that asks a DNS server on loopback.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// DNSResolver asks one DNS server (host:port) over UDP, falling back to TCP for a truncated
// answer, with github.com/miekg/dns. An empty Addr asks the system's first nameserver
// (/etc/resolv.conf).
type DNSResolver struct {
	Addr string
}

// LookupTXT asks for name's TXT records.
func (r DNSResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	addr, err := r.server()
	if err != nil {
		return nil, err
	}
	msg := new(dns.Msg)
	msg.SetQuestion(dns.Fqdn(name), dns.TypeTXT)
	msg.RecursionDesired = true
	client := &dns.Client{Timeout: 5 * time.Second}
	in, _, err := client.ExchangeContext(ctx, msg, addr)
	if err == nil && in.Truncated {
		client.Net = "tcp"
		in, _, err = client.ExchangeContext(ctx, msg, addr)
	}
	if err != nil {
		return nil, fmt.Errorf("dns: ask %s for %s: %w", addr, name, err)
	}
	switch in.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return nil, fmt.Errorf("dns: %s answered %s for %s", addr, dns.RcodeToString[in.Rcode], name)
	}
	var out []string
	for _, rr := range in.Answer {
		if txt, ok := rr.(*dns.TXT); ok {
			out = append(out, strings.Join(txt.Txt, ""))
		}
	}
	return out, nil
}

func (r DNSResolver) server() (string, error) {
	if r.Addr != "" {
		return r.Addr, nil
	}
	conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
	if err != nil || len(conf.Servers) == 0 {
		return "", fmt.Errorf("dns: no DNS_RESOLVER and no nameserver in /etc/resolv.conf: %v", err)
	}
	return net.JoinHostPort(conf.Servers[0], conf.Port), nil
}
