package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/live"
)

// The fan-out of live updates by change (SPEC §18): a subscription is a plain live.Entry in
// the hub, and each project's feed hands every change to fanOut, which re-checks the authority
// of all the project's subscribed viewers in one statement (invites.LiveStandings), reads what
// changed once per kind (LiveInvites, LiveEvents: what they show does not depend on the role,
// ADMIN and above alike), and writes it to each subscriber's channel without waiting: one
// whose buffer is full is ended with a close reason rather than slowing the others.

// liveBuffer is how many items a subscriber's channel holds before it is dropped as too slow.
const liveBuffer = 64

// stream is one subscriber's channel, the live.Target of its entry.
type stream[T any] struct {
	mu     sync.Mutex
	out    chan T
	closed bool
	end    *streamEnd // where the transport reads the close reason; nil: none
}

// push writes items without blocking; false when the buffer is full (or the stream closed).
func (s *stream[T]) push(items []T) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || cap(s.out)-len(s.out) < len(items) {
		return false
	}
	for _, it := range items {
		s.out <- it
	}
	return true
}

// End closes the channel, recording reason for the transport.
func (s *stream[T]) End(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.end != nil && reason != "" {
		s.end.set(reason)
	}
	close(s.out)
}

// pusher is a stream whose items are of one kind's type.
type pusher interface{ pushAny(items any) bool }

func (s *stream[T]) pushAny(items any) bool {
	list, _ := items.([]T)
	return s.push(list)
}

// minRoleToWatch is the role each kind of stream needs, at subscription and at every change.
func minRoleToWatch(k live.Kind) invites.Role {
	switch k {
	case live.KindActivity:
		return invites.MinRoleToWatchActivity
	case live.KindJoinRequest:
		return invites.MinRoleToDecideJoinRequests
	}
	return invites.MinRoleToWatchInvites
}

// fanOut delivers change c to the project's entries: at most two statements whatever their
// number (the standings of their sessions, then what changed).
func (r *Resolver) fanOut(ctx context.Context, c live.Change, entries []*live.Entry) {
	concerned := entries[:0:0]
	for _, e := range entries {
		if e.Kind == c.Kind || (c.Kind == live.KindMember && slices.Contains(c.IDs, e.Viewer)) {
			concerned = append(concerned, e)
		}
	}
	if len(concerned) == 0 {
		return
	}
	hub := r.Live.Hub
	allowed := r.stillAllowed(ctx, c.Project, concerned)
	if len(allowed) == 0 || c.Kind == live.KindMember {
		return
	}
	items, err := r.loadChange(ctx, c)
	if err != nil {
		for _, e := range allowed {
			hub.End(e, "")
		}
		return
	}
	for _, e := range allowed {
		if !e.Target.(pusher).pushAny(items) {
			hub.End(e, live.ReasonBehind)
		}
	}
}

// stillAllowed returns those of entries whose session is still valid, still their viewer's,
// and whose viewer still has the role their kind needs; the others are ended (a plain end,
// as when they subscribe again they are told why).
func (r *Resolver) stillAllowed(ctx context.Context, project uuid.UUID, entries []*live.Entry) []*live.Entry {
	keys := make([]string, 0, len(entries))
	for _, e := range entries {
		keys = append(keys, e.Session)
	}
	slices.Sort(keys)
	standings, err := r.Service.LiveStandings(ctx, project, slices.Compact(keys))
	allowed := entries[:0:0]
	for _, e := range entries {
		st, ok := standings[e.Session]
		switch {
		case err != nil:
			r.Live.Hub.End(e, "")
		case ok && st.User == e.Viewer && st.Role.AtLeast(minRoleToWatch(e.Kind)):
			allowed = append(allowed, e)
		default:
			r.Live.Hub.End(e, "")
		}
	}
	return allowed
}

// loadChange reads what c changed, once for every subscriber: a []*invites.Invite, a
// []*invites.Event or a []*invites.JoinRequest.
func (r *Resolver) loadChange(ctx context.Context, c live.Change) (any, error) {
	switch c.Kind {
	case live.KindActivity:
		return r.Service.LiveEvents(ctx, c.Project, c.IDs)
	case live.KindJoinRequest:
		return r.Service.LiveJoinRequests(ctx, c.Project, c.IDs)
	}
	return r.Service.LiveInvites(ctx, c.Project, c.IDs)
}

// streamEnd carries a stream's close reason from the fan-out to the transport that serves it
// (wsconn.go sends it as the operation's error).
type streamEnd struct {
	mu     sync.Mutex
	reason string
}

func (e *streamEnd) set(reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reason = reason
}

// Reason is the close reason, "" when none.
func (e *streamEnd) Reason() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reason
}

type streamEndKey struct{}

// withStreamEnd returns ctx carrying a new streamEnd, for an operation's transport.
func withStreamEnd(ctx context.Context) (context.Context, *streamEnd) {
	e := &streamEnd{}
	return context.WithValue(ctx, streamEndKey{}, e), e
}

// withCloseReason wraps exec for a transport that knows nothing of close reasons (SSE,
// multipart HTTP): a stream the fan-out dropped gives one last result, its reason as an
// error (UNAVAILABLE), before it ends.
func withCloseReason(exec graphql.GraphExecutor) graphql.GraphExecutor { return reasonExec{exec} }

type reasonExec struct{ graphql.GraphExecutor }

func (e reasonExec) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	ctx, end := withStreamEnd(ctx)
	next, ctx := e.GraphExecutor.DispatchOperation(ctx, rc)
	told := false
	return func(ctx context.Context) *graphql.Response {
		resp := next(ctx)
		if resp != nil || told {
			return resp
		}
		if reason := end.Reason(); reason != "" {
			told = true
			return &graphql.Response{Errors: gqlerror.List{{Message: reason, Extensions: map[string]any{"code": string(invites.Unavailable)}}}}
		}
		return nil
	}, ctx
}
