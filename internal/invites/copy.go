package invites

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"
)

// copier streams rows into a table with PostgreSQL's COPY, inside the transaction that runs on
// conn: a bulk write of tens of thousands of rows costs a fraction of an INSERT of the same
// rows, and stays one statement. It needs the pgx driver under database/sql, which is what the
// service runs on.
type copier struct {
	conn bun.Conn
}

// pgxConner is pgx's database/sql connection (stdlib.Conn), or a wrapper that embeds it.
type pgxConner interface {
	Conn() *pgx.Conn
}

// copyFrom writes the rows of src into table's columns in one COPY. pgx reads src in a
// goroutine of its own as it sends: a source that makes each row when asked (pgx.CopyFromFunc)
// overlaps the making of the rows with PostgreSQL's writing of the ones before, holds no more
// than one row at a time, and may give the same values slice for every row, since each row
// is encoded before the next is asked for.
func (c copier) copyFrom(ctx context.Context, table string, columns []string, src pgx.CopyFromSource) error {
	// Raw hands over the connection that the transaction runs on (database/sql holds it for
	// the transaction), between the transaction's statements: the COPY is part of it.
	return c.conn.Raw(func(driverConn any) error {
		pc, ok := driverConn.(pgxConner)
		if !ok {
			return fmt.Errorf("copy into %s: the database driver is %T, not pgx", table, driverConn)
		}
		_, err := pc.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, src)
		return err
	})
}

// pgUUID is id as pgx encodes it without detours: uuid.UUID is a driver.Valuer, which pgx
// turns into a string and parses back, with several allocations, for every value.
func pgUUID(id uuid.UUID) pgtype.UUID {
	return pgtype.UUID{Bytes: id, Valid: true}
}

// pgTime is t as pgx encodes it directly; a time.Time is wrapped, with an allocation, each
// time it is encoded.
func pgTime(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t, Valid: true}
}

// pgText is s as a text value.
func pgText(s string) pgtype.Text {
	return pgtype.Text{String: s, Valid: true}
}

// pgTextOrNull is pgText(*s), or NULL for nil and for "".
func pgTextOrNull(s *string) pgtype.Text {
	if s == nil || *s == "" {
		return pgtype.Text{}
	}
	return pgText(*s)
}

// inCopyTx runs fn in a transaction on one connection held for it, with a copier that writes
// into that transaction.
func (s *core) inCopyTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx, cp copier) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(ctx, tx, copier{conn})
	})
}

// queryBound runs query, whose placeholders are PostgreSQL's ($1, $2, ...), in tx with args
// bound as binary parameters, for the bulk path's arrays of thousands of values. bun writes
// its arguments into the SQL text: 10,000 emails are half a megabyte of SQL for bun to quote
// and PostgreSQL to parse, in every statement that names them.
//
// The query is planned with each call's values (pgx's describe-exec mode: the unnamed
// statement, never a named one). A prepared statement switches, from its sixth run on a
// connection, to a generic plan, in which "x = ANY($1)" is a filter that compares each row
// with every element of the array: 10,000 x 10,000 comparisons, 1.4 to 1.9 s where the plan
// made for the values hashes the array.
func queryBound(ctx context.Context, tx bun.Tx, query string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(ctx, query, append([]any{pgx.QueryExecModeDescribeExec}, args...)...)
}
