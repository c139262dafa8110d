package invites

import (
	"context"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// An inviter's digest of undeliverable invitations (issue 24): when an invite's email fails for
// good (FAILED_PERMANENT, BOUNCED, SUPPRESSED), its inviter is told by email, in their own
// locale, naming the address, the project and why, with a link to the project's undeliverable
// invitations. Like the admins' digest of requests to join (joinrequests_digest.go), the sweep
// sends it, at most once an hour per inviter and project (delivery_failure_digests), so that a
// bulk of a thousand bounces makes one email. Each failure is told once (emails.failure_told_at).
// Only an invite's latest email counts (invites.email_id, kind invite), so a digest that fails
// itself is never told of: no loop.

// DeliveryFailureDigestInterval is the least time between two digests to one inviter about
// one project.
const DeliveryFailureDigestInterval = time.Hour

// failedInvite is one invitation whose email failed for good, with whom to tell.
type failedInvite struct {
	ProjectID     uuid.UUID `bun:"project_id"`
	ProjectName   string    `bun:"project_name"`
	InviterID     uuid.UUID `bun:"inviter_id"`
	InviterEmail  string    `bun:"inviter_email"`
	InviterName   string    `bun:"inviter_name"`
	InviterLocale *string   `bun:"inviter_locale"`
	Email         string    `bun:"email"`
	Status        string    `bun:"status"`
}

// failureDigestSQL claims, for each inviter and project due a digest (none sent within the
// interval), the digest's row (sent now) and the untold failures of their invites (told now),
// and returns those failures, grouped by project and inviter. The failures' rows are locked,
// skipping those another transaction holds (a provider's report, another sweep): the next
// sweep tells them. Two sweeps at once: the second's upsert waits for the first's row and
// then finds it sent within the interval, so it claims nothing. A failed invite email that is
// no project invite's latest (replaced by a resend, or of an invite to the service alone or
// deleted) has no one to tell: it is marked told, so that the sweep does not read it again.
const failureDigestSQL = `
WITH failed AS (
	SELECT e.id, e.project_id, i.inviter_id, i.email, e.status
	FROM emails AS e
	JOIN invites AS i ON i.project_id = e.project_id AND i.email_id = e.id AND i.project_id <> ` + serviceProjectSQL + `
	WHERE e.kind = 'invite' AND e.failure_told_at IS NULL AND e.status IN ('FAILED_PERMANENT', 'BOUNCED', 'SUPPRESSED')
	FOR UPDATE OF e SKIP LOCKED
), nobody AS (
	UPDATE emails AS e SET failure_told_at = ?0::timestamptz
	WHERE e.kind = 'invite' AND e.failure_told_at IS NULL AND e.status IN ('FAILED_PERMANENT', 'BOUNCED', 'SUPPRESSED')
		AND NOT EXISTS (SELECT 1 FROM invites AS i
			WHERE i.project_id = e.project_id AND i.email_id = e.id AND i.project_id <> ` + serviceProjectSQL + `)
), due AS (
	SELECT DISTINCT f.project_id, f.inviter_id
	FROM failed AS f
	LEFT JOIN delivery_failure_digests AS d ON d.project_id = f.project_id AND d.inviter_id = f.inviter_id
	WHERE coalesce(d.sent_at, '-infinity') <= ?1
), claimed AS (
	INSERT INTO delivery_failure_digests AS d (project_id, inviter_id, sent_at)
	SELECT project_id, inviter_id, ?0::timestamptz FROM due
	ON CONFLICT (project_id, inviter_id) DO UPDATE SET sent_at = EXCLUDED.sent_at WHERE d.sent_at <= ?1
	RETURNING d.project_id, d.inviter_id
), told AS (
	UPDATE emails AS e SET failure_told_at = ?0::timestamptz
	FROM failed AS f JOIN claimed AS c ON c.project_id = f.project_id AND c.inviter_id = f.inviter_id
	WHERE e.project_id = f.project_id AND e.id = f.id
	RETURNING f.project_id, f.inviter_id, f.email, f.status
)
SELECT told.project_id, p.name AS project_name, told.inviter_id, u.email AS inviter_email, u.name AS inviter_name,
	u.locale AS inviter_locale, told.email, told.status
FROM told JOIN projects AS p ON p.id = told.project_id JOIN users AS u ON u.id = told.inviter_id
ORDER BY told.project_id, told.inviter_id, told.email`

// sendFailureDigests queues, in one transaction with the claims, one digest per inviter and
// project due one. It returns how many it queued.
func (w *Sweeper) sendFailureDigests(ctx context.Context) (int, error) {
	now := w.now()
	sent := 0
	err := w.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var rows []failedInvite
		if err := tx.NewRaw(failureDigestSQL, now, now.Add(-DeliveryFailureDigestInterval)).Scan(ctx, &rows); err != nil {
			return err
		}
		for start := 0; start < len(rows); {
			end := start + 1
			for end < len(rows) && rows[end].ProjectID == rows[start].ProjectID && rows[end].InviterID == rows[start].InviterID {
				end++
			}
			if _, err := w.mailer.Enqueue(ctx, tx, w.failureDigest(rows[start:end])); err != nil {
				return err
			}
			sent++
			start = end
		}
		return nil
	})
	return sent, err
}

// failureDigest is the email of one inviter's failures in one project.
func (w *Sweeper) failureDigest(rows []failedInvite) mail.Message {
	first := rows[0]
	failures := make([]mail.DeliveryFailure, len(rows))
	byStatus := map[string]int{}
	for i, r := range rows {
		failures[i] = mail.DeliveryFailure{Email: r.Email, Status: mail.Status(r.Status)}
		byStatus[r.Status]++
	}
	// The invitations page filters on one delivery status: the one most of these failed with.
	common := first.Status
	for status, n := range byStatus {
		if n > byStatus[common] || (n == byStatus[common] && status < common) {
			common = status
		}
	}
	return mail.DeliveryFailed(mail.DeliveryFailedData{
		ProjectID: first.ProjectID, To: first.InviterEmail, Name: first.InviterName, ProjectName: first.ProjectName,
		Link:   w.cfg.AppURL + "/projects/" + first.ProjectID.String() + "/invitations?status=" + url.QueryEscape("delivery:"+common),
		Locale: userLocale(&User{Locale: first.InviterLocale}), Failures: failures,
	})
}
