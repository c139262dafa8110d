package pgtest_test

import (
	"context"
	"testing"

	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestCountingDB(t *testing.T) {
	ctx := context.Background()
	db, c := pgtest.CountingDB(t)
	var n int
	if err := db.NewRaw("SELECT 1").Scan(ctx, &n); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Tx.ExecContext(ctx, "SELECT $1::text[]", []string{"a", "b"}); err != nil {
		t.Fatalf("a slice argument through the counting driver: %v", err)
	}
	tx.Rollback()
	if got := c.Count(); got != 2 {
		t.Errorf("Count = %d (%q), want 2: transaction control not counted", got, c.Statements())
	}
	c.Reset()
	if c.Count() != 0 {
		t.Error("Reset kept statements")
	}
}
