package invites

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Insights is how a project's invitations fare (SPEC §14): the funnel sent → delivered →
// opened → accepted, with declined, expired and failed beside it, over the invites created in
// a period, each counted once by where it stands now.
type Insights struct {
	// Sent counts the invites created: each had an invite email queued.
	Sent int
	// Delivered counts the invites whose latest email the mail server took (delivery status
	// SENT): until provider events come in (SPEC §15), the closest to delivery that is known.
	Delivered int
	// Opened counts the invites whose preview was shown (OpenedAt set).
	Opened   int
	Accepted int
	Declined int
	// Expired counts the invites that expired unclaimed, as read now.
	Expired int
	// Failed counts the invites whose latest email failed for good (FAILED_PERMANENT).
	Failed int
	// AcceptSecondsMedian and AcceptSecondsP90 are the median and the 90th percentile
	// (continuous) of the seconds from creation to acceptance; nil with no acceptance.
	AcceptSecondsMedian *float64
	AcceptSecondsP90    *float64
	// ByWeek is by the week of creation (Monday 00:00 UTC), oldest first, at most
	// maxInsightWeeks (the newest); ByInviter by inviter, most invites first, at most
	// maxInsightInviters.
	ByWeek    []*InsightsBucket
	ByInviter []*InsightsBucket
	// ByBatch is by bulk invite (Start: when it was sent; InviterID: who sent most of its
	// invites), newest first, at most maxInsightBatches; invites sent on their own are in none.
	ByBatch []*InsightsBucket
}

// InsightsBucket is the counts of one week (Start), one inviter (InviterID) or one bulk
// invite (both).
type InsightsBucket struct {
	Start     *time.Time
	InviterID *uuid.UUID
	Sent      int
	Opened    int
	Accepted  int
}

// The most buckets Insights lists: about ten years of weeks, the busiest inviters, the newest
// bulk invites.
const (
	maxInsightWeeks    = 520
	maxInsightInviters = 100
	maxInsightBatches  = 100
)

// insightsFrom is the project's invites created in [$2, $3), beside their latest email, with
// $1 the project: the statements of Insights bind their parameters, as the pages do (page.go).
const insightsFrom = ` FROM invites AS i LEFT JOIN emails AS e ON e.id = i.email_id
	WHERE i.project_id = $1 AND i.created_at >= $2 AND i.created_at < $3`

// deliveredSQL is the condition that an invite's latest email, AS e, counts as delivered:
// DELIVERED, or COMPLAINED (it was delivered to be marked spam); and SENT while no provider has
// reported a delivery of the project's ($1) emails (no provider webhook set up, or bounces only
// by returned mail), a hand-over to the mail server being then the closest to delivery known.
const deliveredSQL = `e.status IN ('DELIVERED', 'COMPLAINED') OR (e.status = 'SENT' AND NOT EXISTS
	(SELECT 1 FROM delivery_events AS d WHERE d.project_id = $1 AND d.kind = 'DELIVERED'))`

// insightsCounts are a bucket's counts, in InsightsBucket's order.
const insightsCounts = `count(*), count(*) FILTER (WHERE i.opened_at IS NOT NULL), count(*) FILTER (WHERE i.status = 'ACCEPTED')`

