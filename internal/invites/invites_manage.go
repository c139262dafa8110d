package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// authorizeInviteAction checks that actor may act on inv now, as revokeInvite and resendInvite
// need: for a project invite, whoever could send it (taking the project's lock); for an invite
// to the service, its inviter. It returns the project, nil for the service.
func (s *core) authorizeInviteAction(ctx context.Context, tx bun.Tx, actor uuid.UUID, inv *Invite) (*Project, error) {
	if inv.ForService() {
		if inv.InviterID != actor {
			return nil, Errorf(NotFound, "invite not found")
		}
		return nil, advisoryLock(ctx, tx, "service-invite:"+inv.Email)
	}
	project, err := s.lockProject(ctx, tx, inv.ProjectID)
	if err != nil {
		return nil, err
	}
	m, err := member(ctx, tx, inv.ProjectID, actor, "invite")
	if err != nil {
		return nil, err
	}
	if err := CanManageInvite(m.Role, *inv.Role); err != nil {
		return nil, err
	}
	return project, nil
}

// RevokeInvite ends a pending invite; its link stops working and it holds no external ID.
//
// Errors: NOT_FOUND, FORBIDDEN, INVITE_EXPIRED, INVITE_NOT_PENDING.
func (s *InviteService) RevokeInvite(ctx context.Context, actor, id uuid.UUID) (*Invite, error) {
	var inv *Invite
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if inv, err = s.inviteByID(ctx, tx, id, false); err != nil {
			return err
		}
		if _, err := s.authorizeInviteAction(ctx, tx, actor, inv); err != nil {
			return err
		}
		if inv, err = s.inviteByID(ctx, tx, id, true); err != nil {
			return err
		}
		if err := inv.claimable(); err != nil {
			return err
		}
		return s.end(ctx, tx, inv, StatusRevoked, EventRevokedUserInvite, actor)
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// end moves a pending, locked invite to a final status and records the event.
func (s *core) end(ctx context.Context, tx bun.Tx, inv *Invite, status InviteStatus, event string, actor uuid.UUID) error {
	now := s.now()
	inv.Status, inv.ExternalID, inv.EndedAt, inv.UpdatedAt = status, nil, &now, now
	if _, err := tx.NewUpdate().Model(inv).Column("status", "external_id", "ended_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return err
	}
	return s.record(ctx, tx, s.event(event, inv.ProjectID, actor, inv, inv.Email))
}

// ResendInvite gives a pending or expired invite a new token (the old link stops working, and
// answers ReasonLinkReplaced) and a new expiry, and queues its email again. Whoever resends it
// becomes its inviter: they vouch for it now, and the claim checks their authority. An expired
// invite comes back to life without the external ID it lost on expiry, if nothing has taken
// its place meanwhile. Its remindersSent stays as it is: one reminder per invite in all.
//
// Errors: EMAIL_NOT_VERIFIED (the actor's email), NOT_FOUND, FORBIDDEN, INVITE_NOT_PENDING
// (accepted, declined or revoked), and for an expired invite ALREADY_MEMBER, ALREADY_INVITED or
// EMAIL_TAKEN; RECIPIENT_SUPPRESSED; RATE_LIMITED (resent less than a minute ago, the inviter's hourly cap, or the
// recipient's daily cap).
func (s *InviteService) ResendInvite(ctx context.Context, actor, id uuid.UUID) (*Invite, error) {
	var inv *Invite
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inviter, err := requireVerifiedInviter(ctx, tx, actor)
		if err != nil {
			return err
		}
		if inv, err = s.inviteByID(ctx, tx, id, false); err != nil {
			return err
		}
		project, err := s.authorizeInviteAction(ctx, tx, actor, inv)
		if err != nil {
			return err
		}
		if err := s.expireDue(ctx, tx, inv.ProjectID, inv.Email); err != nil {
			return err
		}
		if inv, err = s.inviteByID(ctx, tx, id, true); err != nil {
			return err
		}
		if err := s.checkResend(ctx, tx, actor, inv); err != nil {
			return err
		}
		if err := s.replaceToken(ctx, tx, inv); err != nil {
			return err
		}
		if err := s.issue(ctx, tx, inv, inviter, project); err != nil {
			return err
		}
		inv.Status, inv.EndedAt, inv.InviterID, inv.ResentAt = StatusPending, nil, actor, &inv.UpdatedAt
		_, err = tx.NewUpdate().Model(inv).Column("token_hash", "expires_at", "status", "ended_at", "email_id", "inviter_id", "resent_at", "updated_at").WherePK().Exec(ctx)
		if err != nil {
			return inviteConflict(err)
		}
		return s.record(ctx, tx, s.event(EventResentUserInvite, inv.ProjectID, actor, inv, inv.Email))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// checkResend checks that actor may resend inv, locked, now: it is pending, or expired with
// nothing taken its place; it was not resent within the minute; and the inviter's and the
// recipient's caps allow one more email, which it takes from them.
func (s *core) checkResend(ctx context.Context, tx bun.Tx, actor uuid.UUID, inv *Invite) error {
	switch inv.Status {
	case StatusPending:
	case StatusExpired:
		if err := s.checkRevival(ctx, tx, inv); err != nil {
			return err
		}
	default:
		return inv.claimable()
	}
	if err := s.checkResendInterval(inv); err != nil {
		return err
	}
	if err := checkNotSuppressed(ctx, tx, inv.Email); err != nil {
		return err
	}
	if err := s.takeInviteQuota(ctx, tx, actor, 1); err != nil {
		return err
	}
	return s.takeRecipientQuota(ctx, tx, inv.Email)
}

// checkRevival checks that an expired invite may be pending again as a new invite could.
func (s *core) checkRevival(ctx context.Context, tx bun.Tx, inv *Invite) error {
	if inv.ForService() {
		if err := checkNoAccount(ctx, tx, inv.Email); err != nil {
			return err
		}
	} else if err := checkNotMember(ctx, tx, inv.ProjectID, inv.Email); err != nil {
		return err
	}
	return checkNotInvited(ctx, tx, inv.ProjectID, inv.Email, inv.ID)
}
