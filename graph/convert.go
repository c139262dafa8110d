package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/invites/invites/graph/model"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/webhooks"
)

// pageArgs turns a connection's arguments into the domain's, which checks them.
func pageArgs(first *int, after *string, last *int, before *string) invites.PageArgs {
	return invites.PageArgs{First: first, After: deref(after), Last: last, Before: deref(before)}
}

// selectedPage is pageArgs for the connection field resolved in ctx, skipping what its
// selection leaves out: a count of the whole list, and the flag on the side of the cursor a
// page starts from, cost a statement each.
func selectedPage(ctx context.Context, first *int, after *string, last *int, before *string) invites.PageArgs {
	a := pageArgs(first, after, last, before)
	a.Skip = invites.PageSkip{
		TotalCount:      !selects(ctx, totalCountPath),
		HasPreviousPage: !selects(ctx, hasPreviousPagePath),
		HasNextPage:     !selects(ctx, hasNextPagePath),
	}
	return a
}

// The paths, under a connection field, of what costs a statement of its own. Every
// connection type of the schema has them: TestPagePaths_InSchema fails when a rename would
// make selectedPage skip what the query asks for.
var (
	totalCountPath      = []string{"totalCount"}
	hasPreviousPagePath = []string{"pageInfo", "hasPreviousPage"}
	hasNextPagePath     = []string{"pageInfo", "hasNextPage"}
)

// selects reports whether the current field's selection reaches path, through fragments.
func selects(ctx context.Context, path []string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	return selectionReaches(graphql.GetOperationContext(ctx), fc.Field.Selections, path)
}

func selectionReaches(op *graphql.OperationContext, set ast.SelectionSet, path []string) bool {
	for _, f := range graphql.CollectFields(op, set, nil) {
		if f.Name == path[0] && (len(path) == 1 || selectionReaches(op, f.Selections, path[1:])) {
			return true
		}
	}
	return false
}

func pageInfo[T any](p *invites.Page[T]) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: p.HasNextPage, HasPreviousPage: p.HasPreviousPage}
	if n := len(p.Cursors); n > 0 {
		info.StartCursor, info.EndCursor = &p.Cursors[0], &p.Cursors[n-1]
	}
	return info
}

// connection builds a connection from a page: edge makes one edge, conn the whole.
func connection[T, E, C any](p *invites.Page[T], edge func(cursor string, node T) E, conn func([]E, *model.PageInfo, int) C) C {
	edges := make([]E, len(p.Items))
	for i, it := range p.Items {
		edges[i] = edge(p.Cursors[i], it)
	}
	return conn(edges, pageInfo(p), p.TotalCount)
}

func projectConnection(p *invites.Page[*invites.Project]) *model.ProjectConnection {
	return connection(p, func(c string, n *invites.Project) *model.ProjectEdge { return &model.ProjectEdge{Cursor: c, Node: n} },
		func(e []*model.ProjectEdge, info *model.PageInfo, total int) *model.ProjectConnection {
			return &model.ProjectConnection{Edges: e, PageInfo: info, TotalCount: total}
		})
}

func memberConnection(p *invites.Page[*invites.Member]) *model.ProjectUserConnection {
	return connection(p, func(c string, n *invites.Member) *model.ProjectUserEdge {
		return &model.ProjectUserEdge{Cursor: c, Node: n}
	},
		func(e []*model.ProjectUserEdge, info *model.PageInfo, total int) *model.ProjectUserConnection {
			return &model.ProjectUserConnection{Edges: e, PageInfo: info, TotalCount: total}
		})
}

func inviteConnection(p *invites.Page[*invites.Invite]) *model.UserInviteConnection {
	return connection(p, func(c string, n *invites.Invite) *model.UserInviteEdge {
		return &model.UserInviteEdge{Cursor: c, Node: n}
	},
		func(e []*model.UserInviteEdge, info *model.PageInfo, total int) *model.UserInviteConnection {
			return &model.UserInviteConnection{Edges: e, PageInfo: info, TotalCount: total}
		})
}

func eventConnection(p *invites.Page[*invites.Event]) *model.ActivityEventConnection {
	return connection(p, func(c string, n *invites.Event) *model.ActivityEventEdge {
		return &model.ActivityEventEdge{Cursor: c, Node: n}
	},
		func(e []*model.ActivityEventEdge, info *model.PageInfo, total int) *model.ActivityEventConnection {
			return &model.ActivityEventConnection{Edges: e, PageInfo: info, TotalCount: total}
		})
}

func linkConnection(p *invites.Page[*invites.InviteLink]) *model.InviteLinkConnection {
	return connection(p, func(c string, n *invites.InviteLink) *model.InviteLinkEdge {
		return &model.InviteLinkEdge{Cursor: c, Node: n}
	},
		func(e []*model.InviteLinkEdge, info *model.PageInfo, total int) *model.InviteLinkConnection {
			return &model.InviteLinkConnection{Edges: e, PageInfo: info, TotalCount: total}
		})
}

func joinRequestConnection(p *invites.Page[*invites.JoinRequest]) *model.JoinRequestConnection {
	return connection(p, func(c string, n *invites.JoinRequest) *model.JoinRequestEdge {
		return &model.JoinRequestEdge{Cursor: c, Node: n}
	},
		func(e []*model.JoinRequestEdge, info *model.PageInfo, total int) *model.JoinRequestConnection {
			return &model.JoinRequestConnection{Edges: e, PageInfo: info, TotalCount: total}
		})
}

func deliveryConnection(p *invites.Page[*webhooks.Delivery]) *model.WebhookDeliveryConnection {
	return connection(p, func(c string, n *webhooks.Delivery) *model.WebhookDeliveryEdge {
		return &model.WebhookDeliveryEdge{Cursor: c, Node: n}
	},
		func(e []*model.WebhookDeliveryEdge, info *model.PageInfo, total int) *model.WebhookDeliveryConnection {
			return &model.WebhookDeliveryConnection{Edges: e, PageInfo: info, TotalCount: total}
		})
}

func authPayload(s *invites.Session) *model.AuthPayload {
	return &model.AuthPayload{Token: s.Token, User: s.User}
}

// deref is *p, or T's zero value where p is nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func parseOptionalID(what string, id *string) (*uuid.UUID, error) {
	if id == nil {
		return nil, nil
	}
	u, err := invites.ParseID(what, *id)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func parseMemberIDs(projectID, userID string) (uuid.UUID, uuid.UUID, error) {
	pid, err := invites.ParseID("project", projectID)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	uid, err := invites.ParseID("member", userID)
	return pid, uid, err
}

func inviteRef(in model.InviteRefInput) invites.InviteRef {
	return invites.InviteRef{Token: deref(in.Token), InviteID: deref(in.InviteID)}
}