// Insights computes the project's insights over the invites created at or after from and
// before to (nil: no bound), in SQL (four statements), in one read-only snapshot. Only those who may list the
// project's invites may read them. project is the project as the viewer read it (see
// viewerRole).
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN), BAD_USER_INPUT on to (before from).
func (s *ConsoleService) Insights(ctx context.Context, viewer uuid.UUID, project *Project, from, to *time.Time) (*Insights, error) {
	lo, hi := minCursorTime, maxCursorTime
	if from != nil {
		lo = *from
	}
	if to != nil {
		hi = *to
	}
	if hi.Before(lo) {
		return nil, invalid("to", "to is before from")
	}
	if _, err := s.viewerRole(ctx, viewer, project, MinRoleToListInvites); err != nil {
		return nil, err
	}
	in := &Insights{}
	opts := &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	err := s.read(ctx).RunInTx(ctx, opts, func(ctx context.Context, tx bun.Tx) error {
		args := []any{project.ID, lo, hi}
		if err := s.insightTotals(ctx, tx, in, args); err != nil {
			return err
		}
		for kind, into := range map[string]*[]*InsightsBucket{"week": &in.ByWeek, "inviter": &in.ByInviter, "batch": &in.ByBatch} {
			var err error
			if *into, err = insightBuckets(ctx, tx, kind, args); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// insightTotals reads the funnel and the times to acceptance.
func (s *ConsoleService) insightTotals(ctx context.Context, tx bun.Tx, in *Insights, args []any) error {
	const acceptSeconds = `WITHIN GROUP (ORDER BY extract(epoch FROM i.claimed_at - i.created_at)) FILTER (WHERE i.status = 'ACCEPTED')`
	q := `SELECT count(*),
		count(*) FILTER (WHERE ` + deliveredSQL + `),
		count(*) FILTER (WHERE i.opened_at IS NOT NULL),
		count(*) FILTER (WHERE i.status = 'ACCEPTED'),
		count(*) FILTER (WHERE i.status = 'DECLINED'),
		count(*) FILTER (WHERE i.status = 'EXPIRED' OR (i.status = 'PENDING' AND i.expires_at <= $4)),
		count(*) FILTER (WHERE e.status = 'FAILED_PERMANENT'),
		percentile_cont(0.5) ` + acceptSeconds + `,
		percentile_cont(0.9) ` + acceptSeconds + insightsFrom
	return tx.Tx.QueryRowContext(ctx, q, append(args, s.now())...).Scan(&in.Sent, &in.Delivered, &in.Opened, &in.Accepted,
		&in.Declined, &in.Expired, &in.Failed, &in.AcceptSecondsMedian, &in.AcceptSecondsP90)
}

// bucketQueries are the SELECTs of the buckets of insightBuckets, each reading a start, an
// inviter (either may be NULL) and insightsCounts, in the order Insights lists them but the
// weeks (the newest kept, listed oldest first). A batch's inviter is the one who sent most of
// its invites (a resend makes the resender the inviter).
var bucketQueries = map[string]string{
	"week": `SELECT date_trunc('week', i.created_at, 'UTC'), NULL::uuid, ` + insightsCounts + insightsFrom +
		` GROUP BY 1 ORDER BY 1 DESC LIMIT ` + strconv.Itoa(maxInsightWeeks),
	"inviter": `SELECT NULL::timestamptz, i.inviter_id, ` + insightsCounts + insightsFrom +
		` GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT ` + strconv.Itoa(maxInsightInviters),
	"batch": `SELECT min(i.created_at), mode() WITHIN GROUP (ORDER BY i.inviter_id), ` + insightsCounts + insightsFrom +
		` AND i.batch_id IS NOT NULL GROUP BY i.batch_id ORDER BY 1 DESC, i.batch_id LIMIT ` + strconv.Itoa(maxInsightBatches),
}

// insightBuckets reads the buckets of kind, a key of bucketQueries.
func insightBuckets(ctx context.Context, tx bun.Tx, kind string, args []any) ([]*InsightsBucket, error) {
	rows, err := tx.Tx.QueryContext(ctx, bucketQueries[kind], args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	buckets := []*InsightsBucket{}
	for rows.Next() {
		b := &InsightsBucket{}
		if err := rows.Scan(&b.Start, &b.InviterID, &b.Sent, &b.Opened, &b.Accepted); err != nil {
			return nil, err
		}
		if b.Start != nil {
			*b.Start = b.Start.UTC()
		}
		buckets = append(buckets, b)
	}
	if kind == "week" {
		slices.Reverse(buckets) // the newest weeks were kept; they are listed oldest first
	}
	return buckets, rows.Err()
}
