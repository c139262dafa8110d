package readroute

import (
	"context"
	"database/sql/driver"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// Connector makes the read replica's pool's connections: to the replica, or, where it cannot
// be reached, to the primary for a moment (fallbackLifetime), so that a read sent to a replica
// that has just gone away is answered by the primary rather than failing while the router
// has not yet seen it go. A statement that fails on a replica's connection for want of the
// connection (isConnectionError) reports driver.ErrBadConn, which database/sql answers by
// running it again on another connection, a new one at the last try: every statement that
// reaches this pool is a read (a standby refuses writes), so running it again is safe.
//
// replica and primary are pgx's connectors (stdlib.GetConnector), the primary's with the
// settings of the primary's own pool (its exec mode behind a pooler).
func Connector(replica, primary driver.Connector) driver.Connector {
	return connector{replica: replica, primary: primary}
}

// fallbackLifetime is how long a connection made to the primary in the replica's place is
// used: past it the pool makes a new one, to the replica again once it answers.
const fallbackLifetime = time.Second

type connector struct{ replica, primary driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.replica.Connect(ctx)
	if err == nil {
		return readConn(conn, time.Time{}), nil
	}
	if ctx.Err() != nil {
		return nil, err
	}
	fallback, ferr := c.primary.Connect(ctx)
	if ferr != nil {
		return nil, err
	}
	return readConn(fallback, time.Now().Add(fallbackLifetime)), nil
}

func (c connector) Driver() driver.Driver { return c.replica.Driver() }

// readConn wraps pgx's connection (whose other methods it keeps) so that its connection
// failures are driver.ErrBadConn; expires is when a fallback connection stops being valid
// (zero for the replica's own).
func readConn(conn driver.Conn, expires time.Time) driver.Conn {
	pgxConn, ok := conn.(*stdlib.Conn)
	if !ok {
		return conn
	}
	return &replicaConn{Conn: pgxConn, expires: expires}
}

type replicaConn struct {
	*stdlib.Conn
	expires time.Time
}

func (c *replicaConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.QueryContext(ctx, query, args)
	return rows, badConn(err)
}

func (c *replicaConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.Conn.ExecContext(ctx, query, args)
	return res, badConn(err)
}

func (c *replicaConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	return tx, badConn(err)
}

// IsValid tells database/sql to drop a fallback connection once it has expired.
func (c *replicaConn) IsValid() bool {
	return c.expires.IsZero() || time.Now().Before(c.expires)
}

func badConn(err error) error {
	if isConnectionError(err) {
		return driver.ErrBadConn
	}
	return err
}
