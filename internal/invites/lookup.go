package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Lookups of things that something the viewer may already see refers to: the project of a
// visible invite or membership, the invite of a visible event, the users they name. The
// caller has checked that the referring thing is visible; these show no more of the referred
// thing than its own fields. Each takes a batch of IDs in one query, for the GraphQL layer's
// dataloaders, and leaves out IDs that name nothing (a deleted account, a swept invite).

// ReferencedProjects returns projects by ID with the viewer's role in each (nil where the
// viewer, or an anonymous caller given as uuid.Nil, is not a member: an invitee sees the
// project's ID and name this way). The service project is none: it is left out.
func (s *LookupService) ReferencedProjects(ctx context.Context, viewer uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]*Project, error) {
	var list []*Project
	err := s.read(ctx).NewSelect().Model(&list).ColumnExpr("p.*").ColumnExpr("vm.role AS viewer_role").
		Join("LEFT JOIN project_members AS vm ON vm.project_id = p.id AND vm.user_id = ?", viewer).
		Where("p.id = ANY(?::uuid[]) AND p.id <> "+serviceProjectSQL, pgdialect.Array(idStrings(ids))).Scan(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*Project, len(list))
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// ReferencedInvites returns invites by ID, settled.
func (s *LookupService) ReferencedInvites(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Invite, error) {
	var list []*Invite
	err := selectInvites(s.read(ctx)).Where("i.id = ANY(?::uuid[])", pgdialect.Array(idStrings(ids))).Scan(ctx, &list)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make(map[uuid.UUID]*Invite, len(list))
	for _, inv := range list {
		out[inv.ID] = inv.settle(now)
	}
	return out, nil
}

// Users returns accounts by ID.
func (s *LookupService) Users(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*User, error) {
	var list []*User
	if err := s.read(ctx).NewSelect().Model(&list).Where("u.id = ANY(?::uuid[])", pgdialect.Array(idStrings(ids))).Scan(ctx); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*User, len(list))
	for _, u := range list {
		out[u.ID] = u
	}
	return out, nil
}

func idStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
