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
	// Locale is a BCP 47 tag; nil: the project's default, else AcceptLanguage's, else English.
	Locale *string
	// Note is the inviter's words for the email and the invite page; nil for none.
	Note *string
	// AcceptLanguage is the inviter's request's Accept-Language header.
	AcceptLanguage string
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
	given, note, err := in.validateWords()
	if err != nil {
		return nil, err
	}
	var inv *Invite
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inviter, project, hook, err := s.lockInviteScope(ctx, tx, actor, in.ProjectID, email)
		if err != nil {
			return err
		}
		c, err := s.checkInvite(ctx, tx, hook, actor, in.ProjectID, email, in.Role, externalID)
		if err == nil {
			err = s.checkProjectDomain(ctx, tx, project, email)
		}
		if err == nil {
			err = s.quotaError(c, email)
		}
		if err != nil {
			return err
		}
		lang := inviteLocale(given, project, in.AcceptLanguage)
		inv = &Invite{ID: newID(), Email: email, ProjectID: projectOrService(in.ProjectID), Role: in.Role, ExternalID: externalID, InviterID: actor, Status: StatusPending,
			Locale: lang, Note: note}
		if err := s.issue(ctx, tx, inv, inviter, project); err != nil {
			return err
		}
		return inviteConflict(s.recordWith(ctx, tx, hook, tx.NewInsert().Model(inv), s.inviteEvents(inv, actor)...))
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

// validateWords checks the input's locale and note and returns them in their stored forms.
func (in CreateInviteInput) validateWords() (lang, note *string, err error) {
	if lang, err = normalizeLocale("locale", in.Locale); err != nil {
		return nil, nil, err
	}
	if note, err = normalizeNote("note", in.Note); err != nil {
		return nil, nil, err
	}
	return lang, note, nil
}

// inviteEvents are the tracked events of a new invite sent by actor: two for any invite, and
// two more for an invite to a project.
func (s *core) inviteEvents(inv *Invite, actor uuid.UUID) []*Event {
	events := []*Event{
		s.event(EventCreatedUserInvite, inv.ProjectID, actor, inv, ""),
		s.event(EventUserInvited, inv.ProjectID, uuid.Nil, inv, inv.Email),
	}
	if !inv.ForService() {
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
	if err := s.expireDue(ctx, tx, ServiceProjectID, email); err != nil {
		return err
	}
	return checkNotInvited(ctx, tx, ServiceProjectID, email, uuid.Nil)
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
func checkNotInvited(ctx context.Context, tx bun.Tx, projectID uuid.UUID, email string, except uuid.UUID) error {
	q := tx.NewSelect().Model((*Invite)(nil)).Where("i.project_id = ? AND i.email = ? AND i.status = 'PENDING' AND i.id <> ?",
		projectID, email, except)
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
	data := mail.InvitationData{ProjectID: inv.ProjectID, To: inv.Email, InviterName: inviter.Name, Link: s.cfg.AppURL + "/invite/" + token, ExpiresAt: inv.ExpiresAt,
		Locale: inv.Locale, Note: deref(inv.Note)}
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
