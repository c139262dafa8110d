package invites

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// EventJoinedByDomain is recorded, beside "Joined Project", when a person joins through a
// verified domain's policy (joinProject, or AUTO at sign-up or verification); detail names the
// domain.
const EventJoinedByDomain = "Joined by Domain"

// JoinableProject is a project the viewer may join (SUGGEST, AUTO) or ask to join (REQUEST)
// through the domain of their verified email, with the role they would get.
type JoinableProject struct {
	Project *Project
	Policy  DomainPolicy
	Role    Role
	// PendingRequest is the person's own request to join it that waits for an admin, if any.
	PendingRequest *JoinRequest
}

// JoinableProjects lists, by name, the projects whose verified domain is the user's email's
// and whose policy shows it (SUGGEST, REQUEST, AUTO), and that they are not a member of. An
// unverified email sees none: a project is never shown otherwise.
func (s *DomainService) JoinableProjects(ctx context.Context, user *User) ([]*JoinableProject, error) {
	if !user.EmailVerified() {
		return []*JoinableProject{}, nil
	}
	var domains []*ProjectDomain
	err := s.db.NewSelect().Model(&domains).
		Where("pd.domain = ? AND pd.verified_at IS NOT NULL AND pd.policy <> 'OFF'", emailDomain(user.Email)).
		Where("NOT EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id = pd.project_id AND pm.user_id = ?)", user.ID).
		Scan(ctx)
	if err != nil || len(domains) == 0 {
		return []*JoinableProject{}, err
	}
	ids := make([]uuid.UUID, len(domains))
	for i, d := range domains {
		ids[i] = d.ProjectID
	}
	var projects []*Project
	if err := s.db.NewSelect().Model(&projects).Where("p.id IN (?)", bun.In(ids)).OrderExpr("p.name, p.id").Scan(ctx); err != nil {
		return nil, err
	}
	byProject := map[uuid.UUID]*ProjectDomain{}
	for _, d := range domains {
		byProject[d.ProjectID] = d
	}
	pending, err := s.pendingRequests(ctx, user.ID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*JoinableProject, len(projects))
	for i, p := range projects {
		d := byProject[p.ID]
		out[i] = &JoinableProject{Project: p, Policy: d.Policy, Role: d.DefaultRole, PendingRequest: pending[p.ID]}
	}
	return out, nil
}

// pendingRequests are the user's requests to join these projects that wait for an admin, by
// project: one statement for the whole list.
func (s *DomainService) pendingRequests(ctx context.Context, userID uuid.UUID, projectIDs []uuid.UUID) (map[uuid.UUID]*JoinRequest, error) {
	var reqs []*JoinRequest
	err := s.db.NewSelect().Model(&reqs).
		Where("jr.user_id = ? AND jr.project_id IN (?) AND jr.status = 'PENDING' AND jr.expires_at > ?", userID, bun.In(projectIDs), s.now()).
		Scan(ctx)
	out := make(map[uuid.UUID]*JoinRequest, len(reqs))
	for _, r := range reqs {
		out[r.ProjectID] = r
	}
	return out, err
}

// JoinProject makes the user a member of the project with its domain's role, where their
// verified email is at a verified domain of the project whose policy is SUGGEST (or AUTO, for
// someone verified before it was set). A member already keeps their membership as it is.
//
// Errors: NOT_FOUND (no such project, or the user's verified email is at no domain of it that
// shows it), FORBIDDEN (policy REQUEST: they may ask instead).
func (s *DomainService) JoinProject(ctx context.Context, user *User, projectID uuid.UUID) (*Member, error) {
	if !user.EmailVerified() {
		return nil, Errorf(NotFound, "project not found")
	}
	var m *Member
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		d, err := s.joinDomain(ctx, tx, projectID, user)
		if err != nil {
			return err
		}
		if _, err := s.lockProject(ctx, tx, projectID); err != nil {
			return err
		}
		if existing, err := member(ctx, tx, projectID, user.ID, "member"); err == nil {
			m = existing
			return nil
		} else if ErrorCode(err) != NotFound {
			return err
		}
		switch d.Policy {
		case PolicySuggest, PolicyAuto:
		case PolicyRequest:
			return Errorf(Forbidden, "this project admits people at %s by request: ask to join instead", d.Domain)
		default:
			return Errorf(NotFound, "project not found")
		}
		m, err = s.joinThroughDomain(ctx, tx, d, user)
		return err
	})
	return m, err
}

// joinDomain reads, locked against a policy change until tx ends, the verified domain of the
// project at the user's email's domain; NOT_FOUND when there is none or its policy is OFF.
func (s *core) joinDomain(ctx context.Context, tx bun.Tx, projectID uuid.UUID, user *User) (*ProjectDomain, error) {
	d := new(ProjectDomain)
	err := tx.NewSelect().Model(d).
		Where("project_id = ? AND domain = ? AND verified_at IS NOT NULL AND policy <> 'OFF'", projectID, emailDomain(user.Email)).
		For("SHARE").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "project not found")
	}
	return d, err
}

// joinThroughDomain adds the user to d's project with d's role and records it; a membership
// made meanwhile (by a claim in another transaction) is kept and answered.
func (s *core) joinThroughDomain(ctx context.Context, tx bun.Tx, d *ProjectDomain, user *User) (*Member, error) {
	now := s.now()
	m := &Member{ID: newID(), ProjectID: d.ProjectID, UserID: user.ID, Role: d.DefaultRole, CreatedAt: now, UpdatedAt: now}
	res, err := tx.NewInsert().Model(m).On("CONFLICT (project_id, user_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return member(ctx, tx, d.ProjectID, user.ID, "member")
	}
	project, err := projectName(ctx, tx, d.ProjectID)
	if err != nil {
		return nil, err
	}
	if err := s.welcome(ctx, tx, m, project, user, userLocale(user), false); err != nil {
		return nil, err
	}
	joined := s.event(EventJoinedByDomain, d.ProjectID, user.ID, nil, user.Email).granting(m.Role)
	detail := d.Domain
	joined.Detail = &detail
	return m, s.record(ctx, tx, joined, s.event(EventJoinedProject, d.ProjectID, user.ID, nil, user.Email).granting(m.Role))
}

// autoJoin joins the user, whose email was just verified (sign-up with an invite, email
// verification, a password reset or an invite's link proving the mailbox), to every project
// whose verified domain at their email has policy AUTO. It takes no project lock: it runs
// after the claims' locks, in an order of its own, and the domain's row (locked FOR SHARE)
// and the membership's unique key are what keep it right.
func (s *core) autoJoin(ctx context.Context, tx bun.Tx, user *User) error {
	var ids []uuid.UUID
	err := tx.NewSelect().Model((*ProjectDomain)(nil)).Column("project_id").
		Where("domain = ? AND verified_at IS NOT NULL AND policy = 'AUTO'", emailDomain(user.Email)).
		Where("NOT EXISTS (SELECT 1 FROM project_members pm WHERE pm.project_id = pd.project_id AND pm.user_id = ?)", user.ID).
		OrderExpr("project_id").Scan(ctx, &ids)
	if err != nil {
		return err
	}
	for _, projectID := range ids {
		d, err := s.joinDomain(ctx, tx, projectID, user)
		if ErrorCode(err) == NotFound || (err == nil && d.Policy != PolicyAuto) {
			continue // changed since
		} else if err != nil {
			return err
		}
		if _, err := s.joinThroughDomain(ctx, tx, d, user); err != nil {
			return err
		}
	}
	return nil
}
