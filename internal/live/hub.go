// Package live carries the changes that subscriptions (live updates) show from PostgreSQL to
// the subscribers of this replica.
//
// The changes are published by the database itself: statement-level triggers (migration
// 20261129015000_live_updates) call pg_notify on the channel "live" in the transaction that
// makes the change, so a change is delivered to every replica on commit and never on a
// rollback, and a statement that writes 10,000 rows sends a handful of notifications rather
// than 10,000. Each replica runs one Listener: one dedicated connection that LISTENs and hands
// every notification to the Hub, which fans it out to the subscribers of its project.
// Notifications carry IDs only: a project's feed (feed.go) reads what changed once for all its
// subscribers, after re-checking their viewers' authority in one statement.
package live

import (
	"encoding/json"
	"errors"
	"sync"

	"github.com/google/uuid"
)

// Channel is the PostgreSQL notification channel of the changes.
const Channel = "live"

// Kind is what a change concerns.
type Kind string

// The kinds of change.
const (
	// KindInvite: invites created or changed (IDs are invite IDs).
	KindInvite Kind = "invite"
	// KindActivity: tracked events recorded (IDs are event IDs).
	KindActivity Kind = "activity"
	// KindMember: members whose role changed or who left (IDs are user IDs).
	KindMember Kind = "member"
	// KindJoinRequest: requests to join made or decided (IDs are request IDs).
	KindJoinRequest Kind = "join_request"
)

// Change is one notification: IDs of one kind in one project.
type Change struct {
	Kind    Kind        `json:"k"`
	Project uuid.UUID   `json:"p"`
	IDs     []uuid.UUID `json:"ids"`
}

// ParseChange reads a notification's payload.
func ParseChange(payload string) (Change, error) {
	var c Change
	if err := json.Unmarshal([]byte(payload), &c); err != nil {
		return c, err
	}
	switch c.Kind {
	case KindInvite, KindActivity, KindMember, KindJoinRequest:
	default:
		return c, errors.New("live: unknown kind of change " + string(c.Kind))
	}
	return c, nil
}

// ErrClosed is what Subscribe answers once the hub is closed (the server is shutting down).
var ErrClosed = errors.New("live: the server is shutting down")

// Hub fans changes out to the subscribers of each project. Publish never blocks: a subscriber
// whose buffer is full is ended (its channel closed) rather than slowing the others.
type Hub struct {
	buffer int

	mu      sync.Mutex
	subs    map[uuid.UUID]map[*Sub]struct{}
	feeds   map[uuid.UUID]*feed
	fanout  Fanout
	onClose map[*func()]struct{}
	closed  bool
	done    chan struct{}
}

// NewHub returns a hub whose subscribers each buffer up to buffer changes (at least 1).
func NewHub(buffer int) *Hub {
	return &Hub{buffer: max(buffer, 1), subs: map[uuid.UUID]map[*Sub]struct{}{}, feeds: map[uuid.UUID]*feed{}, done: make(chan struct{})}
}

// Sub is one subscriber to one project's changes.
type Sub struct {
	hub     *Hub
	project uuid.UUID
	c       chan Change
	ended   bool // under hub.mu
}

// C delivers the project's changes; it is closed when the subscriber falls behind, when the
// listener lost changes (its connection dropped) or when the hub closes.
func (s *Sub) C() <-chan Change { return s.c }

// Subscribe starts delivering project's changes.
func (h *Hub) Subscribe(project uuid.UUID) (*Sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	s := &Sub{hub: h, project: project, c: make(chan Change, h.buffer)}
	set := h.subs[project]
	if set == nil {
		set = map[*Sub]struct{}{}
		h.subs[project] = set
	}
	set[s] = struct{}{}
	return s, nil
}

// Close stops delivering to s; it may be called more than once.
func (s *Sub) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	h.end(s)
}

// end removes s and closes its channel, under h.mu.
func (h *Hub) end(s *Sub) {
	if s.ended {
		return
	}
	s.ended = true
	close(s.c)
	if set := h.subs[s.project]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.subs, s.project)
		}
	}
}

// Publish hands c to its project's subscribers and feed.
func (h *Hub) Publish(c Change) {
	h.mu.Lock()
	for s := range h.subs[c.Project] {
		select {
		case s.c <- c:
		default:
			h.end(s) // too slow: ended, so that it re-reads rather than missing changes unseen
		}
	}
	behind := h.publishFeed(c)
	h.mu.Unlock()
	endTargets(behind, ReasonBehind)
}

// EndAll ends every subscriber: the listener may have missed changes, so each stream ends and
// its client, resubscribing, reads the current state.
func (h *Hub) EndAll() {
	h.mu.Lock()
	for _, set := range h.subs {
		for s := range set {
			h.end(s)
		}
	}
	var ended []*Entry
	for _, f := range h.feeds {
		ended = append(ended, h.endFeed(f)...)
	}
	h.mu.Unlock()
	endTargets(ended, "")
}

// Close ends every subscriber and refuses new ones; Done is closed.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	close(h.done)
	fs := h.onClose
	h.onClose = nil
	h.mu.Unlock()
	h.EndAll()
	for f := range fs {
		(*f)()
	}
}

// OnClose calls f when the hub closes (at once if it has closed), unless stop is called first:
// a live connection ends then, without a goroutine of its own waiting on Done.
func (h *Hub) OnClose(f func()) (stop func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		go f()
		return func() {}
	}
	if h.onClose == nil {
		h.onClose = map[*func()]struct{}{}
	}
	key := &f
	h.onClose[key] = struct{}{}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.onClose, key)
	}
}

// Done is closed when the hub closes: live connections end then.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Subscribers counts the subscribers (for tests and metrics).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.subs {
		n += len(set)
	}
	for _, f := range h.feeds {
		n += len(f.entries)
	}
	return n
}
