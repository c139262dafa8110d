package invites

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/invites/invites/internal/jobs"
	"github.com/uptrace/bun"
)

// Sweeper keeps the tables tidy: it marks invites whose expiry has passed as EXPIRED (they
// read as expired before that anyway), deletes expired, declined and revoked invites and
// expired invite links once their retention has passed, and deletes expired sessions,
// verification and password-reset links, old log-in failures and quota windows, and bulk
// previews a day past their expiry. It also sends the reminders before invites expire
// (remind.go). It runs as a River periodic job, which River runs on its elected leader only,
// so any number of replicas sweep once; and its writes skip the rows that another transaction
// (another sweep among them) holds, so even two sweeps at once do each thing once.
type Sweeper struct {
	*core
}

// NewSweeper returns a Sweeper over db with the service's settings, whose reminders are
// queued with mailer (nil only where InviteRemindBefore is 0: no reminders).
func NewSweeper(db *bun.DB, mailer Mailer, cfg Config) *Sweeper {
	return &Sweeper{&core{db: db, mailer: mailer, cfg: cfg.withDependencies()}}
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	Expired int // invites marked EXPIRED
	Deleted int // ended invites deleted after their retention
	// Reminded is the reminders sent; Capped the reminders due but not sent because the
	// recipient had their day's invite emails already (they are tried again at later sweeps).
	Reminded, Capped int
	// Digests is the admins' digests of requests to join queued (joinrequests_digest.go);
	// FailureDigests the inviters' digests of undeliverable invitations
	// (delivery_failure_digest.go).
	Digests, FailureDigests int
}

// Sweep runs one sweep: the tidying in one transaction, then the reminders in another.
func (w *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	r, err := w.tidy(ctx)
	if err != nil {
		return r, err
	}
	r.Reminded, r.Capped, err = w.remind(ctx)
	if err != nil || w.mailer == nil {
		return r, err
	}
	if r.Digests, err = w.sendDigests(ctx); err != nil {
		return r, err
	}
	r.FailureDigests, err = w.sendFailureDigests(ctx)
	return r, err
}

// tidy marks expired invites and deletes what has outlived its retention.
func (w *Sweeper) tidy(ctx context.Context) (SweepResult, error) {
	var r SweepResult
	now := w.now()
	err := w.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		expired, err := recordExpiries(ctx, tx, markExpired(tx, now).
			// Rows a project's own transaction holds are skipped: it marks them itself, and the
			// next sweep gets the rest; waiting on them could deadlock with it.
			Where("id IN (SELECT id FROM invites WHERE status = 'PENDING' AND expires_at <= ? FOR UPDATE SKIP LOCKED)", now))
		if err != nil {
			return err
		}
		r.Expired = len(expired)
		if len(expired) > 0 {
			if err := w.cfg.EventHook.Recorded(ctx, tx, expired); err != nil {
				return err
			}
		}
		if err := w.expireRequests(ctx, tx, now, "true"); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*Invite)(nil)).
			Where("id IN (SELECT id FROM invites WHERE status IN ('EXPIRED', 'DECLINED', 'REVOKED') AND ended_at <= ? FOR UPDATE SKIP LOCKED)",
				now.Add(-w.cfg.InviteRetention)).Exec(ctx)
		if err != nil {
			return err
		}
		r.Deleted = rowsAffected(res)
		for _, q := range []*bun.DeleteQuery{
			tx.NewDelete().Model((*sessionRow)(nil)).Where("expires_at <= ?", now),
			tx.NewDelete().Model((*emailVerification)(nil)).Where("expires_at <= ?", now),
			tx.NewDelete().Model((*passwordReset)(nil)).Where("expires_at <= ?", now),
			tx.NewDelete().Model((*loginFailure)(nil)).Where("failed_at <= ?", now.Add(-w.cfg.LoginFailureWindow)),
			tx.NewDelete().TableExpr("invite_quota").Where("window_start < ?", now.Add(-2*time.Hour)),
			tx.NewDelete().TableExpr("invite_recipient_quota").Where("day < ?::date", now.Add(-48*time.Hour).Format(time.DateOnly)),
			tx.NewDelete().TableExpr("client_quota").Where("window_start < ?", now.Add(-2*time.Hour)),
			tx.NewDelete().TableExpr("invite_quota_addresses").Where("window_start < ?", now.Add(-2*time.Hour)),
			// A day past expiry, a confirmation hears NOT_FOUND rather than PREVIEW_STALE, and a
			// retried one no longer gets the first result. Skipping the previews that a
			// confirmation holds keeps the sweep from waiting on it.
			tx.NewDelete().TableExpr("bulk_previews").Where(`(project_id, id) IN (SELECT project_id, id FROM bulk_previews
				WHERE expires_at <= ? FOR UPDATE SKIP LOCKED)`, now.Add(-previewKeptAfterExpiry)),
			// An invite link has ended by its expiry, if not before (revoked, used up), and it
			// counts against its project's InviteLinkLimit until it is deleted.
			// A decided, cancelled or expired request to join is kept as long as an ended invite.
			tx.NewDelete().Model((*JoinRequest)(nil)).Where("id IN (SELECT id FROM join_requests WHERE status <> 'PENDING' AND updated_at <= ? FOR UPDATE SKIP LOCKED)",
				now.Add(-w.cfg.InviteRetention)),
			tx.NewDelete().Model((*InviteLink)(nil)).Where("id IN (SELECT id FROM invite_links WHERE expires_at <= ? FOR UPDATE SKIP LOCKED)",
				now.Add(-w.cfg.InviteRetention)),
		} {
			if _, err := q.Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	return r, err
}

