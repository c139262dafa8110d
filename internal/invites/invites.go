package invites

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// CreateInviteInput is what createInvite takes. A nil ProjectID invites to the service alone.
type CreateInviteInput struct {
	Email      string
	ProjectID  *uuid.UUID
	Role       *Role
	ExternalID *string
}

// CreateInvite invites an email, to the service alone (any signed-in user may) or to a
// project with a role (under the authority rule), and queues the invite's email.
//
// Errors: BAD_USER_INPUT (email, role, externalId), NOT_FOUND (no such project, or the actor
// is not a member), FORBIDDEN (the role is not below the actor's), EMAIL_TAKEN (an invite to
// the service for an existing account), ALREADY_MEMBER, ALREADY_INVITED, EXTERNAL_ID_TAKEN,
// EMAIL_NOT_VERIFIED (the actor's email), RATE_LIMITED (the inviter's hourly cap, or the
// recipient's daily cap).
func (s *Service) CreateInvite(ctx context.Context, actor uuid.UUID, in CreateInviteInput) (*Invite, error) {
	email, err := NormalizeEmail("email", in.Email)
	if err != nil {
		return nil, err
	}
	externalID, err := normalizeExternalID("externalId", in.ExternalID)
	if err != nil {
		return nil, err
	}
	switch {
	case in.ProjectID == nil && in.Role != nil:
		return nil, invalid("role", "role goes only with projectId: an invite to the service alone has no role")
	case in.ProjectID == nil && externalID != nil:
		return nil, invalid("externalId", "externalId goes only with projectId")
	case in.ProjectID != nil && in.Role == nil:
		return nil, invalid("role", "role is required with projectId")
	case in.Role != nil:
		if err := checkRole("role", *in.Role); err != nil {
			return nil, err
		}
	}

	var inv *Invite
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inviter, err := requireVerifiedInviter(ctx, tx, actor)
		if err != nil {
			return err
		}
		var project *Project
		if in.ProjectID == nil {
			err = s.checkServiceInvite(ctx, tx, email)
		} else {
			project, err = s.checkProjectInvite(ctx, tx, actor, *in.ProjectID, email, *in.Role, externalID)
		}
		if err != nil {
			return err
		}
		if err := s.takeInviteQuota(ctx, tx, actor, 1, false); err != nil {
			return err
		}
		if err := s.takeRecipientQuota(ctx, tx, email); err != nil {
			return err
		}
		inv = &Invite{ID: newID(), Email: email, ProjectID: in.ProjectID, Role: in.Role, ExternalID: externalID, InviterID: actor, Status: StatusPending}
		if err := s.issue(ctx, tx, inv, inviter, project); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(inv).Exec(ctx); err != nil {
			return inviteConflict(err)
		}
		events := []*Event{
			s.event(EventCreatedUserInvite, inv.ProjectID, actor, inv, ""),
			s.event(EventUserInvited, inv.ProjectID, uuid.Nil, inv, email),
		}
		if project != nil {
			events = append(events,
				s.event(EventInvitedToProject, inv.ProjectID, actor, inv, email),
				s.event(EventInvitedToProjectInvitee, inv.ProjectID, uuid.Nil, inv, email))
		}
		return record(ctx, tx, events...)
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Observer.InvitesCreated(1)
	return inv, nil
}

// checkServiceInvite checks that email may get an invite to the service: it has no account
// and no pending invite. It holds a lock on the email until tx ends.
func (s *Service) checkServiceInvite(ctx context.Context, tx bun.Tx, email string) error {
	if err := advisoryLock(ctx, tx, "service-invite:"+email); err != nil {
		return err
	}
	if err := checkNoAccount(ctx, tx, email); err != nil {
		return err
	}
	if err := s.expireDue(ctx, tx, nil, email); err != nil {
		return err
	}
	return checkNotInvited(ctx, tx, nil, email, uuid.Nil)
}

// checkProjectInvite locks the project and checks that actor may invite email to it as role
// with externalID, returning the project.
func (s *Service) checkProjectInvite(ctx context.Context, tx bun.Tx, actor, projectID uuid.UUID, email string, role Role, externalID *string) (*Project, error) {
	project, err := s.lockProject(ctx, tx, projectID)
	if err != nil {
		return nil, err
	}
	m, err := requireRole(ctx, tx, projectID, actor, MinRoleToInvite)
	if err != nil {
		return nil, err
	}
	if err := CanInvite(m.Role, role); err != nil {
		return nil, err
	}
	if err := s.expireDue(ctx, tx, &projectID, email); err != nil {
		return nil, err
	}
	if err := checkNotMember(ctx, tx, projectID, email); err != nil {
		return nil, err
	}
	if err := checkNotInvited(ctx, tx, &projectID, email, uuid.Nil); err != nil {
		return nil, err
	}
	if err := checkExternalIDFree(ctx, tx, projectID, externalID, uuid.Nil); err != nil {
		return nil, err
	}
	return project, nil
}

