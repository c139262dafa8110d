package invites

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Member is a membership: a user's role in a project.
type Member struct {
	bun.BaseModel `bun:"table:project_members,alias:m"`

	ID         uuid.UUID `bun:"id,pk,type:uuid"`
	ProjectID  uuid.UUID `bun:"project_id,type:uuid"`
	UserID     uuid.UUID `bun:"user_id,type:uuid"`
	Role       Role      `bun:"role"`
	ExternalID *string   `bun:"external_id"`
	CreatedAt  time.Time `bun:"created_at"`
	UpdatedAt  time.Time `bun:"updated_at"`

	// User is the member's account, without its password hash, where the reader joined it
	// (the member page does, in its one statement: a page of members is read with its
	// people), else nil.
	User *User `bun:"-" json:"-"`
}

// member reads userID's membership of the project; NOT_FOUND when there is none.
func member(ctx context.Context, db bun.IDB, projectID, userID uuid.UUID, what string) (*Member, error) {
	m := new(Member)
	err := db.NewSelect().Model(m).Where("project_id = ? AND user_id = ?", projectID, userID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "%s not found", what)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// requireRole returns the viewer's membership of the project when its role is at least min:
// NOT_FOUND for a non-member (who may not know the project exists), FORBIDDEN below min.
func requireRole(ctx context.Context, db bun.IDB, projectID, viewer uuid.UUID, min Role) (*Member, error) {
	m, err := member(ctx, db, projectID, viewer, "project")
	if err != nil {
		return nil, err
	}
	if err := HasMinRole(m.Role, min); err != nil {
		return nil, err
	}
	return m, nil
}

// viewerRole checks the viewer's role in p, the project as the viewer read it, against min.
// The role read with p in the same request (Project, Projects and the project loader read it
// with the project) is taken as it is, so that a page of the project spends no statement on
// it; a project without one (&Project{ID: id}) has it read now.
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below min).
func (s *core) viewerRole(ctx context.Context, viewer uuid.UUID, p *Project, min Role) (Role, error) {
	if p.ViewerRole != nil {
		return *p.ViewerRole, HasMinRole(*p.ViewerRole, min)
	}
	m, err := requireRole(ctx, s.read(ctx), p.ID, viewer, min)
	if err != nil {
		return "", err
	}
	return m.Role, nil
}

// Members lists a project's members, newest first, optionally of one role and matching a
// search (f). A member's external ID is shown to ADMIN and above and to the member; others
// see none, and their search does not match it. project is the project as the viewer read it
// (see viewerRole).
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below CONTRIBUTOR), BAD_USER_INPUT.
func (s *ProjectService) Members(ctx context.Context, viewer uuid.UUID, project *Project, f MemberFilter, args PageArgs) (*Page[*Member], error) {
	w, err := args.parse()
	if err != nil {
		return nil, err
	}
	pattern, err := searchPattern(f.Search)
	if err != nil {
		return nil, err
	}
	myRole, err := s.viewerRole(ctx, viewer, project, MinRoleToListMembers)
	if err != nil {
		return nil, err
	}
	l := newList("project_members AS m", "m.created_at", "m.id").where("m.project_id = ?", project.ID)
	if f.Role != nil {
		if err := checkRole("role", *f.Role); err != nil {
			return nil, err
		}
		l.where("m.role = ?", string(*f.Role))
	}
	if pattern != "" {
		search := memberSearch(pattern, viewer, myRole.AtLeast(MinRoleToSeeExternalIDs))
		l.where(search.sql, search.args...)
	}
	db := s.read(ctx)
	q := db.NewSelect().Model((*Member)(nil)).ColumnExpr(memberPageColumns).
		// A lateral subquery with its LIMIT is looked up by the key for each member of the page,
		// where a plain join lets the planner hash the whole users table when it is small.
		Join(`JOIN LATERAL (SELECT * FROM users AS u WHERE u.id = m.user_id LIMIT 1) AS u ON true`)
	p, err := fetchPageScanned(ctx, db, q, l, w, func(m *Member) cursor { return cursor{At: m.CreatedAt, ID: m.ID} }, byHand(scanMemberRow))
	if err != nil {
		return nil, err
	}
	for _, m := range p.Items {
		if !CanSeeExternalID(viewer, &myRole, m.UserID) {
			m.ExternalID = nil
		}
	}
	return p, nil
}

// memberPageColumns are what the member page reads of each member and their account, in the
// order scanMemberRow reads them.
const memberPageColumns = `m.id, m.project_id, m.user_id, m.role, m.external_id, m.created_at, m.updated_at,
	u.id, u.email, u.name, u.email_verified_at, u.created_at`

// scanMemberRow reads a row of memberPageColumns: bun's reflective scan of the member page
// was a quarter of its CPU. TestPages_ScanAsBun holds it to what bun reads.
func scanMemberRow(rows *sql.Rows, m *Member) error {
	m.User = new(User)
	return rows.Scan(&m.ID, &m.ProjectID, &m.UserID, &m.Role, &m.ExternalID, &m.CreatedAt, &m.UpdatedAt,
		&m.User.ID, &m.User.Email, &m.User.Name, &m.User.EmailVerifiedAt, &m.User.CreatedAt)
}

