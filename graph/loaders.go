package graph

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/invites/invites/graph/model"
	"github.com/invites/invites/internal/invites"
)

// Batching. Every object that a field names by ID (an invite's inviter, invitee and project,
// a member's user and project, an event's actor and invite) is read through a loader, which
// batches and caches for one request. Keys reach a loader two ways:
//
//   - Expected: a resolver that returns a list (a connection's page, nodes, myInvites) hands
//     the loaders, before any item resolves, every ID its items reference (expectMembers,
//     expectInvites, expectEvents). Nothing is read then; the first item field that loads
//     one of them reads all of them in one query. A page thus costs the same statements for
//     10 items as for 100, on any machine, and a reference that no field of the query asks
//     for costs none, with nothing keyed by the schema's field names: what is read is what
//     the field resolvers load.
//   - Unexpected: any other key waits loaderWait for others (gqlgen resolves a list's items
//     concurrently) and is read with them.
//
// The lists whose items marshal inline (lists.go) rely on the first: with no concurrent items
// to wait for, an unexpected key would cost a query per item.
//
// A member page reads its members' users in its own statement; ProjectUser.user takes them
// from there, and expectMembers leaves them out.

// loaders are one response's loaders: a query's or mutation's answer, or one event of a
// subscription. Their cache must not outlive what that response may see: a WebSocket
// connection or a stream lives for hours, and loaders kept for its life would answer an event
// with a row as it was read hours before (and hold every row ever read).
type loaders struct {
	users    *loader[invites.User]
	projects *loader[invites.Project]
	invites  *loader[invites.Invite]
	// suppressions are by invite ID, of the invites whose suppression the viewer may see.
	suppressions *loader[invites.Suppression]
}

// loaderWait is how long a loader collects unexpected keys before it queries.
const loaderWait = 2 * time.Millisecond

type loadersKey struct{}

// freshLoaders gives each response its own loaders (a response interceptor: gqlgen calls it
// for every result of an operation, each event of a subscription included, with the context
// the fields resolve in).
type freshLoaders struct{ r *Resolver }

func (freshLoaders) ExtensionName() string                          { return "FreshLoaders" }
func (freshLoaders) Validate(schema graphql.ExecutableSchema) error { return nil }

func (f freshLoaders) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return next(f.r.withLoaders(ctx))
}

// withLoaders returns ctx with loaders of its own.
func (r *Resolver) withLoaders(ctx context.Context) context.Context {
	l := &loaders{
		users:    newLoader(r.Service.Users),
		projects: newLoader(r.viewerProjects),
		invites:  newLoader(r.Service.ReferencedInvites),
	}
	l.suppressions = newLoader(r.viewerSuppressions)
	return context.WithValue(ctx, loadersKey{}, l)
}

func (r *Resolver) loaders(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	// Outside a response made through NewHandler: a subscription's resolver, or a test
	// calling a resolver directly.
	return r.withLoaders(ctx).Value(loadersKey{}).(*loaders)
}

// loader reads objects of one kind by ID, in batches, caching them for the request.
type loader[T any] struct {
	fetch func(context.Context, []uuid.UUID) (map[uuid.UUID]*T, error)
	timed *dataloadgen.Loader[uuid.UUID, *T]

	mu       sync.Mutex
	expected map[uuid.UUID]*expectedBatch // every key ever expected, with its batch
}

// expectedBatch is the keys of one expect call; the first load of any of them reads them all.
type expectedBatch struct {
	ids  []uuid.UUID
	once sync.Once
	err  error
}

func newLoader[T any](fetch func(context.Context, []uuid.UUID) (map[uuid.UUID]*T, error)) *loader[T] {
	return &loader[T]{
		fetch:    fetch,
		timed:    dataloadgen.NewMappedLoader(fetch, dataloadgen.WithWait(loaderWait)),
		expected: map[uuid.UUID]*expectedBatch{},
	}
}

// expect announces keys that fields will load, to be read together at the first load of any
// of them. Keys already expected, and uuid.Nil, are left out.
func (l *loader[T]) expect(ids []uuid.UUID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := &expectedBatch{}
	for _, id := range ids {
		if _, ok := l.expected[id]; !ok && id != uuid.Nil {
			l.expected[id] = b
			b.ids = append(b.ids, id)
		}
	}
}

