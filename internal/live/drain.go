package live

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// The live triggers write their changes into the table live_changes instead of sending
// them with pg_notify (migration 20261209003000, docs/scaling.md): a transaction that sends a
// notification commits under PostgreSQL's notification queue lock, one at a time across the
// cluster, where rows commit side by side. One drainer per database, the holder of a session
// advisory lock, moves the rows into notifications on Channel, many in one transaction, and
// every replica's listener hears them as before. Every replica runs a drainer: one drains,
// the others wait to take over when its connection ends.

// DrainInterval is how long the drainer waits after finding the table empty: the most it
// adds to a change's way to its subscribers.
const DrainInterval = 10 * time.Millisecond

// drainRetry is how often a drainer that does not hold the lock tries to take it.
const drainRetry = time.Second

// drainTimeout bounds each of the drainer's statements: a connection whose server vanished
// without closing it (a failover, a network cut) would otherwise hold the drainer until TCP
// gives up, and the changes with it; the drainer reconnects instead.
const drainTimeout = 10 * time.Second

// drainBatch is the most changes one drain sends, in one transaction.
const drainBatch = 1000

// staleAfter is the age past which a change is dropped unsent: it waited for a drainer while
// none ran, and the listeners that were connected then have ended their subscribers since.
const staleAfter = "1 minute"

// drainLockSQL takes the drainer's lock for the connection's session; false if another holds it.
const drainLockSQL = `SELECT pg_try_advisory_lock(hashtextextended('live-changes-drain', 1))`

// drainSQL deletes up to drainBatch changes, oldest first, and sends those not stale, in their
// order, in its own transaction. It returns how many it deleted.
const drainSQL = `WITH d AS (
		DELETE FROM live_changes WHERE (project_id, id) IN (SELECT project_id, id FROM live_changes ORDER BY id LIMIT $1)
		RETURNING project_id, id, kind, ids, created_at),
	sent AS (
		SELECT count(pg_notify('` + Channel + `', json_build_object('k', kind, 'p', project_id, 'ids', to_json(ids))::text)) AS n
		FROM (SELECT * FROM d WHERE created_at > now() - interval '` + staleAfter + `' ORDER BY id) AS fresh)
	SELECT (SELECT count(*) FROM d), (SELECT n FROM sent)`

// Drain runs the database's drainer on connections opened from databaseURL until ctx ends:
// it takes the drain lock when free and then drains the table every DrainInterval. When its
// connection drops it reconnects with the listener's backoff (minBackoff to maxBackoff), so
// that after a failover it takes the lock on the promoted primary within seconds.
func Drain(ctx context.Context, databaseURL string, log *slog.Logger) {
	backoff := minBackoff
	for ctx.Err() == nil {
		err := drainOnce(ctx, databaseURL, func() { backoff = minBackoff })
		if ctx.Err() != nil {
			return
		}
		log.Warn("live updates: drainer lost its connection; reconnecting", "error", err, "after", backoff)
		if !sleep(ctx, backoff) {
			return
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

func drainOnce(ctx context.Context, databaseURL string, connected func()) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	connected()
	for {
		var held bool
		if err := queryRow(ctx, conn, drainLockSQL, nil, &held); err != nil {
			return err
		}
		if held {
			return drainHeld(ctx, conn)
		}
		if !sleep(ctx, drainRetry) {
			return ctx.Err()
		}
	}
}

// drainHeld drains the table while conn holds the lock, until ctx ends or conn fails.
func drainHeld(ctx context.Context, conn *pgx.Conn) error {
	for {
		var deleted, sent int
		if err := queryRow(ctx, conn, drainSQL, []any{drainBatch}, &deleted, &sent); err != nil {
			return err
		}
		if deleted == drainBatch {
			continue // more are waiting
		}
		if !sleep(ctx, DrainInterval) {
			return ctx.Err()
		}
	}
}

// queryRow runs query on conn within drainTimeout and scans its row into dest.
func queryRow(ctx context.Context, conn *pgx.Conn, query string, args []any, dest ...any) error {
	ctx, cancel := context.WithTimeout(ctx, drainTimeout)
	defer cancel()
	return conn.QueryRow(ctx, query, args...).Scan(dest...)
}

// sleep waits d, or until ctx ends: false then.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
