package invites

import (
	"context"
	"errors"
	"sort"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Claims. An invite is claimed by signUp with its token, by verifyEmail (every pending invite
// to the email), and by acceptInvite. Every path shares the invite's project's lock and then
// locks the invite row, in that order, so two claims of one invite queue up: the first wins and the second sees
// it ACCEPTED. A claim checks the invite again: if its inviter could no longer send it, the
// invite is revoked instead.

// revokedOnClaim is returned inside a claim's transaction when the invite's inviter has lost
// the authority to send it: the transaction rolls back, and the invite is then revoked in a
// transaction of its own, so that the revocation stands while nothing else of the call does.
type revokedOnClaim struct{ inviteID uuid.UUID }

func (e *revokedOnClaim) Error() string {
	return "invite revoked on claim: its inviter lost the authority"
}

// claimTx runs fn in a transaction and carries out a revocation it asks for.
func (s *core) claimTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	err := s.inTx(ctx, fn)
	r, ok := errors.AsType[*revokedOnClaim](err)
	if !ok {
		return err
	}
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inv, err := s.lockInvite(ctx, tx, r.inviteID)
		if err != nil || inv.Status != StatusPending {
			return err
		}
		return s.end(ctx, tx, inv, StatusRevoked, EventRevokedUserInvite, uuid.Nil)
	})
	if err != nil {
		return err
	}
	return Errorf(InviteNotPending, "this invite was withdrawn: whoever sent it may no longer invite to this role")
}

// lockInvite shares an invite's project's lock (if any), then locks the invite and reads it
// settled. Claims of other invites to the project run beside it; a bulk invite or a member
// change, which takes the project's lock whole, waits.
func (s *core) lockInvite(ctx context.Context, tx bun.Tx, id uuid.UUID) (*Invite, error) {
	inv, err := s.inviteByID(ctx, tx, id, false)
	if err != nil {
		return nil, err
	}
	return s.relockInvite(ctx, tx, inv)
}

// relockInvite is lockInvite for an invite read in tx without a lock: it reads it again locked.
func (s *core) relockInvite(ctx context.Context, tx bun.Tx, inv *Invite) (*Invite, error) {
	if !inv.ForService() {
		if _, err := s.shareProject(ctx, tx, inv.ProjectID); err != nil {
			return nil, err
		}
	}
	return s.inviteByID(ctx, tx, inv.ID, true)
}

// claimAllPending claims, for user, every pending invite to their email other than except,
// and returns how many it claimed. Invites whose inviter has lost the authority are revoked on
// the way; the user is not told, since they did not ask for those invites by name.
func (s *core) claimAllPending(ctx context.Context, tx bun.Tx, user *User, except uuid.UUID) (int, error) {
	var pending []*Invite
	err := tx.NewSelect().Model(&pending).Column("id", "project_id").
		Where("email = ? AND status = 'PENDING' AND expires_at > ? AND id <> ?", user.Email, s.now(), except).
		Scan(ctx)
	if err != nil {
		return 0, err
	}
	claimed := 0
	// One order of project locks for every claimer, so that two never wait on each other.
	sort.Slice(pending, func(i, j int) bool { return projectKey(pending[i]) < projectKey(pending[j]) })
	for _, p := range pending {
		inv, err := s.relockToClaim(ctx, tx, p)
		if err != nil {
			return 0, err
		}
		if inv.Status != StatusPending {
			continue // claimed, declined or revoked by someone else since the list was read
		}
		_, err = s.claim(ctx, tx, inv, user)
		if _, revoked := errors.AsType[*revokedOnClaim](err); revoked {
			err = s.end(ctx, tx, &inv.Invite, StatusRevoked, EventRevokedUserInvite, uuid.Nil)
		} else if ErrorCode(err) == EmailDomainNotAllowed {
			err = nil // restricted since it was sent: it stays pending, unclaimed
		} else if err == nil {
			claimed++
		}
		if err != nil {
			return 0, err
		}
	}
	// The email is proven now: the projects whose verified domain at it has policy AUTO take
	// the person in too (domains_join.go).
	if err := s.autoJoin(ctx, tx, user); err != nil {
		return 0, err
	}
	return claimed, nil
}

// InviteRef names an invite by its link's token or by its ID (as the client gave it); exactly
// one is set.
type InviteRef struct {
	Token    string
	InviteID string
}

// validate checks that exactly one is set and parses the ID.
func (r InviteRef) validate() (id uuid.UUID, err error) {
	if (r.Token == "") == (r.InviteID == "") {
		return uuid.Nil, invalid("token", "give exactly one of token and inviteId")
	}
	if r.InviteID != "" {
		return ParseID("invite", r.InviteID)
	}
	return uuid.Nil, nil
}

// AcceptResult is an accepted invite and the membership it led to (nil for an invite to the
// service alone).
type AcceptResult struct {
	Invite     *Invite
	Membership *Member
}

