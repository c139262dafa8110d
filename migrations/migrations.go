// Package migrations holds the database schema as embedded, timestamped SQL files and applies
// them, together with the tables of the River job queue, at start-up.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

//go:embed *.sql
var files embed.FS

// Migrations is the project's own schema, discovered from the embedded SQL files.
var Migrations = migrate.NewMigrations()

func init() {
	if err := Migrations.Discover(files); err != nil {
		panic(err)
	}
}

// lockKey is the advisory lock that serialises migrations when several replicas start at once.
const lockKey = 7_283_461_001

// Up applies every migration not yet applied: River's tables first (the outbox enqueues jobs),
// then the project's own. Replicas starting together wait for each other on an advisory lock.
func Up(ctx context.Context, db *bun.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", lockKey); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", lockKey) //nolint:errcheck

	if err := upRiver(ctx, db.DB); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	m := migrate.NewMigrator(db, Migrations, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return err
	}
	if _, err := m.Migrate(ctx); err != nil {
		return err
	}
	return nil
}

func upRiver(ctx context.Context, sqlDB *sql.DB) error {
	rm, err := rivermigrate.New(riverdatabasesql.New(sqlDB), nil)
	if err != nil {
		return err
	}
	_, err = rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// Pending reports how many of the project's migrations are not applied yet; readiness needs 0.
func Pending(ctx context.Context, db *bun.DB) (int, error) {
	var initialised bool
	if err := db.QueryRowContext(ctx, "SELECT to_regclass('bun_migrations') IS NOT NULL").Scan(&initialised); err != nil {
		return 0, err
	}
	if !initialised {
		return len(Migrations.Sorted()), nil
	}
	m := migrate.NewMigrator(db, Migrations)
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return 0, err
	}
	return len(ms.Unapplied()), nil
}
