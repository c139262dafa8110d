package invites

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// SuppressionKind is why an address is suppressed (internal/delivery writes them).
type SuppressionKind string

// The kinds of suppression.
const (
	SuppressedHardBounce  SuppressionKind = "HARD_BOUNCE"
	SuppressedComplaint   SuppressionKind = "COMPLAINT"
	SuppressedSoftBounces SuppressionKind = "SOFT_BOUNCES"
)

// MinRoleToLiftSuppression is the least role that sees why an invited address is suppressed
// and may lift that.
const MinRoleToLiftSuppression = RoleAdmin

// Suppression is an address that no invite email goes to, service-wide, until it is lifted:
// after a hard bounce, a complaint, or three soft bounces in seven days.
type Suppression struct {
	bun.BaseModel `bun:"table:suppressions,alias:sup"`

	ID        uuid.UUID       `bun:"id,pk,type:uuid"`
	Email     string          `bun:"email"`
	Kind      SuppressionKind `bun:"kind"`
	Reason    string          `bun:"reason"`
	CreatedAt time.Time       `bun:"created_at"`
	LiftedAt  *time.Time      `bun:"lifted_at"`
	LiftedBy  *uuid.UUID      `bun:"lifted_by,type:uuid"`
}

// activeSuppression reads the suppression of email in force, nil for none.
func activeSuppression(ctx context.Context, db bun.IDB, email string) (*Suppression, error) {
	sup := new(Suppression)
	err := db.NewSelect().Model(sup).Where("email = ? AND lifted_at IS NULL", email).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return sup, err
}

// checkNotSuppressed fails with RECIPIENT_SUPPRESSED where email is suppressed: createInvite,
// resendInvite and updateInvite send it nothing.
func checkNotSuppressed(ctx context.Context, db bun.IDB, email string) error {
	sup, err := activeSuppression(ctx, db, email)
	if err != nil || sup == nil {
		return err
	}
	return suppressedError(email, sup.Kind, sup.Reason)
}

func suppressedError(email string, kind SuppressionKind, reason string) error {
	return Errorf(RecipientSuppressed, "%s is suppressed (%s: %s); an admin may lift that", email, suppressionWhy(kind), reason)
}

// suppressedAmong returns which of emails are suppressed, in one statement.
func suppressedAmong(ctx context.Context, db bun.IDB, emails []string) (map[string]bool, error) {
	var found []string
	if len(emails) == 0 {
		return nil, nil
	}
	err := db.NewSelect().Table("suppressions").Column("email").
		Where("email IN (?) AND lifted_at IS NULL", bun.In(emails)).Scan(ctx, &found)
	out := make(map[string]bool, len(found))
	for _, e := range found {
		out[e] = true
	}
	return out, err
}

// invitedBy reports whether the project ever invited email: an invite to it now, or a tracked
// event naming it (an invite since corrected by updateInvite, or swept away, still counts).
func invitedBy(ctx context.Context, tx bun.Tx, projectID uuid.UUID, email string) (bool, error) {
	var invited bool
	err := tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM invites WHERE project_id = ? AND email = ?)
		OR EXISTS (SELECT 1 FROM activity_events WHERE project_id = ? AND email = ? AND invite_id IS NOT NULL)`,
		projectID, email, projectID, email).Scan(ctx, &invited)
	return invited, err
}

func suppressionWhy(k SuppressionKind) string {
	switch k {
	case SuppressedHardBounce:
		return "it bounced"
	case SuppressedComplaint:
		return "its recipient complained"
	}
	return "it soft-bounced three times in a week"
}

// SuppressionsOf returns, by invite ID, the suppression of each invite's address that the
// viewer may see: ADMIN and above of the invite's project, or the inviter of an invite to the
// service. Invites whose address is not suppressed, or that the viewer may not see it of, are
// left out. One statement for any number of invites (the GraphQL layer's loader batches them).
func (s *InviteService) SuppressionsOf(ctx context.Context, viewer uuid.UUID, inviteIDs []uuid.UUID) (map[uuid.UUID]*Suppression, error) {
	var rows []struct {
		InviteID    uuid.UUID `bun:"invite_id"`
		Suppression `bun:",extend"`
	}
	err := s.db.NewSelect().Model(&rows).ModelTableExpr("suppressions AS sup").
		ColumnExpr("i.id AS invite_id, sup.*").
		Join("JOIN invites AS i ON i.email = sup.email AND sup.lifted_at IS NULL").
		Where("i.id IN (?)", bun.In(inviteIDs)).
		Where(`(i.project_id = `+serviceProjectSQL+` AND i.inviter_id = ?) OR EXISTS (SELECT 1 FROM project_members AS m
			WHERE m.project_id = i.project_id AND m.user_id = ? AND m.role IN (?))`, viewer, viewer, rolesFrom(MinRoleToLiftSuppression)).
		Scan(ctx)
	out := make(map[uuid.UUID]*Suppression, len(rows))
	for i := range rows {
		out[rows[i].InviteID] = &rows[i].Suppression
	}
	return out, err
}

// LiftSuppression lets a suppressed address be sent to again, recorded as "Lifted Suppression"
// in the project. It answers false where the address was not suppressed. The suppression
// row stays, lifted, as history; soft bounces before the lift no longer count.
//
// Errors: BAD_USER_INPUT (email), NOT_FOUND (no such project, not a member, or the project never
// invited the address: no one learns of another project's suppressions), FORBIDDEN (below ADMIN).
func (s *InviteService) LiftSuppression(ctx context.Context, actor, projectID uuid.UUID, rawEmail string) (bool, error) {
	email, err := NormalizeEmail("email", rawEmail)
	if err != nil {
		return false, err
	}
	lifted := false
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := requireRole(ctx, tx, projectID, actor, MinRoleToLiftSuppression); err != nil {
			return err
		}
		invited, err := invitedBy(ctx, tx, projectID, email)
		if err != nil {
			return err
		}
		if !invited {
			return Errorf(NotFound, "no invite of this project went to %s", email)
		}
		res, err := tx.NewUpdate().Model((*Suppression)(nil)).Set("lifted_at = ?, lifted_by = ?", s.now(), actor).
			Where("email = ? AND lifted_at IS NULL", email).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		lifted = true
		return s.record(ctx, tx, s.event(EventLiftedSuppression, projectID, actor, nil, email))
	})
	return lifted, err
}
