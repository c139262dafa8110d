package live

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// The fan-out by change: a subscription is a plain Entry in the hub, with no goroutine or
// query of its own. Each project with entries has one feed: one goroutine that takes the
// project's changes in order and hands each, with the entries then subscribed, to the Fanout,
// which reads the change once for them all and writes it to each entry's Target without
// waiting on any. A feed that falls behind ends its entries, each with a close reason.

// ReasonBehind is the close reason of an entry dropped for falling behind. Entries ended
// otherwise (the listener lost changes, the server shuts down, the viewer lost the right to
// watch) end plainly, as before: their clients subscribe again and learn the state then.
const ReasonBehind = "this subscription fell behind the project's changes; subscribe again"

// Target is where an entry's changes go: its transport's stream.
type Target interface {
	// End ends the stream, with a reason to tell the client ("" for a plain end); it is
	// called once.
	End(reason string)
}

// Entry is one subscriber served by the fan-out.
type Entry struct {
	Kind    Kind      // what it watches
	Viewer  uuid.UUID // who watches
	Session string    // the key the Fanout re-checks the viewer's authority by
	Target  Target

	feed  *feed
	ended bool // under hub.mu
}

// Fanout delivers one change of a project to its entries (all of them, whatever they watch).
// It runs on the project's feed, one change at a time, and must not block on a slow entry:
// it calls hub.End with a reason for those that cannot keep up.
type Fanout func(ctx context.Context, c Change, entries []*Entry)

// fanoutTimeout bounds the reads of one change.
const fanoutTimeout = 30 * time.Second

// feed is a project's queue of changes and its entries.
type feed struct {
	project uuid.UUID
	entries map[*Entry]struct{}
	queue   chan Change
}

// SetFanout sets what delivers the changes to entries; call it before the first Join.
func (h *Hub) SetFanout(f Fanout) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fanout = f
}

// Join adds e to project's entries, starting the project's feed if it has none.
func (h *Hub) Join(project uuid.UUID, e *Entry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	f := h.feeds[project]
	if f == nil {
		f = &feed{project: project, entries: map[*Entry]struct{}{}, queue: make(chan Change, h.buffer)}
		h.feeds[project] = f
		go h.run(f, h.fanout)
	}
	e.feed = f
	f.entries[e] = struct{}{}
	return nil
}

// run hands f's changes to fanout until f's queue closes (its last entry left).
func (h *Hub) run(f *feed, fanout Fanout) {
	for c := range f.queue {
		h.mu.Lock()
		entries := make([]*Entry, 0, len(f.entries))
		for e := range f.entries {
			entries = append(entries, e)
		}
		h.mu.Unlock()
		if len(entries) == 0 || fanout == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), fanoutTimeout)
		fanout(ctx, c, entries)
		cancel()
	}
}

// Leave removes e without ending its Target (its subscriber has gone); it may be called more
// than once, and after End.
func (h *Hub) Leave(e *Entry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.leave(e)
}

// End removes e and ends its Target with reason, unless it has ended already.
func (h *Hub) End(e *Entry, reason string) {
	h.mu.Lock()
	ended := e.ended
	h.leave(e)
	h.mu.Unlock()
	if !ended {
		e.Target.End(reason)
	}
}

// leave removes e from its feed, and the feed from the hub once empty, under h.mu.
func (h *Hub) leave(e *Entry) {
	if e.ended {
		return
	}
	e.ended = true
	f := e.feed
	delete(f.entries, e)
	if len(f.entries) == 0 && h.feeds[f.project] == f {
		delete(h.feeds, f.project)
		close(f.queue)
	}
}

// endFeed ends every entry of f with reason and removes f, under h.mu; the Targets are ended
// by the caller, outside the lock, with the entries returned.
func (h *Hub) endFeed(f *feed) []*Entry {
	ended := make([]*Entry, 0, len(f.entries))
	for e := range f.entries {
		e.ended = true
		ended = append(ended, e)
	}
	f.entries = map[*Entry]struct{}{}
	if h.feeds[f.project] == f {
		delete(h.feeds, f.project)
		close(f.queue)
	}
	return ended
}

// publishFeed queues c on its project's feed, under h.mu; a feed whose queue is full is ended,
// its entries returned for the caller to end.
func (h *Hub) publishFeed(c Change) []*Entry {
	f := h.feeds[c.Project]
	if f == nil {
		return nil
	}
	select {
	case f.queue <- c:
		return nil
	default:
		return h.endFeed(f)
	}
}

// endTargets ends the Targets of entries already removed, with reason.
func endTargets(entries []*Entry, reason string) {
	for _, e := range entries {
		e.Target.End(reason)
	}
}
