package invites

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail"
)

// inviteToClaim is an invite read locked for its claim (lockToClaim), with what the claim must
// still hold, read by the same statement.
type inviteToClaim struct {
	Invite `bun:",extend"`
	// ProjectName is the invite's project's name (for the welcome), nil when it has none.
	ProjectName *string `bun:"claim_project_name,scanonly"`
	// InviterRole is the inviter's role in the project now, nil when no longer a member.
	InviterRole *Role `bun:"claim_inviter_role,scanonly"`
	// Restricted and Domains are the project's domain rule (see CheckDomainAllowed).
	Restricted bool     `bun:"claim_restricted,scanonly"`
	Domains    []string `bun:"claim_domains,array,scanonly"`
	// Endpoints is the project's count of enabled webhook endpoints (see hookFor).
	Endpoints int `bun:"claim_endpoints,scanonly"`
}

// claimColumns are inviteToClaim's own columns, read beside the invite AS i.
const claimColumns = `(SELECT name FROM projects WHERE id = i.project_id) AS claim_project_name,
	(SELECT role FROM project_members WHERE project_id = i.project_id AND user_id = i.inviter_id) AS claim_inviter_role,
	COALESCE((SELECT restrict_to_domains FROM projects WHERE id = i.project_id), false) AS claim_restricted,
	ARRAY(SELECT domain FROM project_domains WHERE project_id = i.project_id AND verified_at IS NOT NULL ORDER BY domain) AS claim_domains,
	COALESCE((SELECT enabled_webhook_endpoints FROM projects WHERE id = i.project_id), 0) AS claim_endpoints`

// lockToClaim locks the invite id for update and reads it settled, with what its claim must
// still hold; one statement. The caller shares the invite's project's lock already (lockInvite
// and the claims' lockClaimProjects), which every change of a role or of the domain rule takes
// whole: what this statement reads of them stays true until the commit.
func (s *core) lockToClaim(ctx context.Context, tx bun.Tx, id uuid.UUID) (*inviteToClaim, error) {
	c := new(inviteToClaim)
	q := selectInvites(tx).ColumnExpr(claimColumns).Where("i.id = ?", id).For("UPDATE OF i")
	if err := s.scanUnprepared(ctx, tx, q, c); errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "invite not found")
	} else if err != nil {
		return nil, err
	}
	c.settle(s.now())
	return c, nil
}

// relockToClaim is lockToClaim for an invite read in tx without a lock (its project known):
// it shares the project's lock first.
func (s *core) relockToClaim(ctx context.Context, tx bun.Tx, inv *Invite) (*inviteToClaim, error) {
	if !inv.ForService() {
		if _, err := s.shareProject(ctx, tx, inv.ProjectID); err != nil {
			return nil, err
		}
	}
	return s.lockToClaim(ctx, tx, inv.ID)
}

// check returns *revokedOnClaim where the invite's inviter may no longer send it (no longer a
// member, or its role no longer below theirs), and EMAIL_DOMAIN_NOT_ALLOWED where its project
// now admits only other domains (see CheckDomainAllowed).
func (c *inviteToClaim) check() error {
	switch {
	case c.ProjectName == nil:
		return Errorf(NotFound, "project not found")
	case c.InviterRole == nil || CanInvite(*c.InviterRole, *c.Role) != nil:
		return &revokedOnClaim{c.ID}
	case c.Restricted:
		return domainRefusal(c.Domains, c.Email)
	}
	return nil
}

// claim makes a locked, settled invite ACCEPTED by user and, for a project invite, creates the
// membership with the invite's role and external ID and queues the welcome; a member already
// keeps their membership as it is. It returns the membership (nil for an invite to the
// service), or *revokedOnClaim.
//
// One statement writes the membership, the accepted invite, the events and the welcome's
// email; then the event hook's and the welcome's job (issue 25).
func (s *core) claim(ctx context.Context, tx bun.Tx, c *inviteToClaim, user *User) (*Member, error) {
	inv := &c.Invite
	if err := inv.claimable(); err != nil {
		return nil, err
	}
	if !inv.ForService() {
		if err := c.check(); err != nil {
			return nil, err
		}
	}
	now := s.now()
	claimed := s.event(EventClaimedUserInvite, inv.ProjectID, user.ID, inv, inv.Email)
	inv.Status, inv.InviteeID, inv.ClaimedAt, inv.UpdatedAt = StatusAccepted, &user.ID, &now, now
	accept := tx.NewUpdate().Model(inv).Column("status", "invitee_id", "claimed_at", "updated_at").WherePK()
	if inv.ForService() {
		return nil, s.recordWith(ctx, tx, noEventHook{}, accept, claimed) // the service's: no endpoint
	}
	// The membership takes the invite's external ID; the accepted invite keeps it as a
	// record, no longer counting as a holder since it is not pending.
	m := &Member{ID: newID(), ProjectID: inv.ProjectID, UserID: user.ID, Role: *inv.Role, ExternalID: inv.ExternalID, CreatedAt: now, UpdatedAt: now}
	// Written to the invite's locale: the language the invitee was addressed in.
	welcome, err := s.mailer.Prepare(s.welcomeMessage(m, *c.ProjectName, user, inv.Locale, false))
	if err != nil {
		return nil, err
	}
	join := joinOnClaim{m: m, accept: accept, claimed: claimed, welcome: welcome, hook: s.hookFor(c.Endpoints),
		joined: s.event(EventJoinedProject, inv.ProjectID, user.ID, inv, inv.Email)}
	return s.joinOnClaim(ctx, tx, join)
}

// joinOnClaimSQL inserts the membership unless the user is a member already (m), accepts the
// invite (a), records the claim's event (c) and, for a new membership only, writes the
// welcome's email (w) and the join's event: the statement returns the join event's id, or
// nothing.
const joinOnClaimSQL = `WITH m AS (?),
	a AS (?),
	c AS (?),
	w AS (?)
	INSERT INTO activity_events (id, project_id, name, actor_id, invite_id, email, created_at)
	SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM m)
	RETURNING id`

// joinOnClaim is what joinOnClaimSQL writes: the new membership m, the invite's accept, the
// claim's and the join's events, and the welcome.
type joinOnClaim struct {
	m               *Member
	accept          *bun.UpdateQuery
	claimed, joined *Event
	welcome         *mail.Outbox
	hook            EventHook
}

// joinOnClaim runs joinOnClaimSQL and returns the membership the user has: j.m, or the one
// they had already (then without a welcome).
func (s *core) joinOnClaim(ctx context.Context, tx bun.Tx, j joinOnClaim) (*Member, error) {
	var ids []uuid.UUID
	joined := j.joined
	err := s.scanUnprepared(ctx, tx, tx.NewRaw(joinOnClaimSQL,
		tx.NewInsert().Model(j.m).On("CONFLICT (project_id, user_id) DO NOTHING").Returning("id"), j.accept,
		tx.NewInsert().Model(j.claimed), j.welcome.Rows(tx, "EXISTS (SELECT 1 FROM m)"),
		joined.ID, joined.ProjectID, joined.Name, joined.ActorID, joined.InviteID, joined.Email, joined.CreatedAt), &ids)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		m, err := member(ctx, tx, j.m.ProjectID, j.m.UserID, "member")
		if err != nil {
			return nil, err
		}
		return m, j.hook.Recorded(ctx, tx, []uuid.UUID{j.claimed.ID})
	}
	if err := j.hook.Recorded(ctx, tx, []uuid.UUID{j.claimed.ID, joined.ID}); err != nil {
		return nil, err
	}
	return j.m, j.welcome.Send(ctx, tx)
}
