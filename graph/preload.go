package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"github.com/invites/invites/internal/invites"
)

// Preloading. A page's items ask the loaders for what they name (an invite's inviter, a
// member's user) as gqlgen reaches them, and a loader batches what arrives within its wait; a
// slow machine can split a page's keys into two batches. So a connection resolver that has its
// page fetches, in one query each, what the query's selection will ask of its items, and
// primes the loaders with it: the count of queries is then the same for every page size, on
// every machine.

// selects reports whether the current field's selection reaches path, through fragments.
func selects(ctx context.Context, path ...string) bool {
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

// preload fetches ids in one query and primes l with them; an id that names nothing is primed
// as nil, so that no later load asks again.
func preload[T any](ctx context.Context, l *dataloadgen.Loader[uuid.UUID, *T], fetch func(context.Context, []uuid.UUID) (map[uuid.UUID]*T, error), ids []uuid.UUID) error {
	ids = distinct(ids)
	if len(ids) == 0 {
		return nil
	}
	found, err := fetch(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		l.Prime(id, found[id])
	}
	return nil
}

func distinct(ids []uuid.UUID) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if id != uuid.Nil && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// preloadUsers primes the users loader with the users that the selection at path will ask for.
func (r *Resolver) preloadUsers(ctx context.Context, ids func() []uuid.UUID, paths ...[]string) error {
	for _, p := range paths {
		if selects(ctx, p...) {
			return preload(ctx, r.loaders(ctx).users, r.Service.Users, ids())
		}
	}
	return nil
}

// preloadProjects primes the projects loader with the projects the selection at path will ask for.
func (r *Resolver) preloadProjects(ctx context.Context, ids func() []uuid.UUID, path ...string) error {
	if !selects(ctx, path...) {
		return nil
	}
	return preload(ctx, r.loaders(ctx).projects, r.viewerProjects, ids())
}

// preloadInvites primes the loaders for a list of invites: their inviters and invitees and
// their projects, as far as the selection under prefix asks for them.
func (r *Resolver) preloadInvites(ctx context.Context, list []*invites.Invite, prefix ...string) error {
	at := func(field string) []string { return append(append([]string{}, prefix...), field) }
	err := r.preloadUsers(ctx, func() []uuid.UUID {
		var ids []uuid.UUID
		for _, inv := range list {
			ids = append(ids, inv.InviterID)
			if inv.InviteeID != nil {
				ids = append(ids, *inv.InviteeID)
			}
		}
		return ids
	}, at("inviter"), at("invitee"))
	if err != nil {
		return err
	}
	return r.preloadProjects(ctx, func() []uuid.UUID {
		var ids []uuid.UUID
		for _, inv := range list {
			if inv.ProjectID != nil {
				ids = append(ids, *inv.ProjectID)
			}
		}
		return ids
	}, at("project")...)
}

// preloadMembers primes the loaders for a list of members: their users and projects, as far
// as the selection under prefix asks for them.
func (r *Resolver) preloadMembers(ctx context.Context, list []*invites.Member, prefix ...string) error {
	at := func(field string) []string { return append(append([]string{}, prefix...), field) }
	err := r.preloadUsers(ctx, func() []uuid.UUID {
		ids := make([]uuid.UUID, len(list))
		for i, m := range list {
			ids[i] = m.UserID
		}
		return ids
	}, at("user"))
	if err != nil {
		return err
	}
	return r.preloadProjects(ctx, func() []uuid.UUID {
		ids := make([]uuid.UUID, len(list))
		for i, m := range list {
			ids[i] = m.ProjectID
		}
		return ids
	}, at("project")...)
}

// preloadEvents primes the loaders for a list of events: their actors and invites, as far as
// the selection under prefix asks for them.
func (r *Resolver) preloadEvents(ctx context.Context, list []*invites.Event, prefix ...string) error {
	at := func(field string) []string { return append(append([]string{}, prefix...), field) }
	err := r.preloadUsers(ctx, func() []uuid.UUID {
		var ids []uuid.UUID
		for _, e := range list {
			if e.ActorID != nil {
				ids = append(ids, *e.ActorID)
			}
		}
		return ids
	}, at("actor"))
	if err != nil || !selects(ctx, at("invite")...) {
		return err
	}
	var ids []uuid.UUID
	for _, e := range list {
		if e.InviteID != nil {
			ids = append(ids, *e.InviteID)
		}
	}
	return preload(ctx, r.loaders(ctx).invites, r.Service.ReferencedInvites, ids)
}
