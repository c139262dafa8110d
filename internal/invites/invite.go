package invites

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// InviteStatus is where an invite stands.
type InviteStatus string

// The invite statuses. An invite is PENDING until it is claimed (ACCEPTED), DECLINED, REVOKED
// or its expiry passes (EXPIRED: read as such at once, before any sweep marks it).
const (
	StatusPending  InviteStatus = "PENDING"
	StatusAccepted InviteStatus = "ACCEPTED"
	StatusDeclined InviteStatus = "DECLINED"
	StatusRevoked  InviteStatus = "REVOKED"
	StatusExpired  InviteStatus = "EXPIRED"
)

// Valid reports whether s is one of the statuses.
func (s InviteStatus) Valid() bool {
	switch s {
	case StatusPending, StatusAccepted, StatusDeclined, StatusRevoked, StatusExpired:
		return true
	}
	return false
}

// Invite is an invitation of an email address to the service (ProjectID nil) or to a project
// with a role.
type Invite struct {
	bun.BaseModel `bun:"table:invites,alias:i"`

	ID         uuid.UUID    `bun:"id,pk,type:uuid"`
	Email      string       `bun:"email"`
	ProjectID  *uuid.UUID   `bun:"project_id,type:uuid"`
	Role       *Role        `bun:"role"`
	ExternalID *string      `bun:"external_id"`
	InviterID  uuid.UUID    `bun:"inviter_id,type:uuid"`
	InviteeID  *uuid.UUID   `bun:"invitee_id,type:uuid"`
	TokenHash  []byte       `bun:"token_hash"`
	Status     InviteStatus `bun:"status"`
	EmailID    *uuid.UUID   `bun:"email_id,type:uuid"`
	ExpiresAt  time.Time    `bun:"expires_at"`
	CreatedAt  time.Time    `bun:"created_at"`
	UpdatedAt  time.Time    `bun:"updated_at"`
	ClaimedAt  *time.Time   `bun:"claimed_at"`
	EndedAt    *time.Time   `bun:"ended_at"`
	// Name is the invitee's name as the inviter gave it, offered as the sign-up name.
	Name *string `bun:"name"`
	// ResentAt is when the invite was last resent: the next resend waits a minute after it.
	ResentAt *time.Time `bun:"resent_at"`
	// DeliveryStatus is the status of the invite's latest email.
	DeliveryStatus mail.Status `bun:"delivery_status,scanonly"`
}

// settle makes an invite whose expiry has passed read as EXPIRED, holding no external ID,
// whether or not the sweep has marked it yet.
func (inv *Invite) settle(now time.Time) *Invite {
	if inv.Status == StatusPending && !inv.ExpiresAt.After(now) {
		inv.Status = StatusExpired
		inv.ExternalID = nil
	}
	return inv
}

// claimable returns the error a claim, decline, revoke or resend of a settled invite gets, or
// nil when it is pending.
func (inv *Invite) claimable() error {
	switch inv.Status {
	case StatusPending:
		return nil
	case StatusExpired:
		return Errorf(InviteExpired, "this invite has expired; ask for a new one")
	}
	return Errorf(InviteNotPending, "this invite was %s already", strings.ToLower(string(inv.Status)))
}

// selectInvites selects invites with their delivery status.
func selectInvites(db bun.IDB) *bun.SelectQuery {
	return db.NewSelect().Model((*Invite)(nil)).
		ColumnExpr("i.*").ColumnExpr("COALESCE(e.status, 'QUEUED') AS delivery_status").
		Join("LEFT JOIN emails AS e ON e.id = i.email_id")
}

// whereInviteStatus filters q to invites whose status, as read at now, is status.
func whereInviteStatus(q *bun.SelectQuery, status InviteStatus, now time.Time) *bun.SelectQuery {
	f := inviteStatusFilter(status, now)
	return q.Where(f.sql, f.args...)
}

// inviteStatusFilter is the condition on invites AS i that their status, as read at now, is
// status.
func inviteStatusFilter(status InviteStatus, now time.Time) filter {
	switch status {
	case StatusPending:
		return filter{"i.status = 'PENDING' AND i.expires_at > ?", []any{now}}
	case StatusExpired:
		return filter{"i.status = 'EXPIRED' OR (i.status = 'PENDING' AND i.expires_at <= ?)", []any{now}}
	}
	return filter{"i.status = ?", []any{string(status)}}
}

// inviteByID reads one invite, locked for update when lock is set.
func (s *Service) inviteByID(ctx context.Context, db bun.IDB, id uuid.UUID, lock bool) (*Invite, error) {
	inv := new(Invite)
	q := selectInvites(db).Where("i.id = ?", id)
	if lock {
		q = q.For("UPDATE OF i")
	}
	if err := q.Scan(ctx, inv); errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "invite not found")
	} else if err != nil {
		return nil, err
	}
	return inv.settle(s.now()), nil
}

