package app

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/pglocal"
)

// OpenDB opens url (and returns the URL it opened), or without one the database "invites" on
// the PostgreSQL that pglocal finds or starts, with pool's limits (config.Pool says why idle
// connections are kept up to the open limit).
func OpenDB(ctx context.Context, url string, pool config.Pool) (*bun.DB, string, error) {
	if url == "" {
		server, err := pglocal.ServerURL(ctx, pglocal.ModuleRoot(), "")
		if err != nil {
			return nil, "", err
		}
		if url, err = pglocal.EnsureDatabase(ctx, server, "invites"); err != nil {
			return nil, "", err
		}
	}
	sqldb, err := sql.Open("pgx", url)
	if err != nil {
		return nil, "", fmt.Errorf("DATABASE_URL: %w", err)
	}
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
