package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also the database/sql driver "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/pglocal"
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
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, "", fmt.Errorf("DATABASE_URL: %w", err)
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
	sqldb := stdlib.OpenDB(*cfg, new(newestServer).options()...)
	pool.Apply(sqldb)
	db := bun.NewDB(sqldb, pgdialect.New())
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("connect to the database: %w", err)
	}
	return db, url, nil
}
