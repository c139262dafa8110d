package invites

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// The node types of domains and requests to join (nodes.go reads them with the rest).
const (
	kindDomain      = "domain"
	kindJoinRequest = "join_request"
)

// visibleDomains: a project's domain is seen by ADMIN and above of its project (as `domains`).
func (s *core) visibleDomains(ctx context.Context, viewer *User, ids []string) (map[uuid.UUID]any, error) {
	admin, args := viewerHasRole("pd.project_id", viewer.ID, RoleAdmin)
	var list []*ProjectDomain
	err := s.read(ctx).NewSelect().Model(&list).Where("pd.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		Where(admin, args...).Scan(ctx)
	if err != nil {
		return nil, err
	}
	return byID(list, func(d *ProjectDomain) uuid.UUID { return d.ID }), nil
}

// visibleJoinRequests: a request to join is seen by ADMIN and above of its project (as
// `joinRequests`) and by the person who made it.
func (s *core) visibleJoinRequests(ctx context.Context, viewer *User, ids []string) (map[uuid.UUID]any, error) {
	admin, args := viewerHasRole("jr.project_id", viewer.ID, MinRoleToDecideJoinRequests)
	var list []*JoinRequest
	err := s.read(ctx).NewSelect().Model(&list).Where("jr.id = ANY(?::uuid[])", pgdialect.Array(ids)).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(admin, args...).WhereOr("jr.user_id = ?", viewer.ID)
		}).Scan(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, r := range list {
		r.settle(now)
	}
	return byID(list, func(r *JoinRequest) uuid.UUID { return r.ID }), nil
}