// load returns what the loader finds for id, nil where id names nothing (any more).
func (l *loader[T]) load(ctx context.Context, id uuid.UUID) (*T, error) {
	l.mu.Lock()
	b := l.expected[id]
	l.mu.Unlock()
	if b != nil {
		b.once.Do(func() { b.err = l.prime(ctx, b.ids) })
		if b.err != nil {
			return nil, b.err
		}
	}
	v, err := l.timed.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// loadRequired is load for a non-null field: NOT_FOUND ("<what> not found") where id names
// nothing.
func (l *loader[T]) loadRequired(ctx context.Context, id uuid.UUID, what string) (*T, error) {
	v, err := l.load(ctx, id)
	if v == nil && err == nil {
		return nil, invites.Errorf(invites.NotFound, "%s not found", what)
	}
	return v, err
}

// prime reads ids in one query and caches them; an id that names nothing is cached as nil, so
// that no later load asks again.
func (l *loader[T]) prime(ctx context.Context, ids []uuid.UUID) error {
	found, err := l.fetch(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		l.timed.Prime(id, found[id])
	}
	return nil
}

// expected gathers what lists of members, invites and events reference, so that each loader
// gets one expected batch for all of them: a mixed list (nodes) then reads each kind of
// reference in one statement, however its items are mixed.
type expected struct {
	users, projects, invites, suppressions []uuid.UUID
}

// members adds a list of members' references: their users (but those that the list came
// with) and projects.
func (e *expected) members(list []*invites.Member) {
	for _, m := range list {
		if m.User == nil {
			e.users = append(e.users, m.UserID)
		}
		e.projects = append(e.projects, m.ProjectID)
	}
}

// invitesOf adds a list of invites' references: their inviters, invitees and projects, and
// their addresses' suppressions.
func (e *expected) invitesOf(list []*invites.Invite) {
	for _, inv := range list {
		e.users = append(e.users, inv.InviterID, deref(inv.InviteeID))
		e.projects = append(e.projects, deref(inv.Project()))
		e.suppressions = append(e.suppressions, inv.ID)
	}
}

// events adds a list of events' references: their actors and invites.
func (e *expected) events(list []*invites.Event) {
	for _, ev := range list {
		e.users = append(e.users, deref(ev.ActorID))
		e.invites = append(e.invites, deref(ev.InviteID))
	}
}

// joinRequests adds a list of requests to join's references: their people, deciders and
// projects.
func (e *expected) joinRequests(list []*invites.JoinRequest) {
	for _, r := range list {
		e.users = append(e.users, r.UserID, deref(r.DecidedBy))
		e.projects = append(e.projects, r.ProjectID)
	}
}

// expect announces everything gathered, one batch per loader.
func (l *loaders) expect(e *expected) {
	l.users.expect(e.users)
	l.projects.expect(e.projects)
	l.invites.expect(e.invites)
	l.suppressions.expect(e.suppressions)
}

// expectMembers announces what a list of members references.
func (l *loaders) expectMembers(list []*invites.Member) {
	var e expected
	e.members(list)
	l.expect(&e)
}

// expectInvites announces what a list of invites references.
func (l *loaders) expectInvites(list []*invites.Invite) {
	var e expected
	e.invitesOf(list)
	l.expect(&e)
}

// expectBulk announces what a bulk invite's results reference: their invites' and members'.
func (l *loaders) expectBulk(results []model.BulkInviteResult) {
	var invs []*invites.Invite
	var members []*invites.Member
	for _, r := range results {
		switch r := r.(type) {
		case model.NewInvitation:
			invs = append(invs, r.Invite)
		case model.ExistingInvitation:
			invs = append(invs, r.Invite)
		case model.FailedInvite:
			if r.ExistingInvite != nil {
				invs = append(invs, r.ExistingInvite)
			}
		case model.ExistingMember:
			members = append(members, r.Member)
		}
	}
	l.expectInvites(invs)
	l.expectMembers(members)
}

// expectEvents announces what a list of events references.
func (l *loaders) expectEvents(list []*invites.Event) {
	var e expected
	e.events(list)
	l.expect(&e)
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

// user is a user that a non-null field names.
func (r *Resolver) user(ctx context.Context, id uuid.UUID) (*invites.User, error) {
	return r.loaders(ctx).users.loadRequired(ctx, id, "user")
}

// userOrNil is a user that a nullable field names; a deleted account reads as null.
func (r *Resolver) userOrNil(ctx context.Context, id uuid.UUID) (*invites.User, error) {
	return r.loaders(ctx).users.load(ctx, id)
}

// referencedProject is the project that a visible invite or membership names, with the
// viewer's role in it where they have one.
func (r *Resolver) referencedProject(ctx context.Context, id uuid.UUID) (*invites.Project, error) {
	return r.loaders(ctx).projects.loadRequired(ctx, id, "project")
}

// referencedInvite is the invite an event names; nil once the sweep has deleted it.
func (r *Resolver) referencedInvite(ctx context.Context, id uuid.UUID) (*invites.Invite, error) {
	return r.loaders(ctx).invites.load(ctx, id)
}

// viewerSuppressions reads the suppressions of invites' addresses that the viewer may see
// (none for an anonymous caller).
func (r *Resolver) viewerSuppressions(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*invites.Suppression, error) {
	viewer, err := r.optionalViewer(ctx)
	if err != nil || viewer == nil {
		return nil, err
	}
	return r.Service.SuppressionsOf(ctx, viewer.ID, ids)
}
