package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/uptrace/bun"
)

// Inserter enqueues jobs in the caller's transaction: a job is worked only once that
// transaction commits, and a rollback drops it with everything else the transaction wrote.
// It is a River client that works nothing (insert-only), so that it exists before the client
// that works the jobs, whose workers enqueue through it too.
//
// Jobs inserted here take their settings (queue, attempts) from their own InsertOpts, or
// River's defaults: each kind of job says what it needs.
type Inserter struct {
	client *river.Client[*sql.Tx]
}

// insertNotifyCooldown is the least time between two insert NOTIFYs of one queue.
const insertNotifyCooldown = 24 * time.Hour

// NewInserter returns the process's Inserter on db.
func NewInserter(db *bun.DB) (*Inserter, error) {
	// River sends a NOTIFY with an insert at most once per queue and FetchCooldown, to wake
	// listening workers; ours poll (PollOnly: River over database/sql does not LISTEN), so that
	// NOTIFY wakes no one and only costs the inserting transaction a turn on PostgreSQL's
	// notification queue lock at commit (issue 25). A day's cooldown all but stops it.
	client, err := river.NewClient(riverdatabasesql.New(db.DB), &river.Config{
		FetchCooldown: insertNotifyCooldown, FetchPollInterval: insertNotifyCooldown,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: insert-only river client: %w", err)
	}
	return &Inserter{client: client}, nil
}

// Insert enqueues one job in tx, with opts (nil: the job's own InsertOpts).
func (i *Inserter) Insert(ctx context.Context, tx bun.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := i.client.InsertTx(ctx, tx.Tx, args, opts)
	return err
}

// InsertMany enqueues jobs in tx in one statement whatever their number (River's COPY);
// none for none.
func (i *Inserter) InsertMany(ctx context.Context, tx bun.Tx, jobs []river.InsertManyParams) error {
	if len(jobs) == 0 {
		return nil
	}
	_, err := i.client.InsertManyFastTx(ctx, tx.Tx, jobs)
	return err
}
