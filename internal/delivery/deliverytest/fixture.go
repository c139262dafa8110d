// Package deliverytest is what the delivery packages' integration tests share: an invite with
// its email in the database, and what the database says of it afterwards (the email's status
// and error, the suppression of its address, its activity and delivery events), so that a
// test of a provider's webhook or of a returned message asserts on what the real
// delivery.Service wrote.
package deliverytest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

var seq atomic.Int64

// Recipient is an address no other test uses (the tests of a package share one database).
func Recipient(name string) string {
	return fmt.Sprintf("%s-%d-%d@example.test", name, time.Now().UnixNano(), seq.Add(1))
}

// Invite is a pending invite to a project of its own, whose latest email is EmailID.
type Invite struct {
	ID, EmailID, ProjectID, InviterID uuid.UUID
	Email                             string
}

// NewInvite writes an inviter, a project, an email to to in status SENT queued at created,
// and a pending invite whose latest email it is.
func NewInvite(t testing.TB, db bun.IDB, to string, created time.Time) Invite {
	t.Helper()
	inv := Invite{ID: uuid.Must(uuid.NewV7()), EmailID: uuid.Must(uuid.NewV7()),
		ProjectID: uuid.Must(uuid.NewV7()), InviterID: uuid.Must(uuid.NewV7()), Email: to}
	token := sha256.Sum256([]byte(inv.ID.String()))
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, 'Ada', 'x', ?)`,
			[]any{inv.InviterID, inv.InviterID.String() + "@inviters.test", created}},
		{`INSERT INTO projects (id, name, created_at) VALUES (?, 'Apollo', ?)`, []any{inv.ProjectID, created}},
		{`INSERT INTO emails (project_id, id, kind, recipient, subject, params, link, status, sent_at, created_at, updated_at)
			VALUES (?, ?, 'invite', ?, 'Ada invited you to Apollo', '{}', '', ?, ?, ?, ?)`,
			[]any{inv.ProjectID, inv.EmailID, to, mail.StatusSent, created, created, created}},
		{`INSERT INTO invites (id, email, project_id, role, inviter_id, token_hash, status, email_id, expires_at, created_at, updated_at)
			VALUES (?, ?, ?, 'CONTRIBUTOR', ?, ?, 'PENDING', ?, ?, ?, ?)`,
			[]any{inv.ID, to, inv.ProjectID, inv.InviterID, token[:], inv.EmailID, created.Add(7 * 24 * time.Hour), created, created}},
	} {
		if _, err := db.NewRaw(q.sql, q.args...).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return inv
}

// Activity is one activity event of an invite: its name, actor and detail.
type Activity struct {
	Name    string
	ActorID uuid.UUID
	Detail  string
}

// State is what the database says of an invite's delivery.
type State struct {
	// Status and Error are the invite's deliveryStatus and deliveryError: its email's.
	Status mail.Status
	Error  string
	// Suppression is the kind and reason of its address's active suppression ("" for none).
	Suppression, SuppressionReason string
	Activity                       []Activity
	// Events are the delivery_events rows of its email, as provider/kind, by time and kind.
	Events []string
}

// StateOf reads inv's State.
func StateOf(t testing.TB, db bun.IDB, inv Invite) State {
	t.Helper()
	ctx := context.Background()
	var s State
	var lastErr *string
	if err := db.NewRaw(`SELECT e.status, e.last_error FROM invites AS i JOIN emails AS e ON e.id = i.email_id WHERE i.id = ?`,
		inv.ID).Scan(ctx, &s.Status, &lastErr); err != nil {
		t.Fatal(err)
	}
	if lastErr != nil {
		s.Error = *lastErr
	}
	var kinds, reasons []string
	if err := db.NewRaw(`SELECT kind, reason FROM suppressions WHERE email = ? AND lifted_at IS NULL`, inv.Email).
		Scan(ctx, &kinds, &reasons); err != nil {
		t.Fatal(err)
	}
	if len(kinds) > 0 {
		s.Suppression, s.SuppressionReason = kinds[0], reasons[0]
	}
	rows, err := db.QueryContext(ctx, `SELECT name, actor_id, COALESCE(detail, '') FROM activity_events
		WHERE invite_id = ? ORDER BY created_at, id`, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Activity
		if err := rows.Scan(&a.Name, &a.ActorID, &a.Detail); err != nil {
			t.Fatal(err)
		}
		s.Activity = append(s.Activity, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	s.Events = EventsOf(t, db, inv.EmailID)
	return s
}

// Resend replaces inv's latest email by a new one queued at created, as a resend, a reminder
// or an address change does, and returns inv with it.
func Resend(t testing.TB, db bun.IDB, inv Invite, created time.Time) Invite {
	t.Helper()
	inv.EmailID = uuid.Must(uuid.NewV7())
	ctx := context.Background()
	if _, err := db.NewRaw(`INSERT INTO emails (project_id, id, kind, recipient, subject, params, link, status, sent_at, created_at, updated_at)
		VALUES (?, ?, 'invite', ?, 'Reminder: Ada invited you to Apollo', '{}', '', ?, ?, ?, ?)`,
		inv.ProjectID, inv.EmailID, inv.Email, mail.StatusSent, created, created, created).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewRaw(`UPDATE invites SET email_id = ? WHERE id = ?`, inv.EmailID, inv.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return inv
}

// EventsOf is the delivery_events rows of the email id, as provider/kind, by time and kind.
func EventsOf(t testing.TB, db bun.IDB, id uuid.UUID) []string {
	t.Helper()
	var events []string
	if err := db.NewRaw(`SELECT provider || '/' || kind FROM delivery_events WHERE email_id = ? ORDER BY at, kind, id`,
		id).Scan(context.Background(), &events); err != nil {
		t.Fatal(err)
	}
	return events
}
