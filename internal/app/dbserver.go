package app

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// newestServer makes a pool drop its connections to a server it no longer reaches first, as
// after a failover: the old primary's connections are dead, and database/sql reuses one
// without a check when it was used less than a second ago (pgx's stdlib pings only idler
// ones), failing the request on it. The pool remembers the server of its newest connection,
// and a connection to another server is pinged before its reuse, however recently it was used,
// and dropped when it does not answer. On one server it changes nothing.
type newestServer struct {
	addr atomic.Pointer[string]
}

// options are the pool's hooks that keep and use the newest connection's server.
func (s *newestServer) options() []stdlib.OptionOpenDB {
	return []stdlib.OptionOpenDB{
		stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
			addr := serverAddr(c)
			s.addr.Store(&addr)
			return nil
		}),
		stdlib.OptionShouldPing(func(_ context.Context, p stdlib.ShouldPingParams) bool {
			if p.IdleDuration > time.Second { // pgx's own rule
				return true
			}
			newest := s.addr.Load()
			return newest != nil && serverAddr(p.Conn) != *newest
		}),
	}
}

// serverAddr is the address of c's server.
func serverAddr(c *pgx.Conn) string {
	return c.PgConn().Conn().RemoteAddr().String()
}