func rowsAffected(res interface{ RowsAffected() (int64, error) }) int {
	n, _ := res.RowsAffected()
	return int(n)
}

type sweepArgs struct{}

func (sweepArgs) Kind() string { return "invites_sweep" }

// Work is the sweep every interval, and once at start-up, for the process's River client, in
// a queue of its own ("sweep"), beside the emails and webhook posts rather than behind them.
func (w *Sweeper) Work(interval time.Duration) jobs.Work {
	return jobs.Periodic[sweepArgs]("sweep", interval, func(ctx context.Context) error {
		_, err := w.Sweep(ctx)
		return err
	})
}

// expireDue marks the project's pending invites whose expiry has passed as EXPIRED, freeing
// their external IDs and emails for new invites. Run under the project's lock.
func (s *core) expireDue(ctx context.Context, tx bun.Tx, projectID uuid.UUID, email string) error {
	q := markExpired(tx, s.now()).Where("status = 'PENDING'").Where("expires_at <= ?", s.now()).Where("project_id = ?", projectID)
	if projectID == ServiceProjectID {
		q = q.Where("email = ?", email)
	}
	expired, err := recordExpiries(ctx, tx, q)
	if err != nil || len(expired) == 0 {
		return err
	}
	return s.cfg.EventHook.Recorded(ctx, tx, expired)
}

// recordExpiries runs upd (markExpired's, filtered) and records an "Expired User Invite" event
// for each invite it marks, in the same statement; it returns the events' ids.
func recordExpiries(ctx context.Context, tx bun.Tx, upd *bun.UpdateQuery) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := tx.NewRaw(`WITH x AS (?)
		INSERT INTO activity_events (id, project_id, name, actor_id, invite_id, email, created_at)
		SELECT gen_random_uuid(), x.project_id, ?, NULL, x.id, x.email, x.updated_at FROM x
		RETURNING id`, upd.Returning("id, project_id, email, updated_at"), EventExpiredUserInvite).Scan(ctx, &ids)
	return ids, err
}

// markExpired is the update that records an invite's expiry: EXPIRED, holding no external ID,
// ended when it expired. The caller says which invites.
func markExpired(db bun.IDB, now time.Time) *bun.UpdateQuery {
	return db.NewUpdate().Model((*Invite)(nil)).
		Set("status = 'EXPIRED'").Set("external_id = NULL").Set("ended_at = expires_at").Set("updated_at = ?", now)
}