// UpdateMemberInput is what updateMember takes: a new role, an external ID ("" clears it), or
// both.
type UpdateMemberInput struct {
	ProjectID  uuid.UUID
	UserID     uuid.UUID
	Role       *Role
	ExternalID *string
}

// UpdateMember changes a member's role and/or external ID under the authority rule. Nobody
// changes their own role; an ADMIN or OWNER may set their own external ID.
//
// Errors: BAD_USER_INPUT (nothing to change, role, externalId), NOT_FOUND (project or member),
// FORBIDDEN, EXTERNAL_ID_TAKEN.
func (s *ProjectService) UpdateMember(ctx context.Context, actor uuid.UUID, in UpdateMemberInput) (*Member, error) {
	externalID, err := in.validate()
	if err != nil {
		return nil, err
	}
	var target *Member
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var me *Member
		var err error
		if me, target, err = s.lockMembers(ctx, tx, actor, in.ProjectID, in.UserID); err != nil {
			return err
		}
		if in.Role != nil {
			if err := CanChangeRole(me, target, *in.Role); err != nil {
				return err
			}
		}
		if in.ExternalID != nil {
			if err := CanSetExternalID(me, target); err != nil {
				return err
			}
		}
		if in.ExternalID != nil {
			if err := s.checkExternalIDFreeNow(ctx, tx, in.ProjectID, externalID, target.UserID); err != nil {
				return err
			}
			target.ExternalID = externalID
		}
		if in.Role != nil {
			target.Role = *in.Role
		}
		target.UpdatedAt = s.now()
		if _, err := tx.NewUpdate().Model(target).Column("role", "external_id", "updated_at").WherePK().Exec(ctx); err != nil {
			return inviteConflict(err)
		}
		if in.Role != nil {
			if err := s.revokeOrphans(ctx, tx, in.ProjectID, target.UserID, &target.Role); err != nil {
				return err
			}
		}
		email, err := userEmail(ctx, tx, target.UserID)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, s.event(EventUpdatedMember, in.ProjectID, actor, nil, email))
	})
	if err != nil {
		return nil, err
	}
	return target, nil
}

// validate checks the input and returns its external ID in its stored form.
func (in UpdateMemberInput) validate() (*string, error) {
	if in.Role == nil && in.ExternalID == nil {
		return nil, invalid("role", "give a role or an externalId to change")
	}
	if in.Role != nil {
		if err := checkRole("role", *in.Role); err != nil {
			return nil, err
		}
	}
	return normalizeExternalID("externalId", in.ExternalID)
}

// lockMembers locks the project and reads the actor's and the target's memberships.
func (s *core) lockMembers(ctx context.Context, tx bun.Tx, actor, projectID, userID uuid.UUID) (me, target *Member, err error) {
	if _, err := s.lockProject(ctx, tx, projectID); err != nil {
		return nil, nil, err
	}
	if me, err = member(ctx, tx, projectID, actor, "project"); err != nil {
		return nil, nil, err
	}
	if target, err = member(ctx, tx, projectID, userID, "member"); err != nil {
		return nil, nil, err
	}
	return me, target, nil
}

// RemoveMember removes another member under the authority rule (leaving is leaveProject).
//
// Errors: NOT_FOUND, FORBIDDEN.
func (s *ProjectService) RemoveMember(ctx context.Context, actor, projectID, userID uuid.UUID) error {
	_, err := s.removeMember(ctx, actor, projectID, userID)
	return err
}

// removeMember is RemoveMember, returning the membership as it was.
func (s *core) removeMember(ctx context.Context, actor, projectID, userID uuid.UUID) (*Member, error) {
	var target *Member
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var me *Member
		var err error
		if me, target, err = s.lockMembers(ctx, tx, actor, projectID, userID); err != nil {
			return err
		}
		if err := CanRemove(me, target); err != nil {
			return err
		}
		return s.deleteMember(ctx, tx, target, EventRemovedMember, actor)
	})
	if err != nil {
		return nil, err
	}
	return target, nil
}

// deleteMember ends a membership (removed or left), under the project's lock, and revokes the
// member's pending invites to the project with it.
func (s *core) deleteMember(ctx context.Context, tx bun.Tx, m *Member, event string, actor uuid.UUID) error {
	email, err := userEmail(ctx, tx, m.UserID)
	if err != nil {
		return err
	}
	if _, err := tx.NewDelete().Model(m).WherePK().Exec(ctx); err != nil {
		return err
	}
	if err := s.revokeOrphans(ctx, tx, m.ProjectID, m.UserID, nil); err != nil {
		return err
	}
	return s.record(ctx, tx, s.event(event, m.ProjectID, actor, nil, email))
}

