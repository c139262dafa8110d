package pgtest_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

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

// A COPY through pgx beneath database/sql counts as one statement.
func TestCountingDB_Copy(t *testing.T) {
	ctx := context.Background()
	db, c := pgtest.CountingDB(t)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE TEMP TABLE copied (n int)"); err != nil {
		t.Fatal(err)
	}
	err = conn.Raw(func(driverConn any) error {
		pc := driverConn.(interface{ Conn() *pgx.Conn }).Conn()
		_, err := pc.CopyFrom(ctx, pgx.Identifier{"copied"}, []string{"n"}, pgx.CopyFromRows([][]any{{1}, {2}, {3}}))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Count(); got != 2 {
		t.Errorf("Count = %d (%q), want 2: the CREATE and one COPY", got, c.Statements())
	}
	if got := c.Statements()[1]; got != `COPY "copied" (n) FROM STDIN` {
		t.Errorf("statement %q, want the COPY named", got)
	}
}
