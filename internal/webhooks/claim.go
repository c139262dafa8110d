package webhooks

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Two jobs, on one replica or two, never post the same delivery at once.
//
// A batch job locks the deliveries it is about to post (FOR UPDATE SKIP LOCKED) in a
// transaction that it commits once it has recorded their outcomes: another batch skips them
// meanwhile, and a process that dies releases them with its connection, for the next job of
// their endpoint (the job itself, which River runs again, or any other) to post at once. Such a
// transaction holds one of the pool's connections while it posts, so a process runs at most
// claimTransactions of them at once; other batch jobs wait their turn.
//
// The job of one delivery (deliverArgs) posts it outside a transaction, so it claims it instead:
// it writes its River job's id on the row (claimed_by) with the time the claim lapses
// (claimed_until); a batch skips a delivery under such a claim, and recording the attempt
// clears it.

// claimedDelivery is a delivery claimed for its attempt, with its endpoint as the claim read it.
type claimedDelivery struct {
	Delivery
	Endpoint Endpoint `bun:"ep"`
}

// claimSize is how many deliveries a batch job locks at once: it posts them, records their
// outcomes and commits, then claims the next. A process killed outright (kill -9) posts again,
// with the same webhook-id, at most the deliveries of the claims each batch it was posting had
// open (claimLanes).
const claimSize = 50

// claimWindow is how long a batch job posts the deliveries of one claim before it records
// what it posted and claims again: the endpoint (its URL, its secret, whether it is enabled)
// is read with each claim, and the claim's rows stay locked until then, so a rotation or a
// disabling reaches the posts within about this long even when the receiver is slow.
const claimWindow = time.Second

// claimTransactions is how many batch claims a process holds open at once, each on a
// connection of the pool (DB_MAX_CONNS, 20 by default) while it posts.
const claimTransactions = 4

// claimBatchSQL locks, for the transaction, the oldest (in the order of their events)
// deliveries of endpoint ?1 of project ?0 whose first attempt is still to be made, ?2 of them
// at most, skipping those another transaction holds or another job claimed, with the endpoint.
const claimBatchSQL = `
SELECT wd.*, we.id AS ep__id, we.url AS ep__url, we.enabled AS ep__enabled, we.secret_encrypted AS ep__secret_encrypted
FROM webhook_deliveries AS wd
JOIN webhook_endpoints AS we ON we.project_id = wd.project_id AND we.id = wd.endpoint_id
WHERE wd.project_id = ?0 AND wd.endpoint_id = ?1 AND wd.status = 'PENDING' AND wd.attempts = 0
	AND (wd.claimed_until IS NULL OR wd.claimed_until < now())
ORDER BY wd.created_at, wd.event_id, wd.id
LIMIT ?2
FOR UPDATE OF wd SKIP LOCKED`

// claimOneSQL claims, as job ?0, the delivery ?1 while it is PENDING and due, for ?2 seconds,
// with its endpoint. A job runs when its delivery's next attempt is due (River schedules it
// then); one that finds it not due has been overtaken: the delivery's first attempt was made by
// a batch, whose job of its own makes the next.
const claimOneSQL = `
UPDATE webhook_deliveries AS wd SET claimed_by = ?0, claimed_until = now() + make_interval(secs => ?2)
FROM webhook_endpoints AS we
WHERE wd.id = ?1 AND wd.status = 'PENDING' AND (wd.next_attempt_at IS NULL OR wd.next_attempt_at <= now())
	AND (wd.claimed_until IS NULL OR wd.claimed_until < now() OR wd.claimed_by = ?0)
	AND we.project_id = wd.project_id AND we.id = wd.endpoint_id
RETURNING wd.*, we.id AS ep__id, we.url AS ep__url, we.enabled AS ep__enabled, we.secret_encrypted AS ep__secret_encrypted`

// claimLease is how long the claim of a delivery's job holds: longer than any run of the job
// (a post and the writes around it), so that a live run is never taken for a dead one.
func (s *Service) claimLease() time.Duration {
	return s.timeout + 20*time.Second
}

// claimBatch locks in tx the next deliveries of endpoint a to make their first attempt, in the
// order of their events; none when there are no more, or only ones that others hold.
func (s *Service) claimBatch(ctx context.Context, tx bun.Tx, a batchArgs) ([]*claimedDelivery, error) {
	var ds []*claimedDelivery
	err := tx.NewRaw(claimBatchSQL, a.ProjectID, a.EndpointID, claimSize).Scan(ctx, &ds)
	return ds, err
}

// claimOne claims delivery id, as job, for an attempt; nil when it is no longer PENDING (or
// gone with its endpoint), not due, or another job's live claim holds it (that job posts it).
func (s *Service) claimOne(ctx context.Context, job int64, id uuid.UUID) (*claimedDelivery, error) {
	var ds []*claimedDelivery
	if err := s.db.NewRaw(claimOneSQL, job, id, s.claimLease().Seconds()).Scan(ctx, &ds); err != nil || len(ds) == 0 {
		return nil, err
	}
	return ds[0], nil
}
