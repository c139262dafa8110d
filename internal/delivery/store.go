package delivery

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

var errNoMatch = errors.New("no email matches the event")

// matchedEmail is the email an event concerns, with its project (the service project for an
// email of no project's invite) and the invite whose latest email it is (if any): the project
// keys the event, and the invite's inviter is the activity's actor.
type matchedEmail struct {
	ID        uuid.UUID
	Recipient string
	ProjectID uuid.UUID
	InviteID  *uuid.UUID
	InviterID *uuid.UUID
}

// matchSQL reads an email with the invite that sent it last; the WHERE is the caller's.
const matchSQL = `SELECT e.id, e.recipient, e.project_id, i.id, i.inviter_id
FROM emails AS e LEFT JOIN invites AS i ON i.project_id = e.project_id AND i.email_id = e.id `

// timeSlack is how far past a report's time an email may have been queued and still be the
// one it concerns: SendGrid and returned mail give whole seconds, so a bounce within the second
// the email was queued reads as earlier than it (and would otherwise be joined to an earlier
// email to the same address).
const timeSlack = time.Second

// matchEmail finds the email e concerns: by its EmailID, else by its MessageID, else the
// latest email to its recipient queued before e.At (to within timeSlack), within window.
// errNoMatch for none.
func matchEmail(ctx context.Context, tx bun.Tx, e Event, window time.Duration) (*matchedEmail, error) {
	if id, err := uuid.Parse(e.EmailID); err == nil {
		if em, err := scanMatch(ctx, tx, "WHERE e.id = ?", id); !errors.Is(err, errNoMatch) {
			return em, err
		}
	}
	if id, ok := EmailIDFromMessageID(e.MessageID); ok {
		if em, err := scanMatch(ctx, tx, "WHERE e.id = ?", id); !errors.Is(err, errNoMatch) {
			return em, err
		}
	}
	if e.Recipient == "" {
		return nil, errNoMatch
	}
	return scanMatch(ctx, tx, "WHERE e.recipient = ? AND e.created_at < ? AND e.created_at > ? ORDER BY e.created_at DESC, e.id DESC LIMIT 1",
		e.Recipient, e.At.Add(timeSlack), e.At.Add(-window))
}

func scanMatch(ctx context.Context, tx bun.Tx, where string, args ...any) (*matchedEmail, error) {
	em := new(matchedEmail)
	err := tx.NewRaw(matchSQL+where, args...).
		Scan(ctx, &em.ID, &em.Recipient, &em.ProjectID, &em.InviteID, &em.InviterID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoMatch
	}
	return em, err
}

// insertEvent stores e once: false where its key was stored before (a repeat). The event is
// stored under its email's project, which never changes (a resend or a reminder replaces the
// invite's email, not the email's project), so the key's conflict finds every repeat.
func insertEvent(ctx context.Context, tx bun.Tx, e Event, em *matchedEmail, now time.Time) (bool, error) {
	key := eventKey(e, em.ID)
	res, err := tx.NewRaw(`INSERT INTO delivery_events
		(id, project_id, provider, event_key, kind, email_id, recipient, reason, at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (project_id, provider, event_key) DO NOTHING`,
		uuid.Must(uuid.NewV7()), em.ProjectID, e.Provider, key, e.Kind, em.ID,
		em.Recipient, cut(e.Reason), e.At, now).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// advance moves email id to status to, only where that is forward (see rank), in one
// conditional UPDATE; it reports whether it moved. A report's reason becomes the email's
// last_error (the invite's deliveryError). A report can come before the queue wrote SENT:
// the email is out then, so its link (a secret) is wiped and sent_at set as SENT would.
func advance(ctx context.Context, tx bun.Tx, id uuid.UUID, to mail.Status, e Event) (bool, error) {
	var reason *string
	if e.Reason != "" && to != mail.StatusDelivered {
		r := cut(e.Reason)
		reason = &r
	}
	res, err := tx.NewRaw(`UPDATE emails SET status = ?, last_error = COALESCE(?, last_error),
		sent_at = COALESCE(sent_at, ?), link = '', updated_at = now()
		WHERE id = ? AND `+rankSQL("status")+` < `+rankSQL("?"),
		to, reason, e.At, id, to).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// cut keeps a provider's reason to 500 characters, as the queue keeps its own errors.
func cut(s string) string {
	r := []rune(s)
	if len(r) > 500 {
		return string(r[:500]) + "…"
	}
	return s
}