// inviteByToken reads the invite a link's token names.
func (s *Service) inviteByToken(ctx context.Context, db bun.IDB, token string) (*Invite, error) {
	inv := new(Invite)
	err := selectInvites(db).Where("i.token_hash = ?", hashToken(token)).Scan(ctx, inv)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "this invite link is unknown or was replaced by a newer one")
	}
	if err != nil {
		return nil, err
	}
	return inv.settle(s.now()), nil
}

// expireDue marks the project's pending invites whose expiry has passed as EXPIRED, freeing
// their external IDs and emails for new invites. Run under the project's lock.
func (s *Service) expireDue(ctx context.Context, tx bun.Tx, projectID *uuid.UUID, email string) error {
	q := markExpired(tx, s.now()).Where("status = 'PENDING'").Where("expires_at <= ?", s.now())
	if projectID != nil {
		q = q.Where("project_id = ?", *projectID)
	} else {
		q = q.Where("project_id IS NULL AND email = ?", email)
	}
	_, err := q.Exec(ctx)
	return err
}

// markExpired is the update that records an invite's expiry: EXPIRED, holding no external ID,
// ended when it expired. The caller says which invites.
func markExpired(db bun.IDB, now time.Time) *bun.UpdateQuery {
	return db.NewUpdate().Model((*Invite)(nil)).
		Set("status = 'EXPIRED'").Set("external_id = NULL").Set("ended_at = expires_at").Set("updated_at = ?", now)
}

// checkExternalIDFree is the one check of EXTERNAL_ID_TAKEN: id (nil: none) is held in the
// project by no member but holder and by no pending invite. Run under the project's lock,
// after expireDue.
func checkExternalIDFree(ctx context.Context, tx bun.Tx, projectID uuid.UUID, id *string, holder uuid.UUID) error {
	if id == nil {
		return nil
	}
	var held bool
	err := tx.NewRaw(`SELECT EXISTS (
			SELECT 1 FROM project_members WHERE project_id = ? AND external_id = ? AND user_id <> ?
			UNION ALL
			SELECT 1 FROM invites WHERE project_id = ? AND external_id = ? AND status = 'PENDING')`,
		projectID, *id, holder, projectID, *id).Scan(ctx, &held)
	if err != nil {
		return err
	}
	if held {
		return externalIDTaken(id)
	}
	return nil
}

// externalIDTaken is the EXTERNAL_ID_TAKEN error for id, or for nil the ID a concurrent
// write took (a unique index caught it, and the ID is not at hand).
func externalIDTaken(id *string) *Error {
	if id == nil {
		return Errorf(ExternalIDTaken, "this external ID is held by another member or pending invite of this project")
	}
	return Errorf(ExternalIDTaken, "external ID %q is held by another member or pending invite of this project", *id)
}

// member reads userID's membership of the project; NOT_FOUND when there is none.
func member(ctx context.Context, db bun.IDB, projectID, userID uuid.UUID, what string) (*Member, error) {
	m := new(Member)
	err := db.NewSelect().Model(m).Where("project_id = ? AND user_id = ?", projectID, userID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "%s not found", what)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// requireRole returns the viewer's membership of the project when its role is at least min:
// NOT_FOUND for a non-member (who may not know the project exists), FORBIDDEN below min.
func requireRole(ctx context.Context, db bun.IDB, projectID, viewer uuid.UUID, min Role) (*Member, error) {
	m, err := member(ctx, db, projectID, viewer, "project")
	if err != nil {
		return nil, err
	}
	if err := HasMinRole(m.Role, min); err != nil {
		return nil, err
	}
	return m, nil
}

// InviterSeenBy returns the inviter of inv as viewer may see them. A signed-in viewer
// reached the invite under the visibility rules and sees the inviter in full. An anonymous
// one (declining by the link's token) sees only the name, as the preview does: the email is
// empty and the ID is one derived from the invite's, which names no account, so the link
// tells nothing more about the inviter.
func InviterSeenBy(viewer *User, inv *Invite, inviter *User) *User {
	if viewer != nil {
		return inviter
	}
	return &User{ID: uuid.NewSHA1(anonymousInviterSpace, inv.ID[:]), Name: inviter.Name}
}

// anonymousInviterSpace is the UUID namespace of the IDs that anonymous callers see for
// inviters.
var anonymousInviterSpace = uuid.MustParse("6c1f4c36-8e3a-4d0c-9a55-0b7d3c1e2f90")
