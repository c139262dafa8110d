package webhooks

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
)

// outcome is what one attempt came to.
type outcome struct {
	status *int   // the HTTP status, when there was an answer
	err    string // why it did not succeed; "" for a 2xx
	retry  bool   // whether it may pass: a network error, a timeout, 5xx, 408 or 429
}

// judge is the status that attempt number attempt (from 1), made at now, gives its delivery:
// SUCCEEDED; PENDING with the time of its next attempt after a failure that may pass while the
// backoff has a wait left; else FAILED.
func (s *Service) judge(o outcome, attempt int, now time.Time) (Status, *time.Time) {
	switch {
	case o.err == "":
		return Succeeded, nil
	case o.retry:
		if wait := s.backoff(attempt); wait >= 0 {
			next := now.Add(wait)
			return Pending, &next
		}
	}
	return Failed, nil
}

// record writes attempt number attempt of delivery id, whose outcome was o, on its row while
// it is PENDING, clears its claim, and returns the status it gave it (judge).
func (s *Service) record(ctx context.Context, id uuid.UUID, o outcome, attempt int) (Status, error) {
	now := time.Now().UTC()
	status, next := s.judge(o, attempt, now)
	var lastErr *string
	if o.err != "" {
		lastErr = &o.err
	}
	q := s.db.NewUpdate().Model((*Delivery)(nil)).
		Set("attempts = attempts + 1").
		Set("status = ?", status).
		Set("response_status = COALESCE(?, response_status)", o.status).
		Set("last_error = ?", lastErr).
		Set("next_attempt_at = ?", next).
		Set("claimed_by = NULL, claimed_until = NULL").
		Where("id = ? AND status = ?", id, Pending)
	if status == Succeeded {
		q = q.Set("delivered_at = ?", now)
	}
	_, err := q.Exec(ctx)
	return status, err
}

// tried is a delivery a batch job posted (or found its endpoint disabled), with the outcome.
type tried struct {
	d  *claimedDelivery
	o  outcome
	at time.Time
}

// recordFirstSQL writes the first attempts of a batch's deliveries of project $7, one row of
// the arrays each, on those still PENDING with no attempt; it returns those it wrote that are
// to be tried again, with the time. "attempts < 1" (attempts is never negative) rather than
// "= 0": with "= 0" the planner may read the rows through webhook_deliveries_unsent_idx, every
// unsent delivery of the project, which its statistics (stale after a bulk invite) put at one
// row: it hashed the 10,000 of a bulk for each batch of 50 (30 ms) instead of looking up 50.
// "wd.id = ANY ($1)", which the join implies, is for the same statistics: without it the
// planner read every row of the project through the primary key's project_id (a few hundred
// by the statistics, 10,000 after a bulk) and compared each with every row of the arrays, 1.3
// s for a claim of 200 on this machine; with it, it looks up the claim's rows (2 ms).
const recordFirstSQL = `
UPDATE webhook_deliveries AS wd SET attempts = 1, status = r.status,
	response_status = COALESCE(r.code, wd.response_status), last_error = r.error,
	next_attempt_at = r.next, delivered_at = r.delivered
FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::timestamptz[])
	AS r (id, status, code, error, next, delivered)
WHERE wd.project_id = $7 AND wd.id = ANY ($1) AND wd.id = r.id AND wd.status = 'PENDING' AND wd.attempts < 1
RETURNING wd.id, r.next`

// firstAttempts is the columns of recordFirstSQL's arrays.
type firstAttempts struct {
	ids             []pgtype.UUID
	statuses        []string
	codes           []pgtype.Int4
	errors          []pgtype.Text
	next, delivered []pgtype.Timestamptz
	failed          []*tried // those FAILED, for the log
	project         uuid.UUID
}

func (f *firstAttempts) add(s *Service, t *tried) {
	status, next := s.judge(t.o, 1, t.at)
	f.ids = append(f.ids, pgUUID(t.d.ID))
	f.statuses = append(f.statuses, string(status))
	f.codes = append(f.codes, pgtype.Int4{})
	if t.o.status != nil {
		f.codes[len(f.codes)-1] = pgtype.Int4{Int32: int32(*t.o.status), Valid: true}
	}
	f.errors = append(f.errors, pgtype.Text{String: t.o.err, Valid: t.o.err != ""})
	f.next = append(f.next, pgtype.Timestamptz{})
	if next != nil {
		f.next[len(f.next)-1] = pgtype.Timestamptz{Time: *next, Valid: true}
	}
	f.delivered = append(f.delivered, pgtype.Timestamptz{Time: t.at, Valid: status == Succeeded})
	if status == Failed {
		f.failed = append(f.failed, t)
	}
}

// recordFirst writes in tx the first attempts of a batch of deliveries of one project: their
// rows in one statement, and for each that may pass, the job of its own that makes its later
// attempts, scheduled at its next attempt (one statement for them all). It returns the
// attempts that left their delivery FAILED.
func (s *Service) recordFirst(ctx context.Context, tx bun.Tx, project uuid.UUID, ts []*tried) ([]*tried, error) {
	if len(ts) == 0 {
		return nil, nil
	}
	f := &firstAttempts{project: project}
	for _, t := range ts {
		f.add(s, t)
	}
	retries, err := f.write(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("webhooks: record first attempts: %w", err)
	}
	if err := s.jobs.InsertMany(ctx, tx, retries); err != nil {
		return nil, fmt.Errorf("webhooks: queue retries: %w", err)
	}
	return f.failed, nil
}

// write runs recordFirstSQL in tx and returns the retry jobs of the deliveries it wrote
// PENDING. It is one round trip (pgx's exec mode: the unnamed statement, parsed, bound and run
// at once, every parameter's type given by its cast in the query), planned with the call's
// values as the describe-exec mode it replaced, which took two (a describe, then the run).
func (f *firstAttempts) write(ctx context.Context, tx bun.Tx) ([]river.InsertManyParams, error) {
	rows, err := tx.Tx.QueryContext(ctx, recordFirstSQL, pgx.QueryExecModeExec,
		f.ids, f.statuses, f.codes, f.errors, f.next, f.delivered, pgUUID(f.project))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var retries []river.InsertManyParams
	for rows.Next() {
		var id uuid.UUID
		var next *time.Time
		if err := rows.Scan(&id, &next); err != nil {
			return nil, err
		}
		if next != nil {
			retries = append(retries, river.InsertManyParams{Args: deliverArgs{DeliveryID: id, AttemptsBefore: 1},
				InsertOpts: &river.InsertOpts{Queue: queueName, MaxAttempts: maxAttempts, ScheduledAt: *next}})
		}
	}
	return retries, rows.Err()
}
