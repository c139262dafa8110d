package invites

import (
	"context"

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
// EMAIL_NOT_VERIFIED (the actor's email), RECIPIENT_SUPPRESSED, RATE_LIMITED (the inviter's
// hourly cap, or the recipient's daily cap).
func (s *InviteService) CreateInvite(ctx context.Context, actor uuid.UUID, in CreateInviteInput) (*Invite, error) {
	email, externalID, err := in.validate()
	if err != nil {
		return nil, err
	}
	var inv *Invite
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inviter, err := requireVerifiedInviter(ctx, tx, actor)
		if err != nil {
			return err
		}
		var project *Project
		if in.ProjectID == nil {
			if err = s.checkServiceInvite(ctx, tx, email); err == nil {
				err = checkNotSuppressed(ctx, tx, email)
			}
		} else { // checkProjectInvite checks the suppressions too, in the same statement
			project, err = s.checkProjectInvite(ctx, tx, actor, *in.ProjectID, email, *in.Role, externalID)
			if err == nil {
				err = s.CheckDomainAllowed(ctx, tx, *in.ProjectID, email)
			}
		}
		if err != nil {
			return err
		}
		if err := s.takeInviteQuotas(ctx, tx, actor, email); err != nil {
			return err
		}
		inv = &Invite{ID: newID(), Email: email, ProjectID: in.ProjectID, Role: in.Role, ExternalID: externalID, InviterID: actor, Status: StatusPending}
		if err := s.issue(ctx, tx, inv, inviter, project); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(inv).Exec(ctx); err != nil {
			return inviteConflict(err)
		}
		return s.record(ctx, tx, s.inviteEvents(inv, actor)...)
	})
	if err != nil {
		return nil, err
	}
	s.cfg.Observer.InvitesCreated(1)
	return inv, nil
}

// validate checks the input and returns its email and external ID in their stored forms.
func (in CreateInviteInput) validate() (email string, externalID *string, err error) {
	if email, err = NormalizeEmail("email", in.Email); err != nil {
		return "", nil, err
	}
	if externalID, err = normalizeExternalID("externalId", in.ExternalID); err != nil {
		return "", nil, err
	}
	switch {
	case in.ProjectID == nil && in.Role != nil:
		return "", nil, invalid("role", "role goes only with projectId: an invite to the service alone has no role")
	case in.ProjectID == nil && externalID != nil:
		return "", nil, invalid("externalId", "externalId goes only with projectId")
	case in.ProjectID != nil && in.Role == nil:
		return "", nil, invalid("role", "role is required with projectId")
	case in.Role != nil:
		if err := checkRole("role", *in.Role); err != nil {
			return "", nil, err
		}
	}
	return email, externalID, nil
}

// inviteEvents are the tracked events of a new invite sent by actor: two for any invite, and
// two more for an invite to a project.
func (s *core) inviteEvents(inv *Invite, actor uuid.UUID) []*Event {
	events := []*Event{
		s.event(EventCreatedUserInvite, inv.ProjectID, actor, inv, ""),
		s.event(EventUserInvited, inv.ProjectID, uuid.Nil, inv, inv.Email),
	}
	if inv.ProjectID != nil {
		events = append(events,
			s.event(EventInvitedToProject, inv.ProjectID, actor, inv, inv.Email),
			s.event(EventInvitedToProjectInvitee, inv.ProjectID, uuid.Nil, inv, inv.Email))
	}
	return events
}

// checkServiceInvite checks that email may get an invite to the service: it has no account
// and no pending invite. It holds a lock on the email until tx ends.
func (s *core) checkServiceInvite(ctx context.Context, tx bun.Tx, email string) error {
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

// checkProjectInvite shares the project's lock (see shareProject) and checks that actor may
// invite email to it as role with externalID, and that email is not suppressed, returning
// the project. The checks read members and invites in one statement, so in one snapshot: a
// claim committing meanwhile shows as its pending invite or as its membership, never as
// neither.
func (s *core) checkProjectInvite(ctx context.Context, tx bun.Tx, actor, projectID uuid.UUID, email string, role Role, externalID *string) (*Project, error) {
	project, err := s.shareProject(ctx, tx, projectID)
	if err != nil {
		return nil, err
	}
	if err := s.expireDueKeys(ctx, tx, projectID, email, externalID); err != nil {
		return nil, err
	}
	var c struct {
		ActorRole *Role
		Member    bool
		Invited   bool
		HeldBy    bool
		SupKind   *SuppressionKind
		SupReason *string
	}
	err = tx.NewRaw(`SELECT
		(SELECT role FROM project_members WHERE project_id = ? AND user_id = ?) AS actor_role,
		EXISTS (SELECT 1 FROM project_members AS m JOIN users AS u ON u.id = m.user_id
			WHERE m.project_id = ? AND u.email = ?) AS member,
		EXISTS (SELECT 1 FROM invites WHERE project_id = ? AND email = ? AND status = 'PENDING') AS invited,
		(?::text IS NOT NULL AND EXISTS (
			SELECT 1 FROM project_members WHERE project_id = ? AND external_id = ?
			UNION ALL
			SELECT 1 FROM invites WHERE project_id = ? AND external_id = ? AND status = 'PENDING')) AS held_by,
		sup.kind AS sup_kind, sup.reason AS sup_reason
		FROM (SELECT 1) AS one LEFT JOIN suppressions AS sup ON sup.email = ? AND sup.lifted_at IS NULL`,
		projectID, actor, projectID, email, projectID, email,
		externalID, projectID, externalID, projectID, externalID, email).Scan(ctx, &c)
	if err != nil {
		return nil, err
	}
	switch {
	case c.ActorRole == nil:
		return nil, Errorf(NotFound, "project not found")
	case HasMinRole(*c.ActorRole, MinRoleToInvite) != nil:
		return nil, HasMinRole(*c.ActorRole, MinRoleToInvite)
	case CanInvite(*c.ActorRole, role) != nil:
		return nil, CanInvite(*c.ActorRole, role)
	case c.Member:
		return nil, Errorf(AlreadyMember, "%s is a member of this project already", email)
	case c.Invited:
		return nil, Errorf(AlreadyInvited, "%s has a pending invite already; resend it instead", email)
	case c.HeldBy:
		return nil, externalIDTaken(externalID)
	case c.SupKind != nil:
		return nil, suppressedError(email, *c.SupKind, *c.SupReason)
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
func (s *core) issue(ctx context.Context, tx bun.Tx, inv *Invite, inviter *User, project *Project) error {
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
