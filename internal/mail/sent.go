package mail

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// A chunk's run records the emails it sent as SENT in one statement per SentBatchSize emails,
// or sooner once the oldest of them was sent SentBatchWait ago, rather than one statement per
// email: a tenth of the writes or fewer, for an at-least-once window (emails delivered
// but not yet recorded, which a crash sends again) of at most SentBatchSize emails per running
// job, sent in the last SentBatchWait and the send after it.
const (
	SentBatchSize = 10
	SentBatchWait = 100 * time.Millisecond
)

// sentBatch holds the emails that one run sent and has not yet recorded SENT.
type sentBatch struct {
	db         bun.IDB
	run        runDeadlines
	unrecorded *unrecordedSends
	log        *slog.Logger

	ids []uuid.UUID
	at  []time.Time // when each was sent
}

// add notes that email id went out now.
func (b *sentBatch) add(id uuid.UUID) {
	b.ids = append(b.ids, id)
	b.at = append(b.at, time.Now())
}

// flushIfDue records the batch once it holds SentBatchSize emails or its oldest is
// SentBatchWait old.
func (b *sentBatch) flushIfDue(ctx context.Context) error {
	if len(b.ids) >= SentBatchSize || (len(b.ids) > 0 && time.Since(b.at[0]) >= SentBatchWait) {
		return b.flush(ctx)
	}
	return nil
}

// flush records the batch's emails SENT, each with the time it went out, in one statement,
// trying again while the database fails, until the run's writeBy. Emails it cannot record are
// remembered in unrecorded, so that the next run in this process records them instead of
// sending them again; the batch is empty afterwards either way.
func (b *sentBatch) flush(ctx context.Context) error {
	if len(b.ids) == 0 {
		return nil
	}
	ids, at := b.ids, b.at
	b.ids, b.at = nil, nil
	var n int64
	err := b.run.write(ctx, func(ctx context.Context) error {
		var err error
		n, err = recordSentMany(ctx, b.db, ids, at)
		return err
	})
	if err != nil {
		for _, id := range ids {
			b.unrecorded.add(id)
		}
		return err
	}
	for _, id := range ids {
		b.unrecorded.remove(id)
	}
	if n < int64(len(ids)) {
		// Another run of the chunk recorded some first (River took this run for a dead one),
		// or this write was committed but its answer lost and the write tried again.
		b.log.WarnContext(ctx, "emails already recorded", "sent", len(ids), "recorded", n)
	}
	return nil
}

// recordSentMany records emails ids, sent at the times at, as SENT, the rows still QUEUED
// only (so that running it again changes nothing), wiping their links as record does. It
// returns how many rows it changed.
func recordSentMany(ctx context.Context, db bun.IDB, ids []uuid.UUID, at []time.Time) (int64, error) {
	res, err := db.NewRaw(`UPDATE emails AS e
		SET status = ?, attempts = e.attempts + 1, sent_at = s.at, link = '', updated_at = now()
		FROM unnest(?::uuid[], ?::timestamptz[]) AS s(id, at)
		WHERE e.id = s.id AND e.status = ?`,
		StatusSent, pgdialect.Array(ids), pgdialect.Array(at), StatusQueued).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("record %d emails as SENT: %w", len(ids), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("record %d emails as SENT: %w", len(ids), err)
	}
	return n, nil
}
