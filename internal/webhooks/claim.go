package webhooks

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
)

// A job claims the deliveries it is about to post: it writes its River job's id on them
// (claimed_by) with the time the claim lapses (claimed_until), in one statement that skips the
// rows another job is claiming at that moment (FOR UPDATE SKIP LOCKED) and those another
// job's live claim holds. So two jobs, on one replica or two, never post the same delivery at
// once; recording an attempt clears the claim. A job that died with deliveries claimed leaves
// them to the next job of their endpoint once the claim lapses, and to its own next run (River
// runs a job that died again, with the same id) at once.

// claimedDelivery is a delivery claimed for its attempt, with its endpoint as the claim read it.
type claimedDelivery struct {
	Delivery
	Endpoint Endpoint `bun:"ep,extend"`
}

// claimSize is how many deliveries a batch job claims at once: it posts them, records their
// outcomes in one transaction and claims the next. A process killed outright (kill -9) posts
// again, with the same webhook-id, at most the deliveries of one claim per batch job it ran.
const claimSize = 50

// claimWindow is how long a batch job posts the deliveries of one claim before it records
// what it posted and claims again: the endpoint (its URL, its secret, whether it is enabled)
// is read with each claim, so a rotation or a disabling reaches the posts within about this
// long even when the receiver is slow. The rest of the claim is claimed again first.
const claimWindow = time.Second

// claimEndpointSQL claims, as job ?0, the oldest (in the order of their events) deliveries of
// endpoint ?2 of project ?1 whose first attempt is still to be made, ?3 of them at most, for
// ?4 seconds, with the endpoint.
const claimEndpointSQL = `
UPDATE webhook_deliveries AS wd SET claimed_by = ?0, claimed_until = now() + make_interval(secs => ?4)
FROM (
	SELECT d.project_id, d.id FROM webhook_deliveries AS d
	WHERE d.project_id = ?1 AND d.endpoint_id = ?2 AND d.status = 'PENDING' AND d.attempts = 0
		AND (d.claimed_until IS NULL OR d.claimed_until < now() OR d.claimed_by = ?0)
	ORDER BY d.created_at, d.event_id, d.id
	LIMIT ?3
	FOR UPDATE SKIP LOCKED
) AS c, webhook_endpoints AS we
WHERE wd.project_id = c.project_id AND wd.id = c.id AND we.project_id = wd.project_id AND we.id = wd.endpoint_id
RETURNING wd.*, we.id AS ep__id, we.url AS ep__url, we.enabled AS ep__enabled, we.secret_encrypted AS ep__secret_encrypted`

// claimOneSQL claims, as job ?0, the delivery ?1 while it is PENDING, for ?2 seconds, with
// its endpoint.
const claimOneSQL = `
UPDATE webhook_deliveries AS wd SET claimed_by = ?0, claimed_until = now() + make_interval(secs => ?2)
FROM webhook_endpoints AS we
WHERE wd.id = ?1 AND wd.status = 'PENDING'
	AND (wd.claimed_until IS NULL OR wd.claimed_until < now() OR wd.claimed_by = ?0)
	AND we.project_id = wd.project_id AND we.id = wd.endpoint_id
RETURNING wd.*, we.id AS ep__id, we.url AS ep__url, we.enabled AS ep__enabled, we.secret_encrypted AS ep__secret_encrypted`

// claimLease is how long a claim holds: longer than any run of a job that claims (River
// cancels a run at its timeout, and the post in flight then ends within the post timeout),
// with a margin for recording the outcomes.
func (s *Service) claimLease() time.Duration {
	return s.jobTimeout + s.timeout + 10*time.Second
}

// claimBatch claims, as job, the next deliveries of endpoint a to make their first attempt,
// in the order of their events; none when there are no more, or only ones claimed by others.
func (s *Service) claimBatch(ctx context.Context, job int64, a batchArgs) ([]*claimedDelivery, error) {
	var ds []*claimedDelivery
	err := s.db.NewRaw(claimEndpointSQL, job, a.ProjectID, a.EndpointID, claimSize, s.claimLease().Seconds()).Scan(ctx, &ds)
	// RETURNING gives the rows in no set order.
	slices.SortFunc(ds, func(x, y *claimedDelivery) int {
		if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
			return c
		}
		if c := bytes.Compare(x.EventID[:], y.EventID[:]); c != 0 {
			return c
		}
		return bytes.Compare(x.ID[:], y.ID[:])
	})
	return ds, err
}

// claimOne claims delivery id, as job, for an attempt; nil when it is no longer PENDING (or
// gone with its endpoint), or another job's live claim holds it (that job posts it).
func (s *Service) claimOne(ctx context.Context, job int64, id uuid.UUID) (*claimedDelivery, error) {
	var ds []*claimedDelivery
	if err := s.db.NewRaw(claimOneSQL, job, id, s.claimLease().Seconds()).Scan(ctx, &ds); err != nil || len(ds) == 0 {
		return nil, err
	}
	return ds[0], nil
}
