package invites

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// The admins' digest of requests to join: at most one email an hour per admin, listing the
// projects where requests made since their last digest wait. The sweep sends them
// (SWEEP_INTERVAL, so an admin hears within the interval after the hour); each admin may turn
// theirs off (setJoinRequestDigest).

// JoinRequestDigestInterval is the least time between two digests to one admin.
const JoinRequestDigestInterval = time.Hour

// digestRow is one admin's digest: the projects with new pending requests, and how many.
type digestRow struct {
	UserID   uuid.UUID   `bun:"user_id"`
	Email    string      `bun:"email"`
	Name     string      `bun:"name"`
	Projects []string    `bun:"projects,array"`
	IDs      []uuid.UUID `bun:"project_ids,array"`
	Count    int         `bun:"n"`
	Locale   *string     `bun:"locale"`
}

// sendDigests claims, for each admin due one, their digest row (sent now), and queues their
// email, in one transaction. It returns how many it queued.
func (w *Sweeper) sendDigests(ctx context.Context) (int, error) {
	now := w.now()
	var rows []digestRow
	err := w.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`
			WITH due AS (
				SELECT m.user_id, p.name, p.id AS project_id, count(*) AS n
				FROM join_requests AS jr
				JOIN project_members AS m ON m.project_id = jr.project_id AND m.role IN ('ADMIN', 'OWNER')
				JOIN projects AS p ON p.id = jr.project_id
				LEFT JOIN join_request_digests AS d ON d.user_id = m.user_id
				WHERE jr.status = 'PENDING' AND jr.expires_at > ?0::timestamptz
				  AND NOT coalesce(d.muted, false)
				  AND jr.created_at > coalesce(d.sent_at, '-infinity')
				  AND coalesce(d.sent_at, '-infinity') <= ?1
				GROUP BY m.user_id, p.id, p.name
			), claimed AS (
				INSERT INTO join_request_digests AS d (user_id, sent_at)
				SELECT DISTINCT user_id, ?0::timestamptz FROM due
				ON CONFLICT (user_id) DO UPDATE SET sent_at = EXCLUDED.sent_at
				WHERE NOT d.muted AND coalesce(d.sent_at, '-infinity') <= ?1
				RETURNING d.user_id
			)
			SELECT u.id AS user_id, u.email, u.name, u.locale, array_agg(due.name ORDER BY due.name) AS projects,
				array_agg(due.project_id ORDER BY due.name) AS project_ids, sum(due.n)::int AS n
			FROM claimed JOIN users AS u ON u.id = claimed.user_id JOIN due ON due.user_id = claimed.user_id
			GROUP BY u.id, u.email, u.name, u.locale`, now, now.Add(-JoinRequestDigestInterval)).Scan(ctx, &rows)
		if err != nil {
			return err
		}
		for _, r := range rows {
			m := mail.JoinRequestDigest(mail.JoinRequestDigestData{
				To: r.Email, Name: r.Name, Projects: r.Projects, Count: r.Count,
				Link:   w.cfg.AppURL + "/projects/" + r.IDs[0].String() + "/requests",
				Locale: userLocale(&User{Locale: r.Locale}),
			})
			if _, err := w.mailer.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	return len(rows), err
}

// SetJoinRequestDigest turns the viewer's digest of requests to join on or off.
func (s *JoinRequestService) SetJoinRequestDigest(ctx context.Context, viewer uuid.UUID, enabled bool) error {
	_, err := s.db.NewRaw(`INSERT INTO join_request_digests (user_id, muted) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET muted = EXCLUDED.muted`, viewer, !enabled).Exec(ctx)
	return err
}

// JoinRequestDigest reports whether the viewer gets the digest (true until they turn it off).
func (s *JoinRequestService) JoinRequestDigest(ctx context.Context, viewer uuid.UUID) (bool, error) {
	var muted []bool
	err := s.db.NewRaw(`SELECT muted FROM join_request_digests WHERE user_id = ?`, viewer).Scan(ctx, &muted)
	return len(muted) == 0 || !muted[0], err
}
