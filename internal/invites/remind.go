package invites

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// remindBatchSize bounds the reminders of one transaction of a sweep.
const remindBatchSize = 500

// errNoMailer is a sweeper set to remind (InviteRemindBefore above 0) that was given no
// mailer: a wiring mistake, reported rather than sending nothing quietly.
var errNoMailer = errors.New("invites: the sweeper sends reminders but has no mailer (NewSweeper)")

// remind sends the reminders due now and returns how many it sent and how many the
// recipients' daily caps held back.
//
// An invite is due when it is pending, has had no reminder, has InviteRemindBefore or less
// left before its expiry (and not yet reached it), and was issued (sent, or last resent) with
// more than that left: an invite sent with less left than that gets no reminder, its first
// email is recent enough. The reminder gives it a new token, as a resend does, so the old link
// answers ReasonLinkReplaced; its expiry stays as it is (the reminder is about that expiry).
//
// The due invites are selected FOR UPDATE SKIP LOCKED and re-checked under the lock
// (reminders_sent = 0), so two sweeps at once, on two replicas, never remind one invite twice:
// the second skips the rows the first holds, or finds them reminded once it commits. A rule of
// the per-recipient cap: a reminder counts against the recipient's daily cap like any invite
// email, and where the cap is used up it is not sent and not counted (the invite stays due and
// gets it at a later sweep on a day with room, if that is before its expiry).
func (w *Sweeper) remind(ctx context.Context) (reminded, capped int, err error) {
	before := w.cfg.InviteRemindBefore
	if before <= 0 {
		return 0, 0, nil
	}
	if w.mailer == nil {
		return 0, 0, errNoMailer
	}
	now := w.now()
	// A batch per transaction, in the order of expiry, each after the last one's end, so the
	// held-back invites are not read again, until a batch comes short.
	after := remindCursor{}
	for {
		r, c, last, err := w.remindBatch(ctx, now, before, after)
		reminded, capped = reminded+r, capped+c
		if err != nil || last == nil {
			return reminded, capped, err
		}
		after = *last
	}
}

// remindCursor is where a batch of reminders ended: the last invite's expiry and ID.
type remindCursor struct {
	ExpiresAt time.Time
	ID        uuid.UUID
}

// remindBatch sends up to remindBatchSize of the reminders due at now, of invites after the
// cursor, in one transaction; it returns where the batch ended, or nil when it was the last.
func (w *Sweeper) remindBatch(ctx context.Context, now time.Time, before time.Duration, after remindCursor) (reminded, capped int, last *remindCursor, err error) {
	err = w.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		reminded, capped, last = 0, 0, nil
		var due []*Invite
		err := tx.NewSelect().Model(&due).
			Where("status = 'PENDING' AND reminders_sent = 0").
			Where("expires_at > ? AND expires_at <= ?", now, now.Add(before)).
			Where("expires_at - COALESCE(resent_at, created_at) > ? * interval '1 microsecond'", before.Microseconds()).
			Where("(expires_at, id) > (?, ?)", after.ExpiresAt, after.ID).
			// A suppressed address gets no reminder (its invite stays due, for after a lift).
			Where("NOT EXISTS (SELECT 1 FROM suppressions AS sup WHERE sup.email = i.email AND sup.lifted_at IS NULL)").
			OrderExpr("expires_at, id").Limit(remindBatchSize).
			For("UPDATE SKIP LOCKED").Scan(ctx)
		if err != nil {
			return err
		}
		var events []*Event
		for _, inv := range due {
			sent, err := w.remindOne(ctx, tx, inv)
			if err != nil {
				return err
			}
			if !sent {
				capped++
				continue
			}
			reminded++
			events = append(events, w.event(EventRemindedUserInvite, inv.ProjectID, uuid.Nil, inv, inv.Email))
		}
		if len(due) == remindBatchSize {
			end := due[len(due)-1]
			last = &remindCursor{ExpiresAt: end.ExpiresAt, ID: end.ID}
		}
		return w.record(ctx, tx, events...)
	})
	return reminded, capped, last, err
}

// remindOne sends the reminder of inv, locked and due, in tx: false (and nothing written)
// where the recipient's daily cap is used up.
func (w *Sweeper) remindOne(ctx context.Context, tx bun.Tx, inv *Invite) (bool, error) {
	if err := w.takeRecipientQuota(ctx, tx, inv.Email); ErrorCode(err) == RateLimited {
		return false, nil
	} else if err != nil {
		return false, err
	}
	var inviterName string
	var projectName *string
	err := tx.NewRaw("SELECT (SELECT name FROM users WHERE id = ?), (SELECT name FROM projects WHERE id = ?)",
		inv.InviterID, inv.Project()).Scan(ctx, &inviterName, &projectName)
	if err != nil {
		return false, err
	}
	if err := w.replaceToken(ctx, tx, inv); err != nil {
		return false, err
	}
	token, hash := newToken()
	data := mail.InvitationData{ProjectID: inv.ProjectID, To: inv.Email, InviterName: inviterName, Link: w.cfg.AppURL + "/invite/" + token,
		ExpiresAt: inv.ExpiresAt, Reminder: true, Locale: inv.Locale, Note: deref(inv.Note)}
	if projectName != nil && inv.Role != nil {
		data.ProjectName, data.Role = *projectName, string(*inv.Role)
	}
	emailID, err := w.mailer.Enqueue(ctx, tx, mail.Invitation(data))
	if err != nil {
		return false, err
	}
	inv.TokenHash, inv.EmailID, inv.RemindersSent, inv.UpdatedAt = hash, &emailID, inv.RemindersSent+1, w.now()
	_, err = tx.NewUpdate().Model(inv).Column("token_hash", "email_id", "reminders_sent", "updated_at").WherePK().Exec(ctx)
	return err == nil, err
}
