package mail

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// errSuppressed is the last_error of an invite email not sent because its address went on the
// suppression list (internal/delivery) after it was queued: the invite reads SUPPRESSED.
var errSuppressed = errors.New("not sent: the address is suppressed after a hard bounce or a complaint")

// suppressedColumn reads, beside an outbox row, whether it is an invite email to a suppressed
// address: createInvite and the rest refuse those addresses, but an address may be suppressed
// between the queueing and the send (a bulk invite's emails go out over minutes).
const suppressedColumn = `(?TableAlias.kind = '` + kindInvite + `' AND EXISTS (SELECT 1 FROM suppressions AS sup
	WHERE sup.email = lower(?TableAlias.recipient) AND sup.lifted_at IS NULL)) AS suppressed`

// selectOutbox selects outbox rows into model with their suppressed flag.
func selectOutbox(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("?TableColumns").ColumnExpr(suppressedColumn)
}

// recordSuppressed writes email id SUPPRESSED instead of sending it (only while it may still
// be sent); it reports whether it did.
func recordSuppressed(ctx context.Context, db bun.IDB, run runDeadlines, id uuid.UUID) (bool, error) {
	var done bool
	err := run.write(ctx, func(ctx context.Context) error {
		var err error
		done, err = record(ctx, db, id, StatusSuppressed, errSuppressed, false)
		return err
	})
	return done, err
}