// revokeOrphans keeps a member's pending invites to the project within their authority when
// that authority shrinks: called in the transaction that removes the member, sees them leave
// or changes their role (newRole; nil when they are no longer a member), under the project's
// lock, it revokes each of their pending invites that they could no longer send (CanInvite
// with newRole), recording "Revoked User Invite" with no actor. So the invites page never
// lists as pending an invite that would fail at its claim. The claim still checks the inviter
// again (claims.go), for what changes otherwise.
//
// It is the one place of this rule: the member's invite links that they could no longer make
// are revoked here too (revokeOrphanLinks).
func (s *core) revokeOrphans(ctx context.Context, tx bun.Tx, projectID, userID uuid.UUID, newRole *Role) error {
	now := s.now()
	var pending []*Invite
	err := tx.NewSelect().Model(&pending).
		Where("project_id = ? AND inviter_id = ? AND status = 'PENDING' AND expires_at > ?", projectID, userID, now).
		For("UPDATE").Scan(ctx)
	if err != nil {
		return err
	}
	for _, inv := range pending {
		if newRole != nil && CanInvite(*newRole, *inv.Role) == nil {
			continue
		}
		if err := s.end(ctx, tx, inv, StatusRevoked, EventRevokedUserInvite, uuid.Nil); err != nil {
			return err
		}
	}
	return s.revokeOrphanLinks(ctx, tx, projectID, userID, newRole)
}

// revokeOrphanLinks is revokeOrphans for the member's invite links that can still be used:
// each that they could no longer create (CanCreateInviteLink with newRole) is revoked, with
// "Revoked Invite Link" and no actor.
func (s *core) revokeOrphanLinks(ctx context.Context, tx bun.Tx, projectID, userID uuid.UUID, newRole *Role) error {
	var links []*InviteLink
	err := tx.NewSelect().Model(&links).
		Where("project_id = ? AND created_by = ? AND revoked_at IS NULL AND expires_at > ?", projectID, userID, s.now()).
		Where("max_uses IS NULL OR uses < max_uses").
		For("UPDATE").Scan(ctx)
	if err != nil {
		return err
	}
	for _, l := range links {
		if newRole != nil && CanCreateInviteLink(*newRole, l.Role) == nil {
			continue
		}
		if err := s.revokeLink(ctx, tx, l, uuid.Nil); err != nil {
			return err
		}
	}
	return nil
}

// LeaveProject ends the actor's own membership. The OWNER cannot leave: a project keeps its
// owner, so ownership is transferred first.
//
// Errors: NOT_FOUND, LAST_OWNER.
func (s *ProjectService) LeaveProject(ctx context.Context, actor, projectID uuid.UUID) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.lockProject(ctx, tx, projectID); err != nil {
			return err
		}
		me, err := member(ctx, tx, projectID, actor, "project")
		if err != nil {
			return err
		}
		if me.Role == RoleOwner {
			return Errorf(LastOwner, "the owner cannot leave; transfer ownership to an admin first")
		}
		return s.deleteMember(ctx, tx, me, EventLeftProject, actor)
	})
}

// TransferOwnership makes an ADMIN the project's OWNER and the old owner an ADMIN.
//
// Errors: NOT_FOUND (project or member), FORBIDDEN (the actor is not the OWNER),
// BAD_USER_INPUT on userId (the member named is not an ADMIN; with reason LIMIT_EXCEEDED,
// they own ProjectLimit projects already).
func (s *ProjectService) TransferOwnership(ctx context.Context, actor, projectID, userID uuid.UUID) (*Project, error) {
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		me, target, err := s.lockMembers(ctx, tx, actor, projectID, userID)
		if err != nil {
			return err
		}
		if err := CanTransferOwnership(me); err != nil {
			return err
		}
		if target.Role != RoleAdmin {
			return &Error{Code: BadUserInput, Field: "userId", Message: fmt.Sprintf("ownership goes only to an ADMIN; this member is %s", target.Role)}
		}
		if err := s.checkOwnedProjects(ctx, tx, target.UserID, "userId"); err != nil {
			return err
		}
		if err := s.checkTransferDomain(ctx, tx, projectID, target.UserID); err != nil {
			return err
		}
		now := s.now()
		// The old owner steps down first: the database allows one OWNER per project.
		for _, change := range []struct {
			m    *Member
			role Role
		}{{me, RoleAdmin}, {target, RoleOwner}} {
			change.m.Role, change.m.UpdatedAt = change.role, now
			if _, err := tx.NewUpdate().Model(change.m).Column("role", "updated_at").WherePK().Exec(ctx); err != nil {
				return err
			}
		}
		// The old owner, now ADMIN, keeps only the invites an ADMIN may send.
		if err := s.revokeOrphans(ctx, tx, projectID, me.UserID, &me.Role); err != nil {
			return err
		}
		email, err := userEmail(ctx, tx, target.UserID)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, s.event(EventTransferredOwnership, projectID, actor, nil, email))
	})
	if err != nil {
		return nil, err
	}
	return s.Project(ctx, actor, projectID)
}
