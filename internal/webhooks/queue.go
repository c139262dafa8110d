package webhooks

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/jobs"
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
// never a token or secret. It returns each delivery's endpoint.
const queueSQL = `
INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, event_type, payload, created_at, next_attempt_at)
SELECT gen_random_uuid(), ep.project_id, ep.id, ev.id, t.type,
	jsonb_build_object('type', t.type, 'timestamp', ev.created_at, 'data', jsonb_build_object(
		'eventId', ev.id,
		'projectId', ev.project_id,
		'email', ev.email,
		'reason', ev.detail,
		'actor', CASE WHEN a.id IS NULL THEN NULL ELSE jsonb_build_object('id', a.id, 'email', a.email, 'name', a.name) END,
		'invite', CASE WHEN i.id IS NULL THEN NULL ELSE jsonb_build_object('id', i.id, 'email', i.email, 'name', i.name,
			'role', i.role, 'status', i.status, 'externalId', i.external_id, 'expiresAt', i.expires_at, 'createdAt', i.created_at) END,
		'member', CASE WHEN m.id IS NULL THEN NULL ELSE jsonb_build_object('userId', u.id, 'email', u.email, 'name', u.name,
			'role', m.role, 'externalId', m.external_id) END)),
	ev.created_at, ev.created_at
FROM activity_events AS ev
JOIN unnest($1::text[], $2::text[]) AS t (name, type) ON t.name = ev.name
JOIN webhook_endpoints AS ep ON ep.project_id = ev.project_id AND ep.enabled
	AND (cardinality(ep.events) = 0 OR t.type = ANY (ep.events))
LEFT JOIN invites AS i ON i.project_id = ev.project_id AND i.id = ev.invite_id
LEFT JOIN users AS a ON a.id = ev.actor_id
LEFT JOIN users AS u ON u.email = ev.email
LEFT JOIN project_members AS m ON m.project_id = ev.project_id AND m.user_id = u.id
WHERE ev.id = ANY ($3::uuid[])
RETURNING project_id, endpoint_id`

// bulkSQL is queueSQL for a bulk invite's events, and in the same statement a
// bulk_invite.completed delivery with the batch's counts to each endpoint that wants it.
const bulkSQL = `
WITH ev AS (` + queueSQL + `),
done AS (
INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, event_type, payload, created_at, next_attempt_at)
SELECT gen_random_uuid(), ep.project_id, ep.id, $4::uuid, 'bulk_invite.completed',
	jsonb_build_object('type', 'bulk_invite.completed', 'timestamp', $5::timestamptz, 'data', jsonb_build_object(
		'bulkId', $4::uuid, 'projectId', ep.project_id, 'total', $6::int, 'newInvitations', $7::int,
		'existingInvitations', $8::int, 'existingMembers', $9::int, 'failed', $10::int, 'externalIdsUpdated', $11::int)),
	$5::timestamptz, $5::timestamptz
FROM webhook_endpoints AS ep
WHERE ep.project_id = $12::uuid AND ep.enabled AND (cardinality(ep.events) = 0 OR 'bulk_invite.completed' = ANY (ep.events))
RETURNING project_id, endpoint_id)
SELECT project_id, endpoint_id FROM ev UNION SELECT project_id, endpoint_id FROM done`

// Hook queues the deliveries of events in the transactions that record them: it is the
// domain's invites.EventHook and the email queue's mail.FailureHook. The deliveries are
// posted by the Service's workers (Service.Work) once the transaction commits.
type Hook struct {
	jobs *jobs.Inserter
}

// NewHook returns the Hook that inserts its jobs through ins.
func NewHook(ins *jobs.Inserter) *Hook { return &Hook{jobs: ins} }

// BulkRecorded is Recorded for a bulk invite, with its bulk_invite.completed delivery (counts
// only) written by the same statement.
func (h *Hook) BulkRecorded(ctx context.Context, tx bun.Tx, eventIDs []uuid.UUID, b invites.BulkRecord) error {
	bulkID := uuid.Must(uuid.NewV7())
	sum := b.Summary
	eps, err := queryEndpoints(ctx, tx, bulkSQL, eventNames, eventTypeNames, pgUUIDs(eventIDs),
		pgUUID(bulkID), b.At, sum.Total, sum.NewInvitations, sum.ExistingInvitations, sum.ExistingMembers, sum.Failed,
		sum.ExternalIDsUpdated, pgUUID(b.ProjectID))
	if err != nil {
		return fmt.Errorf("webhooks: queue bulk deliveries: %w", err)
	}
	return h.insertJobs(ctx, tx, eps)
}

