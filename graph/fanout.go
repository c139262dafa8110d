package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/google/uuid"

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
	mu        sync.Mutex
	out       chan T
	queue     []T  // a fed stream's items not yet in out; nil while it is idle
	fed       bool // out holds one item at a time, fed before each read (feed)
	closed    bool // ended: out is closed once queue is empty
	outClosed bool
	hook      *streamHook // the transport's (streamhook.go); nil: none
}

// newStream is a stream for hook's transport: where the transport feeds it (WebSocket,
// wsop.go), its channel holds one item and the others wait in a queue, which an idle
// subscriber does not have, rather than a buffer of liveBuffer items each keeps for its life.
func newStream[T any](hook *streamHook) *stream[T] {
	s := &stream[T]{hook: hook}
	if s.fed = hook.feeds(s.feed); s.fed {
		s.out = make(chan T, 1)
	} else {
		s.out = make(chan T, liveBuffer)
	}
	return s
}

// push writes items without blocking; false when the buffer is full (or the stream closed).
func (s *stream[T]) push(items []T) bool {
	s.mu.Lock()
	room := cap(s.out) - len(s.out)
	if s.fed {
		room = liveBuffer - len(s.out) - len(s.queue)
	}
	if s.closed || room < len(items) {
		s.mu.Unlock()
		return false
	}
	if s.fed {
		s.queue = append(s.queue, items...)
	} else {
		for _, it := range items {
			s.out <- it
		}
	}
	s.mu.Unlock()
	s.hook.wrote(len(items), false)
	return true
}

// feed puts a fed stream's next item in its channel, before its reader reads it; once the
// stream has ended and every item is in the channel, it closes the channel.
func (s *stream[T]) feed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.out) == 0 && len(s.queue) > 0 {
		s.out <- s.queue[0]
		s.queue = s.queue[1:]
		if len(s.queue) == 0 {
			s.queue = nil // idle again: no slice kept
		}
	}
	if s.closed && len(s.queue) == 0 && !s.outClosed {
		s.outClosed = true
		close(s.out)
	}
}

// End closes the channel (a fed stream's once its reader has taken the queue), recording
// reason for the transport.
func (s *stream[T]) End(reason string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.hook.setReason(reason)
	if len(s.queue) == 0 {
		s.outClosed = true
		close(s.out)
	}
	s.mu.Unlock()
	s.hook.wrote(0, true)
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