// checkNoAccount fails with EMAIL_TAKEN where an account has email: an invite to the service
// is for people without one.
func checkNoAccount(ctx context.Context, tx bun.Tx, email string) error {
	taken, err := tx.NewSelect().Model((*User)(nil)).Where("email = ?", email).Exists(ctx)
	if err != nil {
		return err
	}
	if taken {
		return Errorf(EmailTaken, "an account with this email exists already")
	}
	return nil
}

func checkNotMember(ctx context.Context, tx bun.Tx, projectID uuid.UUID, email string) error {
	isMember, err := tx.NewSelect().Model((*Member)(nil)).
		Join("JOIN users AS u ON u.id = m.user_id").
		Where("m.project_id = ? AND u.email = ?", projectID, email).Exists(ctx)
	if err != nil {
		return err
	}
	if isMember {
		return Errorf(AlreadyMember, "%s is a member of this project already", email)
	}
	return nil
}

// checkNotInvited fails with ALREADY_INVITED where a pending invite other than except exists
// for email in the project (nil: the service). Run after expireDue.
func checkNotInvited(ctx context.Context, tx bun.Tx, projectID *uuid.UUID, email string, except uuid.UUID) error {
	q := tx.NewSelect().Model((*Invite)(nil)).Where("i.email = ? AND i.status = 'PENDING' AND i.id <> ?", email, except)
	if projectID == nil {
		q = q.Where("i.project_id IS NULL")
	} else {
		q = q.Where("i.project_id = ?", *projectID)
	}
	invited, err := q.Exists(ctx)
	if err != nil {
		return err
	}
	if invited {
		return Errorf(AlreadyInvited, "%s has a pending invite already; resend it instead", email)
	}
	return nil
}

// inviteConflict turns a unique violation that a race got past the checks into its code.
func inviteConflict(err error) error {
	switch {
	case isUniqueViolation(err, "invites_pending_email_key"):
		return Errorf(AlreadyInvited, "this email has a pending invite already")
	case isUniqueViolation(err, "invites_pending_external_id_key"), isUniqueViolation(err, "project_members_external_id_key"):
		return externalIDTaken(nil)
	}
	return err
}

// issue gives inv a fresh token and expiry and queues its email, whose link is the only place
// the token appears.
func (s *Service) issue(ctx context.Context, tx bun.Tx, inv *Invite, inviter *User, project *Project) error {
	token, hash := newToken()
	now := s.now()
	inv.TokenHash, inv.ExpiresAt, inv.UpdatedAt = hash, now.Add(s.cfg.InviteTTL), now
	if inv.CreatedAt.IsZero() {
		inv.CreatedAt = now
	}
	data := mail.InvitationData{To: inv.Email, InviterName: inviter.Name, Link: s.cfg.AppURL + "/invite/" + token, ExpiresAt: inv.ExpiresAt}
	if project != nil {
		data.ProjectName, data.Role = project.Name, string(*inv.Role)
	}
	emailID, err := s.mailer.Enqueue(ctx, tx, mail.Invitation(data))
	if err != nil {
		return err
	}
	inv.EmailID, inv.DeliveryStatus = &emailID, mail.StatusQueued
	return nil
}