// Recorded queues the deliveries of the events with these ids in tx (invites.EventHook): the
// rows and the River jobs that post them (one per endpoint, batch.go), in two statements
// whatever their number, the second only when there is a delivery. A rollback drops them with
// the events.
func (h *Hook) Recorded(ctx context.Context, tx bun.Tx, eventIDs []uuid.UUID) error {
	eps, err := queryEndpoints(ctx, tx, "WITH d AS ("+queueSQL+") SELECT DISTINCT project_id, endpoint_id FROM d",
		eventNames, eventTypeNames, pgUUIDs(eventIDs))
	if err != nil {
		return fmt.Errorf("webhooks: queue deliveries: %w", err)
	}
	return h.insertJobs(ctx, tx, eps)
}

// insertJobs inserts the batch jobs that post the deliveries queued for endpoints eps, one per
// endpoint, in one statement (none for none).
func (h *Hook) insertJobs(ctx context.Context, tx bun.Tx, eps []batchArgs) error {
	if len(eps) == 0 {
		return nil
	}
	jobs := make([]river.InsertManyParams, len(eps))
	for i, ep := range eps {
		jobs[i] = river.InsertManyParams{Args: ep}
	}
	if err := h.jobs.InsertMany(ctx, tx, jobs); err != nil {
		return fmt.Errorf("webhooks: queue delivery jobs: %w", err)
	}
	return nil
}

// failedSQL writes, in one statement whatever the number of emails, an invite.delivery_failed
// delivery for each email failed for good that is its project invite's latest (invites.email_id)
// to each enabled endpoint of the project that wants it. Its event id is the email's: one
// email fails for good once. Invites to the service alone have no project, so no endpoint.
const failedSQL = `
INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_id, event_type, payload, created_at, next_attempt_at)
SELECT gen_random_uuid(), ep.project_id, ep.id, e.id, 'invite.delivery_failed',
	jsonb_build_object('type', 'invite.delivery_failed', 'timestamp', e.updated_at, 'data', jsonb_build_object(
		'eventId', e.id,
		'projectId', i.project_id,
		'email', i.email,
		'reason', e.last_error,
		'invite', jsonb_build_object('id', i.id, 'email', i.email, 'name', i.name,
			'role', i.role, 'status', i.status, 'externalId', i.external_id, 'expiresAt', i.expires_at, 'createdAt', i.created_at))),
	e.updated_at, e.updated_at
FROM emails AS e
JOIN invites AS i ON i.project_id = e.project_id AND i.email_id = e.id
JOIN webhook_endpoints AS ep ON ep.project_id = i.project_id AND ep.enabled
	AND (cardinality(ep.events) = 0 OR 'invite.delivery_failed' = ANY (ep.events))
WHERE e.id = ANY (?::uuid[]) AND e.status = 'FAILED_PERMANENT'
RETURNING project_id, endpoint_id`

// EmailsFailed queues the invite.delivery_failed deliveries of these emails in tx, which has
// just written them FAILED_PERMANENT (mail.FailureHook): two statements whatever their number.
func (h *Hook) EmailsFailed(ctx context.Context, tx bun.Tx, emailIDs []uuid.UUID) error {
	var eps []batchArgs
	err := tx.NewRaw("WITH d AS ("+failedSQL+") SELECT DISTINCT project_id, endpoint_id FROM d", pgdialect.Array(emailIDs)).
		Scan(ctx, &eps)
	if err != nil {
		return fmt.Errorf("webhooks: queue delivery_failed deliveries: %w", err)
	}
	return h.insertJobs(ctx, tx, eps)
}

// queryEndpoints runs query in tx with args bound by the driver, as binary parameters, and
// returns the (project_id, endpoint_id) pairs it returns. bun would write the arrays into the SQL text: a bulk invite's 40,000
// event IDs made 1.5 MB of SQL for bun to format and PostgreSQL to parse (35 ms). The query is
// planned with each call's values (pgx's describe-exec mode: the unnamed statement), as it was
// with the values in its text: a prepared statement would switch to a generic plan after five
// runs, in which "= ANY($3)" may become a filter comparing each row with every ID.
func queryEndpoints(ctx context.Context, tx bun.Tx, query string, args ...any) ([]batchArgs, error) {
	rows, err := tx.Tx.QueryContext(ctx, query, append([]any{pgx.QueryExecModeDescribeExec}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var eps []batchArgs
	for rows.Next() {
		var ep batchArgs
		if err := rows.Scan(&ep.ProjectID, &ep.EndpointID); err != nil {
			return nil, err
		}
		eps = append(eps, ep)
	}
	return eps, rows.Err()
}

// pgUUID is id as pgx encodes it directly; uuid.UUID goes through its string form.
func pgUUID(id uuid.UUID) pgtype.UUID {
	return pgtype.UUID{Bytes: id, Valid: true}
}

func pgUUIDs(ids []uuid.UUID) []pgtype.UUID {
	out := make([]pgtype.UUID, len(ids))
	for i, id := range ids {
		out[i] = pgUUID(id)
	}
	return out
}
