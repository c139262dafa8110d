// Package dnstest runs a real DNS server (github.com/miekg/dns) on loopback that answers TXT
// queries from records a test sets, so that domain verification is tested through real DNS
// messages (DNS_RESOLVER pointing at Addr) and not through a stub.
package dnstest

import (
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Server answers TXT questions for the names it holds; any other name is NXDOMAIN.
type Server struct {
	// Addr is the server's host:port on 127.0.0.1 (UDP and TCP).
	Addr string

	mu      sync.Mutex
	records map[string][]string
	udp     *dns.Server
	tcp     *dns.Server
}

// bindAttempts bounds the tries for a port free over both UDP and TCP: a port the system
// gives free for UDP may be held on TCP by another program's connection (the machine is
// shared, and tests hold many connections to the database).
const bindAttempts = 50

// Start listens on a free loopback port, over UDP and TCP, until Close.
func Start() (*Server, error) {
	pc, ln, err := listenBoth()
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: pc.LocalAddr().String(), records: map[string][]string{}}
	started := make(chan struct{}, 2)
	notify := func() { started <- struct{}{} }
	s.udp = &dns.Server{PacketConn: pc, Handler: s, NotifyStartedFunc: notify}
	s.tcp = &dns.Server{Listener: ln, Handler: s, NotifyStartedFunc: notify}
	go func() { _ = s.udp.ActivateAndServe() }()
	go func() { _ = s.tcp.ActivateAndServe() }()
	<-started
	<-started
	return s, nil
}

// listenBoth listens on one loopback port over UDP and TCP, trying other ports while the
// TCP side of the one given for UDP is taken.
func listenBoth() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range bindAttempts {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
	}
	return nil, nil, lastErr
}

// Close stops the server.
func (s *Server) Close() {
	_ = s.udp.Shutdown()
	_ = s.tcp.Shutdown()
}

// SetTXT makes name answer the TXT records values (none: the name is gone).
func (s *Server) SetTXT(name string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := dns.Fqdn(strings.ToLower(name))
	if len(values) == 0 {
		delete(s.records, key)
		return
	}
	s.records[key] = append([]string(nil), values...)
}

// ServeDNS answers one query.
func (s *Server) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	if len(r.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := r.Question[0]
	s.mu.Lock()
	values, ok := s.records[strings.ToLower(q.Name)]
	s.mu.Unlock()
	if !ok {
		m.Rcode = dns.RcodeNameError
	} else if q.Qtype == dns.TypeTXT {
		for _, v := range values {
			hdr := dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}
			m.Answer = append(m.Answer, &dns.TXT{Hdr: hdr, Txt: splitTXT(v)})
		}
	}
	_ = w.WriteMsg(m)
}

// splitTXT cuts v into the 255-byte strings a TXT record holds.
func splitTXT(v string) []string {
	var out []string
	for len(v) > 255 {
		out = append(out, v[:255])
		v = v[255:]
	}
	return append(out, v)
}
