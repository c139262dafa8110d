package app

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also the database/sql driver "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/internal/readroute"
)

// OpenDB opens url (and returns the URL it opened), or without one the database "invites" on
// the PostgreSQL that pglocal finds or starts, with pool's limits (config.Pool says why idle
// connections are kept up to the open limit).
func OpenDB(ctx context.Context, url string, pool config.Pool) (*bun.DB, string, error) {
	return openDB(ctx, url, pool, false)
}

// openDB is OpenDB; pooled says that url is a transaction pooler (PgBouncer), whose server
// connections change between transactions: its statements then go in pgx's exec mode (below).
func openDB(ctx context.Context, url string, pool config.Pool, pooled bool) (*bun.DB, string, error) {
	if url == "" {
		server, err := pglocal.ServerURL(ctx, pglocal.ModuleRoot(), "")
		if err != nil {
			return nil, "", err
		}
		if url, err = pglocal.EnsureDatabase(ctx, server, "invites"); err != nil {
			return nil, "", err
		}
	}
	db, err := newPool(url, pool, pooled)
	if err != nil {
		return nil, "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("connect to the database: %w", err)
	}
	return db, url, nil
}

// openReadDB opens the read replica's pool (DATABASE_READ_URL) without connecting: a replica
// that is down at start-up is one the reads do without until it answers (internal/readroute).
// Where the replica cannot be reached, its connections are made to primaryURL (pooled as the
// primary's own pool is) for a moment (readroute.Connector).
func openReadDB(url, primaryURL string, pool config.Pool, pooled bool) (*bun.DB, error) {
	replica, err := connConfig(url, false)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_READ_URL: %w", err)
	}
	primary, err := connConfig(primaryURL, pooled)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	sqldb := sql.OpenDB(readroute.Connector(stdlib.GetConnector(*replica), stdlib.GetConnector(*primary)))
	pool.Apply(sqldb)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// newPool is url's pool, its connections made as they are needed.
func newPool(url string, pool config.Pool, pooled bool) (*bun.DB, error) {
	cfg, err := connConfig(url, pooled)
	if err != nil {
		return nil, err
	}
	sqldb := stdlib.OpenDB(*cfg)
	pool.Apply(sqldb)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// connConfig is url's connection settings; pooled: statements in pgx's exec mode (below).
func connConfig(url string, pooled bool) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if pooled && !strings.Contains(url, "default_query_exec_mode") {
		// pgx's default caches a named prepared statement per query and connection: through a
		// transaction pooler the next use may land on a server connection that never saw it
		// ("prepared statement stmtcache_… does not exist"). Exec sends each statement as the
		// unnamed one, parsed, bound and run in one round trip, so it never outlives the
		// transaction; the parameters' types come from their Go types, as with a direct URL.
		// (cache_describe also uses the unnamed statement but caches result descriptions per
		// connection, which a schema change behind the pooler can make stale; the simple
		// protocol interpolates parameters on the client.) A default_query_exec_mode in the
		// URL is kept.
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	return cfg, nil
}
