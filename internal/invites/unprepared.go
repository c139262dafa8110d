package invites

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// scanUnprepared runs q in tx as PostgreSQL's unnamed statement (pgx's exec mode: parse, bind
// and run in one round trip) and scans its rows into dest as q.Scan would. bun writes every
// value into the SQL text, so each statement's text is new: pgx's default mode prepares a
// named statement for each text first, a round trip more (and a DEALLOCATE once it leaves
// pgx's cache), to run it once. The single writes' statements go this way (issue 25).
func (s *core) scanUnprepared(ctx context.Context, tx bun.Tx, q interface{ String() string }, dest ...any) error {
	rows, err := tx.Tx.QueryContext(ctx, q.String(), pgx.QueryExecModeExec)
	if err != nil {
		return err
	}
	return s.db.ScanRows(ctx, rows, dest...)
}
