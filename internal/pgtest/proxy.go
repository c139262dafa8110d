package pgtest

import (
	"database/sql"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Proxy is a TCP proxy in front of a PostgreSQL server, for tests of what the server going
// away does to the code connected through it: Cut is an outage (every connection closed, new
// ones dropped until Restore), Freeze a server that vanished without closing anything (a host
// gone in a failover, a network cut: bytes stop, no connection errors).
type Proxy struct {
	// Addr is the proxy's address (host:port).
	Addr string
	// URL reaches the package's database through the proxy (StartProxy only).
	URL string

	target   string
	accepted int
	mu       sync.Mutex
	down     bool
	dropped  int // connections refused while down
	conns    map[net.Conn]struct{}
	frozen   map[net.Conn]bool // connections whose bytes no longer pass
}

// StartProxy starts a proxy to the package's database; it is closed at the test's end.
func StartProxy(tb testing.TB) *Proxy {
	tb.Helper()
	u, err := url.Parse(URL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	p := StartProxyTo(tb, u.Host)
	u.Host = p.Addr
	p.URL = u.String()
	return p
}

// StartProxyTo starts a proxy to the server at target (host:port); it is closed at the test's
// end.
func StartProxyTo(tb testing.TB, target string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, conns: map[net.Conn]struct{}{}, frozen: map[net.Conn]bool{}}
	go p.serve(ln)
	tb.Cleanup(func() {
		ln.Close()
		p.Cut()
	})
	return p
}

// DB opens a pool through the proxy, closed at the test's end.
func (p *Proxy) DB(tb testing.TB) *bun.DB {
	tb.Helper()
	sqldb, err := sql.Open("pgx", p.URL)
	if err != nil {
		tb.Fatal(err)
	}
	db := bun.NewDB(sqldb, pgdialect.New())
	tb.Cleanup(func() { db.Close() })
	return db
}

func (p *Proxy) serve(ln net.Listener) {
	for {
		client, err := ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		down := p.down
		if down {
			p.dropped++
		}
		p.mu.Unlock()
		if down {
			client.Close()
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns[client], p.conns[server] = struct{}{}, struct{}{}
		p.accepted++
		p.mu.Unlock()
		go p.pipe(client, server)
		go p.pipe(server, client)
	}
}

// pipe copies src to dst until either closes; once src is frozen its bytes are dropped.
func (p *Proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.isFrozen(src) {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break // EOF, or either side closed
		}
	}
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	delete(p.frozen, dst)
	delete(p.frozen, src)
	p.mu.Unlock()
}

func (p *Proxy) isFrozen(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frozen[c]
}

// Cut closes every connection through the proxy and drops new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
}

// Refused is how many connections the proxy has dropped while cut.
func (p *Proxy) Refused() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}

// Accepted is how many connections the proxy has passed on to the server.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Open is how many connections through the proxy are open.
func (p *Proxy) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns) / 2 // each is a client's and the server's
}

// Restore lets new connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// Freeze stops the bytes of every open connection, both ways, without closing any: each
// side's reads wait for ever, as with a server that vanished. New connections pass normally.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		p.frozen[c] = true
	}
}
