package invites

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// UpdateInviteInput is what updateInvite takes: a new address, a new role, or both.
type UpdateInviteInput struct {
	ID    uuid.UUID
	Email *string
	Role  *Role
}

// UpdateInvite corrects a pending invite's address or changes its role, recorded as "Updated
// User Invite" with what it was before as detail. A new address gets a new token, expiry and
// email, sent by the actor, who becomes the inviter as for a resend; the old link stops working
// (it answers a plain NOT_FOUND: it was sent to a wrong address, which is told nothing), and the
// old address keeps any suppression it has. A new role is checked as createInvite checks one.
//
// Errors: BAD_USER_INPUT (email, role, or neither given; a role for an invite to the service),
// NOT_FOUND, FORBIDDEN (the invite's role or the new one not below the actor's),
// INVITE_EXPIRED, INVITE_NOT_PENDING, and for a new address EMAIL_NOT_VERIFIED (the actor's),
// ALREADY_MEMBER, ALREADY_INVITED, EMAIL_TAKEN (an invite to the service), RECIPIENT_SUPPRESSED
// and RATE_LIMITED (the inviter's hourly cap, the recipient's daily cap).
func (s *InviteService) UpdateInvite(ctx context.Context, actor uuid.UUID, in UpdateInviteInput) (*Invite, error) {
	email, err := in.validate()
	if err != nil {
		return nil, err
	}
	var inv *Invite
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if inv, err = s.inviteByID(ctx, tx, in.ID, false); err != nil {
			return err
		}
		project, err := s.authorizeInviteAction(ctx, tx, actor, inv)
		if err != nil {
			return err
		}
		if inv, err = s.inviteByID(ctx, tx, in.ID, true); err != nil {
			return err
		}
		if err := inv.claimable(); err != nil {
			return err
		}
		var before []string
		if in.Role != nil && *in.Role != *inv.Role {
			if before, err = s.changeInviteRole(ctx, tx, actor, inv, *in.Role); err != nil {
				return err
			}
		}
		if email != "" && email != inv.Email {
			if err := s.readdress(ctx, tx, actor, inv, project, email); err != nil {
				return err
			}
			before = append(before, "email: "+inv.Email)
			inv.Email = email
		}
		return s.saveUpdate(ctx, tx, actor, inv, before)
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// validate checks the input and returns the new address in its stored form ("" for none).
func (in UpdateInviteInput) validate() (string, error) {
	if in.Email == nil && in.Role == nil {
		return "", invalid("email", "give a new email, a new role, or both")
	}
	if in.Role != nil {
		if err := checkRole("role", *in.Role); err != nil {
			return "", err
		}
	}
	if in.Email == nil {
		return "", nil
	}
	return NormalizeEmail("email", *in.Email)
}

// changeInviteRole gives inv, locked, the role to, within the actor's authority (checked
// for the invite's current role by authorizeInviteAction, and here for the new one).
func (s *core) changeInviteRole(ctx context.Context, tx bun.Tx, actor uuid.UUID, inv *Invite, to Role) ([]string, error) {
	if inv.ForService() {
		return nil, invalid("role", "an invite to the service alone has no role")
	}
	m, err := member(ctx, tx, inv.ProjectID, actor, "invite")
	if err != nil {
		return nil, err
	}
	if err := CanInvite(m.Role, to); err != nil {
		return nil, err
	}
	before := []string{"role: " + string(*inv.Role)}
	inv.Role = &to
	return before, nil
}

// readdress checks that inv may go to email instead, as a new invite to it could, and issues
// it there: a new token, expiry and email, with the actor as inviter.
func (s *core) readdress(ctx context.Context, tx bun.Tx, actor uuid.UUID, inv *Invite, project *Project, email string) error {
	inviter, err := requireVerifiedInviter(ctx, tx, actor)
	if err != nil {
		return err
	}
	if inv.ForService() {
		err = s.checkServiceInvite(ctx, tx, email)
	} else if err = s.expireDue(ctx, tx, inv.ProjectID, email); err == nil {
		if err = checkNotMember(ctx, tx, inv.ProjectID, email); err == nil {
			err = checkNotInvited(ctx, tx, inv.ProjectID, email, inv.ID)
		}
	}
	if err != nil {
		return err
	}
	if err := checkNotSuppressed(ctx, tx, email); err != nil {
		return err
	}
	if err := s.takeInviteQuota(ctx, tx, actor, 1); err != nil {
		return err
	}
	if err := s.takeRecipientQuota(ctx, tx, email); err != nil {
		return err
	}
	old := inv.Email
	inv.Email, inv.InviterID = email, actor
	err = s.issue(ctx, tx, inv, inviter, project)
	inv.Email = old
	return err
}

// saveUpdate writes inv's new address, role, token and email and records the event.
func (s *core) saveUpdate(ctx context.Context, tx bun.Tx, actor uuid.UUID, inv *Invite, before []string) error {
	if len(before) == 0 {
		return nil
	}
	inv.UpdatedAt = s.now()
	_, err := tx.NewUpdate().Model(inv).
		Column("email", "role", "token_hash", "expires_at", "email_id", "inviter_id", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return inviteConflict(err)
	}
	ev := s.event(EventUpdatedUserInvite, inv.ProjectID, actor, inv, inv.Email)
	detail := strings.Join(before, ", ")
	ev.Detail = &detail
	return s.record(ctx, tx, ev)
}
