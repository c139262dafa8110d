package graph

import (
	"github.com/invites/invites/graph/model"
	"github.com/invites/invites/internal/invites"
)

// pageArgs turns a connection's arguments into the domain's; the schema's default for first
// applies when a client sends null explicitly too.
func pageArgs(first *int, after *string) invites.PageArgs {
	a := invites.PageArgs{First: 50}
	if first != nil {
		a.First = *first
	}
	if after != nil {
		a.After = *after
	}
	return a
}

func pageInfo[T any](p *invites.Page[T]) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: p.HasNextPage}
	if n := len(p.Cursors); n > 0 {
		info.EndCursor = &p.Cursors[n-1]
	}
	return info
}

func projectConnection(p *invites.Page[*invites.Project]) *model.ProjectConnection {
	c := &model.ProjectConnection{Edges: make([]*model.ProjectEdge, len(p.Items)), PageInfo: pageInfo(p), TotalCount: p.TotalCount}
	for i, it := range p.Items {
		c.Edges[i] = &model.ProjectEdge{Cursor: p.Cursors[i], Node: it}
	}
	return c
}

func authPayload(s *invites.Session) *model.AuthPayload {
	return &model.AuthPayload{Token: s.Token, User: s.User}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