// authorizeInviteAction checks that actor may act on inv now, as revokeInvite and resendInvite
// need: for a project invite, whoever could send it (taking the project's lock); for an invite
// to the service, its inviter. It returns the project, nil for the service.
func (s *Service) authorizeInviteAction(ctx context.Context, tx bun.Tx, actor uuid.UUID, inv *Invite) (*Project, error) {
	if inv.ProjectID == nil {
		if inv.InviterID != actor {
			return nil, Errorf(NotFound, "invite not found")
		}
		return nil, advisoryLock(ctx, tx, "service-invite:"+inv.Email)
	}
	project, err := s.lockProject(ctx, tx, *inv.ProjectID)
	if err != nil {
		return nil, err
	}
	m, err := member(ctx, tx, *inv.ProjectID, actor, "invite")
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
func (s *Service) RevokeInvite(ctx context.Context, actor, id uuid.UUID) (*Invite, error) {
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
func (s *Service) end(ctx context.Context, tx bun.Tx, inv *Invite, status InviteStatus, event string, actor uuid.UUID) error {
	now := s.now()
	inv.Status, inv.ExternalID, inv.EndedAt, inv.UpdatedAt = status, nil, &now, now
	if _, err := tx.NewUpdate().Model(inv).Column("status", "external_id", "ended_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return err
	}
	return record(ctx, tx, s.event(event, inv.ProjectID, actor, inv, inv.Email))
}

// ResendInvite gives a pending or expired invite a new token (the old link stops working) and
// a new expiry, and queues its email again. Whoever resends it becomes its inviter: they vouch
// for it now, and the claim checks their authority. An expired invite comes back to life
// without the external ID it lost on expiry, if nothing has taken its place meanwhile.
//
// Errors: EMAIL_NOT_VERIFIED (the actor's email), NOT_FOUND, FORBIDDEN, INVITE_NOT_PENDING
// (accepted, declined or revoked), and for an expired invite ALREADY_MEMBER, ALREADY_INVITED or
// EMAIL_TAKEN; RATE_LIMITED (resent less than a minute ago, the inviter's hourly cap, or the
// recipient's daily cap).
func (s *Service) ResendInvite(ctx context.Context, actor, id uuid.UUID) (*Invite, error) {
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
		if err := s.takeInviteQuota(ctx, tx, actor, 1, false); err != nil {
			return err
		}
		if err := s.takeRecipientQuota(ctx, tx, inv.Email); err != nil {
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
		return record(ctx, tx, s.event(EventResentUserInvite, inv.ProjectID, actor, inv, inv.Email))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// checkRevival checks that an expired invite may be pending again as a new invite could.
func (s *Service) checkRevival(ctx context.Context, tx bun.Tx, inv *Invite) error {
	if inv.ProjectID == nil {
		if err := checkNoAccount(ctx, tx, inv.Email); err != nil {
			return err
		}
	} else if err := checkNotMember(ctx, tx, *inv.ProjectID, inv.Email); err != nil {
		return err
	}
	return checkNotInvited(ctx, tx, inv.ProjectID, inv.Email, inv.ID)
}

// InvitePreview is what the holder of an invite link sees before signing in.
type InvitePreview struct {
	Email         string
	ProjectName   *string
	InviterName   string
	Role          *Role
	Status        InviteStatus
	ExpiresAt     time.Time
	AccountExists bool
	// InviteeName is the invite's Name: the sign-up form's name to start with.
	InviteeName *string
}

// Invitation returns the preview of the invite a link's token names. Anyone with the token
// may see it.
//
// Errors: NOT_FOUND for an unknown or replaced token.
func (s *Service) Invitation(ctx context.Context, token string) (*InvitePreview, error) {
	inv, err := s.inviteByToken(ctx, s.db, token)
	if err != nil {
		return nil, err
	}
	p := &InvitePreview{Email: inv.Email, InviteeName: inv.Name, Role: inv.Role, Status: inv.Status, ExpiresAt: inv.ExpiresAt}
	err = s.db.NewRaw(`SELECT
			(SELECT name FROM users WHERE id = ?) AS inviter_name,
			(SELECT name FROM projects WHERE id = ?) AS project_name,
			EXISTS (SELECT 1 FROM users WHERE email = ?) AS account_exists`,
		inv.InviterID, inv.ProjectID, inv.Email).Scan(ctx, &p.InviterName, &p.ProjectName, &p.AccountExists)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// maxMyInvites bounds myInvites, which is a list and not a connection.
const maxMyInvites = 200

// MyInvites lists the invites to the viewer's email with the given status, newest first. An
// unverified email has none: its owner has not proven the invites are theirs.
func (s *Service) MyInvites(ctx context.Context, viewer *User, status InviteStatus) ([]*Invite, error) {
	if err := checkStatus("status", status); err != nil {
		return nil, err
	}
	if !viewer.EmailVerified() {
		return []*Invite{}, nil
	}
	var list []*Invite
	q := selectInvites(s.db).Where("i.email = ?", viewer.Email)
	err := whereInviteStatus(q, status, s.now()).OrderExpr("i.created_at DESC, i.id DESC").Limit(maxMyInvites).Scan(ctx, &list)
	if err != nil {
		return nil, err
	}
	for _, inv := range list {
		inv.settle(s.now())
	}
	return list, nil
}

// ProjectInvites lists a project's invites, newest first, optionally of one status.
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN), BAD_USER_INPUT (first, after, last, before, status).
func (s *Service) ProjectInvites(ctx context.Context, viewer, projectID uuid.UUID, status *InviteStatus, args PageArgs) (*Page[*Invite], error) {
	w, err := args.parse()
	if err != nil {
		return nil, err
	}
	if _, err := requireRole(ctx, s.db, projectID, viewer, MinRoleToListInvites); err != nil {
		return nil, err
	}
	l := newList("invites AS i", "i.created_at", "i.id").where("i.project_id = ?", projectID)
	if status != nil {
		if err := checkStatus("status", *status); err != nil {
			return nil, err
		}
		f := inviteStatusFilter(*status, s.now())
		l.where(f.sql, f.args...)
	}
	p, err := fetchPage(ctx, s.db, selectInvites(s.db), l, w, func(inv *Invite) cursor { return cursor{At: inv.CreatedAt, ID: inv.ID} })
	if err != nil {
		return nil, err
	}
	for _, inv := range p.Items {
		inv.settle(s.now())
	}
	return p, nil
}

// lockProject takes the project's write lock for the rest of tx and returns the project.
// Every change to a project's members or invites takes it first, so that the checks it makes
// (one holder per external ID across members and invites, one pending invite per email, the
// actor's role) stay true until it commits. FOR NO KEY UPDATE leaves the foreign-key checks
// of inserts unblocked.
func (s *Service) lockProject(ctx context.Context, tx bun.Tx, projectID uuid.UUID) (*Project, error) {
	p := new(Project)
	err := tx.NewSelect().Model(p).Where("p.id = ?", projectID).For("NO KEY UPDATE").Scan(ctx)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, Errorf(NotFound, "project not found")
		}
		return nil, err
	}
	return p, nil
}
