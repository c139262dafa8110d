package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// claim makes a locked, settled invite ACCEPTED by user and, for a project invite, creates the
// membership with the invite's role and external ID; a member already keeps their membership
// as it is. It returns the membership (nil for an invite to the service), or *revokedOnClaim.
//
// Two statements and the event hook's (issue 25): one reads what the claim must still hold (the
// inviter's authority, the project's domain rule), one writes the membership, the accepted
// invite and the events.
func (s *core) claim(ctx context.Context, tx bun.Tx, inv *Invite, user *User) (*Member, error) {
	if err := inv.claimable(); err != nil {
		return nil, err
	}
	var project string
	if inv.ProjectID != nil {
		var err error
		if project, err = s.checkClaim(ctx, tx, inv); err != nil {
			return nil, err
		}
	}
	now := s.now()
	claimed := s.event(EventClaimedUserInvite, inv.ProjectID, user.ID, inv, inv.Email)
	inv.Status, inv.InviteeID, inv.ClaimedAt, inv.UpdatedAt = StatusAccepted, &user.ID, &now, now
	accept := tx.NewUpdate().Model(inv).Column("status", "invitee_id", "claimed_at", "updated_at").WherePK()
	if inv.ProjectID == nil {
		return nil, s.recordWith(ctx, tx, accept, claimed)
	}
	// The membership takes the invite's external ID; the accepted invite keeps it as a
	// record, no longer counting as a holder since it is not pending.
	m := &Member{ID: newID(), ProjectID: *inv.ProjectID, UserID: user.ID, Role: *inv.Role, ExternalID: inv.ExternalID, CreatedAt: now, UpdatedAt: now}
	m, joined, err := s.joinOnClaim(ctx, tx, m, accept, claimed, s.event(EventJoinedProject, inv.ProjectID, user.ID, inv, inv.Email))
	if err != nil || !joined {
		return m, err
	}
	// Written to the invite's locale: the language the invitee was addressed in.
	return m, s.welcome(ctx, tx, m, project, user, inv.Locale, false)
}

// checkClaim returns *revokedOnClaim where the invite's inviter may no longer send it (no
// longer a member, or its role no longer below theirs), and EMAIL_DOMAIN_NOT_ALLOWED where its
// project now admits only other domains (see CheckDomainAllowed); one statement. It returns
// the project's name, for the welcome. The caller shares the project's lock, which every
// change of a role or of the domain rule takes whole.
func (s *core) checkClaim(ctx context.Context, tx bun.Tx, inv *Invite) (string, error) {
	var c struct {
		Found       bool     `bun:"found"`
		Name        string   `bun:"name"`
		InviterRole *Role    `bun:"inviter_role"`
		Restricted  bool     `bun:"restricted"`
		Domains     []string `bun:"domains,array"`
	}
	err := s.scanUnprepared(ctx, tx, tx.NewRaw(`SELECT true AS found, p.name, (SELECT role FROM project_members WHERE project_id = p.id AND user_id = ?) AS inviter_role,
			p.restrict_to_domains AS restricted,
			ARRAY(SELECT domain FROM project_domains WHERE project_id = p.id AND verified_at IS NOT NULL ORDER BY domain) AS domains
		FROM projects AS p WHERE p.id = ?`, inv.InviterID, *inv.ProjectID), &c)
	switch {
	case err != nil:
		return "", err
	case !c.Found:
		return "", Errorf(NotFound, "project not found")
	case c.InviterRole == nil || CanInvite(*c.InviterRole, *inv.Role) != nil:
		return "", &revokedOnClaim{inv.ID}
	case c.Restricted:
		return "", domainRefusal(c.Domains, inv.Email)
	}
	return c.Name, nil
}

// joinOnClaimSQL inserts the membership unless the user is a member already (m), accepts the
// invite (a) and records the claim's event (c) and, for a new membership only, the join's:
// the statement returns the join event's id, or nothing.
const joinOnClaimSQL = `WITH m AS (?),
	a AS (?),
	c AS (?)
	INSERT INTO activity_events (id, project_id, name, actor_id, invite_id, email, created_at)
	SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM m)
	RETURNING id`

// joinOnClaim runs joinOnClaimSQL for the new membership m and returns the membership the user
// has: m, or the one they had already (joined false).
func (s *core) joinOnClaim(ctx context.Context, tx bun.Tx, m *Member, accept *bun.UpdateQuery, claimed, joined *Event) (*Member, bool, error) {
	var ids []uuid.UUID
	err := s.scanUnprepared(ctx, tx, tx.NewRaw(joinOnClaimSQL, tx.NewInsert().Model(m).On("CONFLICT (project_id, user_id) DO NOTHING").Returning("id"), accept, tx.NewInsert().Model(claimed),
		joined.ID, joined.ProjectID, joined.Name, joined.ActorID, joined.InviteID, joined.Email, joined.CreatedAt), &ids)
	if err != nil {
		return nil, false, err
	}
	if len(ids) == 0 {
		if m, err = member(ctx, tx, m.ProjectID, m.UserID, "member"); err != nil {
			return nil, false, err
		}
		return m, false, s.cfg.EventHook.Recorded(ctx, tx, []uuid.UUID{claimed.ID})
	}
	return m, true, s.cfg.EventHook.Recorded(ctx, tx, []uuid.UUID{claimed.ID, joined.ID})
}
