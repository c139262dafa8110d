package webhooks

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/invites"
)

// eventNames and eventTypeNames are eventTypes as two arrays, the query's parameters.
var eventNames, eventTypeNames = func() ([]string, []string) {
	var names, types []string
	for _, e := range eventTypes {
		names, types = append(names, e.Event), append(types, e.Type)
	}
	return names, types
}()

// queueSQL writes, in one statement whatever the number of events, a delivery for each pair
// of an event with a webhook type and an enabled endpoint of its project that wants it, with
// its payload rendered from what the transaction sees: ids, emails, names, roles and times,
// never a token or secret.
const queueSQL = `
INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, created_at, next_attempt_at)
SELECT gen_random_uuid(), ep.id, ev.id, t.type,
	jsonb_build_object('type', t.type, 'timestamp', ev.created_at, 'data', jsonb_build_object(
		'eventId', ev.id,
		'projectId', ev.project_id,
		'email', ev.email,
		'actor', CASE WHEN a.id IS NULL THEN NULL ELSE jsonb_build_object('id', a.id, 'email', a.email, 'name', a.name) END,
		'invite', CASE WHEN i.id IS NULL THEN NULL ELSE jsonb_build_object('id', i.id, 'email', i.email, 'name', i.name,
			'role', i.role, 'status', i.status, 'externalId', i.external_id, 'expiresAt', i.expires_at, 'createdAt', i.created_at) END,
		'member', CASE WHEN m.id IS NULL THEN NULL ELSE jsonb_build_object('userId', u.id, 'email', u.email, 'name', u.name,
			'role', m.role, 'externalId', m.external_id) END)),
	ev.created_at, ev.created_at
FROM activity_events AS ev
JOIN unnest(?::text[], ?::text[]) AS t (name, type) ON t.name = ev.name
JOIN webhook_endpoints AS ep ON ep.project_id = ev.project_id AND ep.enabled
	AND (cardinality(ep.events) = 0 OR t.type = ANY (ep.events))
LEFT JOIN invites AS i ON i.id = ev.invite_id
LEFT JOIN users AS a ON a.id = ev.actor_id
LEFT JOIN users AS u ON u.email = ev.email
LEFT JOIN project_members AS m ON m.project_id = ev.project_id AND m.user_id = u.id
WHERE ev.id = ANY (?::uuid[])
RETURNING id`

// bulkSQL is queueSQL for a bulk invite's events, and in the same statement a
// bulk_invite.completed delivery with the batch's counts to each endpoint that wants it.
const bulkSQL = `
WITH ev AS (` + queueSQL + `),
done AS (
INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, created_at, next_attempt_at)
SELECT gen_random_uuid(), ep.id, ?::uuid, 'bulk_invite.completed',
	jsonb_build_object('type', 'bulk_invite.completed', 'timestamp', ?::timestamptz, 'data', jsonb_build_object(
		'bulkId', ?::uuid, 'projectId', ep.project_id, 'total', ?::int, 'newInvitations', ?::int,
		'existingInvitations', ?::int, 'existingMembers', ?::int, 'failed', ?::int, 'externalIdsUpdated', ?::int)),
	?::timestamptz, ?::timestamptz
FROM webhook_endpoints AS ep
WHERE ep.project_id = ? AND ep.enabled AND (cardinality(ep.events) = 0 OR 'bulk_invite.completed' = ANY (ep.events))
RETURNING id)
SELECT id FROM ev UNION ALL SELECT id FROM done`

// BulkRecorded is Recorded for a bulk invite, with its bulk_invite.completed delivery (counts
// only) written by the same statement.
func (s *Service) BulkRecorded(ctx context.Context, tx bun.Tx, eventIDs []uuid.UUID, b invites.BulkRecord) error {
	var ids []uuid.UUID
	bulkID := uuid.Must(uuid.NewV7())
	sum := b.Summary
	err := tx.NewRaw(bulkSQL, pgdialect.Array(eventNames), pgdialect.Array(eventTypeNames), pgdialect.Array(eventIDs),
		bulkID, b.At, bulkID, sum.Total, sum.NewInvitations, sum.ExistingInvitations, sum.ExistingMembers, sum.Failed,
		sum.ExternalIDsUpdated, b.At, b.At, b.ProjectID).Scan(ctx, &ids)
	if err != nil {
		return fmt.Errorf("webhooks: queue bulk deliveries: %w", err)
	}
	return s.insertJobs(ctx, tx, ids)
}

// Recorded queues the deliveries of the events with these ids in tx (invites.EventHook): the
// rows and the River jobs that post them, in two statements whatever their number, the
// second only when there is a delivery. A rollback drops them with the events.
func (s *Service) Recorded(ctx context.Context, tx bun.Tx, eventIDs []uuid.UUID) error {
	var ids []uuid.UUID
	err := tx.NewRaw(queueSQL, pgdialect.Array(eventNames), pgdialect.Array(eventTypeNames), pgdialect.Array(eventIDs)).Scan(ctx, &ids)
	if err != nil {
		return fmt.Errorf("webhooks: queue deliveries: %w", err)
	}
	return s.insertJobs(ctx, tx, ids)
}

// insertJobs inserts the jobs that post the deliveries ids, in one statement (none for none).
func (s *Service) insertJobs(ctx context.Context, tx bun.Tx, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	jobs := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		jobs[i] = river.InsertManyParams{Args: deliverArgs{DeliveryID: id}}
	}
	if _, err := s.client.InsertManyFastTx(ctx, tx.Tx, jobs); err != nil {
		return fmt.Errorf("webhooks: queue delivery jobs: %w", err)
	}
	return nil
}

// failedSQL writes, in one statement whatever the number of emails, an invite.delivery_failed
// delivery for each email failed for good that is its project invite's latest (invites.email_id)
// to each enabled endpoint of the project that wants it. Its event id is the email's: one
// email fails for good once. Invites to the service alone have no project, so no endpoint.
const failedSQL = `
INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, created_at, next_attempt_at)
SELECT gen_random_uuid(), ep.id, e.id, 'invite.delivery_failed',
	jsonb_build_object('type', 'invite.delivery_failed', 'timestamp', e.updated_at, 'data', jsonb_build_object(
		'eventId', e.id,
		'projectId', i.project_id,
		'email', i.email,
		'reason', e.last_error,
		'invite', jsonb_build_object('id', i.id, 'email', i.email, 'name', i.name,
			'role', i.role, 'status', i.status, 'externalId', i.external_id, 'expiresAt', i.expires_at, 'createdAt', i.created_at))),
	e.updated_at, e.updated_at
FROM emails AS e
JOIN invites AS i ON i.email_id = e.id AND i.project_id IS NOT NULL
JOIN webhook_endpoints AS ep ON ep.project_id = i.project_id AND ep.enabled
	AND (cardinality(ep.events) = 0 OR 'invite.delivery_failed' = ANY (ep.events))
WHERE e.id = ANY (?::uuid[]) AND e.status = 'FAILED_PERMANENT'
RETURNING id`

// EmailsFailed queues the invite.delivery_failed deliveries of these emails in tx, which has
// just written them FAILED_PERMANENT (mail.FailureHook): two statements whatever their number.
func (s *Service) EmailsFailed(ctx context.Context, tx bun.Tx, emailIDs []uuid.UUID) error {
	var ids []uuid.UUID
	if err := tx.NewRaw(failedSQL, pgdialect.Array(emailIDs)).Scan(ctx, &ids); err != nil {
		return fmt.Errorf("webhooks: queue delivery_failed deliveries: %w", err)
	}
	return s.insertJobs(ctx, tx, ids)
}