// AcceptInvite claims an invite for the signed-in user: by token (the email must be the
// user's, and it counts as verified since the link reached that mailbox: the user's other
// pending invites are then claimed as by verifyEmail), or by ID (the user's email must be
// verified).
//
// Errors: BAD_USER_INPUT (both or neither of token and inviteId), NOT_FOUND, EMAIL_MISMATCH,
// EMAIL_NOT_VERIFIED, INVITE_EXPIRED, INVITE_NOT_PENDING.
func (s *InviteService) AcceptInvite(ctx context.Context, user *User, ref InviteRef) (*AcceptResult, error) {
	id, err := ref.validate()
	if err != nil {
		return nil, err
	}
	var res *AcceptResult
	claimed := 1
	verify := ref.Token != "" && !user.EmailVerified()
	claimer := *user // the caller's user shows the verification only once it is committed
	err = s.claimTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var inv *Invite
		var err error
		if verify {
			inv, err = s.inviteToVerify(ctx, tx, &claimer, ref.Token)
		} else {
			inv, err = s.inviteForUser(ctx, tx, &claimer, ref.Token, id)
		}
		if err != nil {
			return err
		}
		others := false
		var locked *inviteToClaim
		if verify {
			// The user's row (verified by inviteToVerify) and then all the projects involved,
			// in the order verifyEmail and other claims take them, so that concurrent claims
			// queue up instead of deadlocking.
			if others, err = s.lockClaimProjects(ctx, tx, claimer.Email, inv.ID); err != nil {
				return err
			}
			locked, err = s.lockToClaim(ctx, tx, inv.ID) // its project's lock is shared already
		} else {
			locked, err = s.relockToClaim(ctx, tx, inv)
		}
		if err != nil {
			return err
		}
		m, err := s.claim(ctx, tx, locked, &claimer)
		if err != nil {
			return err
		}
		res = &AcceptResult{Invite: &locked.Invite, Membership: m}
		if others {
			n, err := s.claimAllPending(ctx, tx, &claimer, inv.ID)
			claimed += n
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	*user = claimer
	s.cfg.Observer.InvitesClaimed(claimed)
	return res, nil
}

// emailMismatch refuses an invite's link to a signed-in user of another email.
func emailMismatch() error {
	return Errorf(EmailMismatch, "this invite was sent to another email than yours; sign in with that email")
}

// inviteToVerify is inviteForUser by token for a user whose email the token proves: the
// statement that reads the invite marks the email verified too, taking the user's row before
// any project's lock.
func (s *core) inviteToVerify(ctx context.Context, tx bun.Tx, user *User, token string) (*Invite, error) {
	now := s.now()
	verify := tx.NewUpdate().Model(user).Set("email_verified_at = COALESCE(email_verified_at, ?)", now).WherePK()
	inv, err := s.inviteByTokenWith(ctx, tx, token, verify)
	if err != nil {
		return nil, err
	}
	if inv.Email != user.Email {
		return nil, emailMismatch()
	}
	user.EmailVerifiedAt = &now
	return inv, nil
}

// inviteForUser finds the invite that token (if set) or id names, checking that it is the
// user's to act on.
func (s *core) inviteForUser(ctx context.Context, db bun.IDB, user *User, token string, id uuid.UUID) (*Invite, error) {
	if token != "" {
		inv, err := s.inviteByToken(ctx, db, token)
		if err != nil {
			return nil, err
		}
		if inv.Email != user.Email {
			return nil, emailMismatch()
		}
		return inv, nil
	}
	inv, err := s.inviteByID(ctx, db, id, false)
	if err != nil {
		return nil, err
	}
	if inv.Email != user.Email {
		return nil, Errorf(NotFound, "invite not found") // someone else's invite is not the user's to know of
	}
	if !user.EmailVerified() {
		return nil, Errorf(EmailNotVerified, "verify your email first (or use the link from the invite email)")
	}
	return inv, nil
}

// DeclineInvite ends a pending invite at its invitee's wish: by token with no sign-in needed
// (from the email's link; user may be nil), or by ID, signed in with the invite's verified
// email. It then holds no external ID.
//
// Errors: BAD_USER_INPUT, UNAUTHENTICATED (by ID without sign-in), NOT_FOUND, EMAIL_NOT_VERIFIED,
// INVITE_EXPIRED, INVITE_NOT_PENDING.
func (s *InviteService) DeclineInvite(ctx context.Context, user *User, ref InviteRef) (*Invite, error) {
	id, err := ref.validate()
	if err != nil {
		return nil, err
	}
	if ref.Token == "" && user == nil {
		return nil, Errorf(Unauthenticated, "sign in to decline an invite by its ID, or use the link from the email")
	}
	var inv *Invite
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if ref.Token != "" {
			inv, err = s.inviteByToken(ctx, tx, ref.Token)
		} else {
			inv, err = s.inviteForUser(ctx, tx, user, "", id)
		}
		if err != nil {
			return err
		}
		if inv, err = s.relockInvite(ctx, tx, inv); err != nil {
			return err
		}
		if err := inv.claimable(); err != nil {
			return err
		}
		actor := uuid.Nil
		if user != nil && user.Email == inv.Email {
			actor = user.ID
		}
		return s.end(ctx, tx, inv, StatusDeclined, EventDeclinedUserInvite, actor)
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}
