package config

import (
	"database/sql"
	"time"
)

// Pool sizes database/sql's connection pool. Idle connections are kept up to the open limit
// by default: with database/sql's own idle default of 2, every request beyond the second at
// once opened a PostgreSQL session and closed it again (0.3 new sessions per member-page
// request at 10 clients, each costing PostgreSQL tens of milliseconds of CPU).
type Pool struct {
	// MaxConns is how many connections are open at most. DB_MAX_CONNS.
	MaxConns int
	// MaxIdleConns is how many idle connections are kept for the next request, at most
	// MaxConns; 0: none. DB_MAX_IDLE_CONNS (unset: DB_MAX_CONNS).
	MaxIdleConns int
	// ConnMaxLifetime: a connection is closed and replaced after this. DB_CONN_MAX_LIFETIME.
	ConnMaxLifetime time.Duration
	// ConnMaxIdleTime: an idle connection is closed after this. DB_CONN_MAX_IDLE_TIME.
	ConnMaxIdleTime time.Duration
}

// Apply sizes db's pool: the server's and the tests' databases are pooled alike, so that a
// test that runs many queries at once meets the same cap as the server.
func (p Pool) Apply(db *sql.DB) {
	db.SetMaxOpenConns(p.MaxConns)
	db.SetMaxIdleConns(p.MaxIdleConns)
	db.SetConnMaxLifetime(p.ConnMaxLifetime)
	db.SetConnMaxIdleTime(p.ConnMaxIdleTime)
}
