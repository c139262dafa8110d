package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// The reads of live updates (subscriptions): a notification names the IDs that changed (see
// internal/live), and each subscriber reads them here under its viewer's authority, checked
// again for every notification, so that a viewer demoted or removed gets nothing more.

// WatchedInvites returns those of ids that are the project's invites, oldest first, as the
// viewer may see them now; with no ids it only checks the viewer's authority.
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN).
func (s *InviteService) WatchedInvites(ctx context.Context, viewer, projectID uuid.UUID, ids []uuid.UUID) ([]*Invite, error) {
	if _, err := requireRole(ctx, s.db, projectID, viewer, MinRoleToWatchInvites); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var list []*Invite
	err := selectInvites(s.db).Where("i.project_id = ?", projectID).Where("i.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		OrderExpr("i.created_at, i.id").Scan(ctx, &list)
	if err != nil {
		return nil, err
	}
	for _, inv := range list {
		inv.settle(s.now())
	}
	return list, nil
}

// WatchedEvents returns those of ids that are the project's tracked events, oldest first; with
// no ids it only checks the viewer's authority.
//
// Errors: NOT_FOUND (not a member), FORBIDDEN (below ADMIN).
func (s *ProjectService) WatchedEvents(ctx context.Context, viewer, projectID uuid.UUID, ids []uuid.UUID) ([]*Event, error) {
	if _, err := requireRole(ctx, s.db, projectID, viewer, MinRoleToWatchActivity); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var list []*Event
	err := s.db.NewSelect().Model(&list).Where("ev.project_id = ?", projectID).Where("ev.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		OrderExpr("ev.created_at, ev.id").Scan(ctx)
	if err != nil {
		return nil, err
	}
	return list, nil
}
