package invites

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
)

// Lookups of things that something the viewer may already see refers to: the project of a
// visible invite or membership, the invite of a visible event. The caller has checked that the
// referring thing is visible; these show no more of the referred thing than its own fields.

// ReferencedProject returns a project with the viewer's role in it (nil where the viewer, or
// an anonymous caller given as uuid.Nil, is not a member: an invitee sees the project's ID and
// name this way).
func (s *Service) ReferencedProject(ctx context.Context, viewer, id uuid.UUID) (*Project, error) {
	p := new(Project)
	err := s.db.NewSelect().Model(p).ColumnExpr("p.*").ColumnExpr("vm.role AS viewer_role").
		Join("LEFT JOIN project_members AS vm ON vm.project_id = p.id AND vm.user_id = ?", viewer).
		Where("p.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(NotFound, "project not found")
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ReferencedInvite returns an invite, settled, or nil once it has been deleted.
func (s *Service) ReferencedInvite(ctx context.Context, id uuid.UUID) (*Invite, error) {
	inv, err := s.inviteByID(ctx, s.db, id, false)
	if ErrorCode(err) == NotFound {
		return nil, nil
	}
	return inv, err
}
