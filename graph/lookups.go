package graph

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/invites/invites/internal/invites"
)

// loaders batch the lookups that list items make (a page of invites naming their inviters,
// invitees and projects; a page of members naming their users), so that a page costs the same
// number of queries for 10 items as for 100. They live for one request: their cache must not
// outlive what the request may see.
type loaders struct {
	users    *dataloadgen.Loader[uuid.UUID, *invites.User]
	projects *dataloadgen.Loader[uuid.UUID, *invites.Project]
	invites  *dataloadgen.Loader[uuid.UUID, *invites.Invite]
}

// loaderWait is how long a loader collects keys before it queries: gqlgen resolves a list's
// items concurrently, so they all arrive within it.
const loaderWait = 2 * time.Millisecond

type loadersKey struct{}

// withLoaders gives each request its own loaders.
func (r *Resolver) withLoaders(ctx context.Context) context.Context {
	l := &loaders{
		users:    dataloadgen.NewMappedLoader(r.Service.Users, dataloadgen.WithWait(loaderWait)),
		projects: dataloadgen.NewMappedLoader(r.viewerProjects, dataloadgen.WithWait(loaderWait)),
		invites:  dataloadgen.NewMappedLoader(r.Service.ReferencedInvites, dataloadgen.WithWait(loaderWait)),
	}
	return context.WithValue(ctx, loadersKey{}, l)
}

// viewerProjects reads projects with the viewer's role in each.
func (r *Resolver) viewerProjects(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*invites.Project, error) {
	viewer, err := r.optionalViewer(ctx)
	if err != nil {
		return nil, err
	}
	viewerID := uuid.Nil
	if viewer != nil {
		viewerID = viewer.ID
	}
	return r.Service.ReferencedProjects(ctx, viewerID, ids)
}

func (r *Resolver) loaders(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	// Outside a request made through NewHandler (a test calling a resolver directly).
	return r.withLoaders(ctx).Value(loadersKey{}).(*loaders)
}

// load returns what a loader finds for id, nil where id names nothing any more.
func load[T any](ctx context.Context, l *dataloadgen.Loader[uuid.UUID, *T], id uuid.UUID) (*T, error) {
	v, err := l.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// user is a user that a non-null field names.
func (r *Resolver) user(ctx context.Context, id uuid.UUID) (*invites.User, error) {
	u, err := load(ctx, r.loaders(ctx).users, id)
	if u == nil && err == nil {
		return nil, invites.Errorf(invites.NotFound, "user not found")
	}
	return u, err
}

// userOrNil is a user that a nullable field names; a deleted account reads as null.
func (r *Resolver) userOrNil(ctx context.Context, id uuid.UUID) (*invites.User, error) {
	return load(ctx, r.loaders(ctx).users, id)
}

// referencedProject is the project that a visible invite or membership names, with the
// viewer's role in it where they have one.
func (r *Resolver) referencedProject(ctx context.Context, id uuid.UUID) (*invites.Project, error) {
	p, err := load(ctx, r.loaders(ctx).projects, id)
	if p == nil && err == nil {
		return nil, invites.Errorf(invites.NotFound, "project not found")
	}
	return p, err
}

// referencedInvite is the invite an event names; nil once the sweep has deleted it.
func (r *Resolver) referencedInvite(ctx context.Context, id uuid.UUID) (*invites.Invite, error) {
	return load(ctx, r.loaders(ctx).invites, id)
}
