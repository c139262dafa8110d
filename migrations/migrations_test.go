package migrations_test

import (
	"context"
	"testing"

	"github.com/invites/invites/internal/pgtest"
	"github.com/invites/invites/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestUp(t *testing.T) {
	db := pgtest.DB(t)
	ctx := context.Background()

	t.Run("AppliesEverything", func(t *testing.T) {
		n, err := migrations.Pending(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("pending migrations = %d, want 0", n)
		}
		for _, table := range []string{"users", "sessions", "projects", "project_members", "emails", "river_job"} {
			var exists bool
			if err := db.QueryRowContext(ctx, "SELECT to_regclass(?) IS NOT NULL", table).Scan(&exists); err != nil {
				t.Fatal(err)
			}
			if !exists {
				t.Errorf("table %s is missing", table)
			}
		}
	})

	t.Run("IsIdempotentUnderConcurrency", func(t *testing.T) {
		errs := make(chan error, 3)
		for range 3 {
			go func() { errs <- migrations.Up(ctx, db) }()
		}
		for range 3 {
			if err := <-errs; err != nil {
				t.Fatalf("second Up: %v", err)
			}
		}
	})
}
