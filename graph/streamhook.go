package graph

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// streamHook connects a subscription's stream (fanout.go) to the transport that serves it:
// the close reason the fan-out gave it, and, for a transport that reads the stream only when
// told rather than from a goroutine waiting on it all the time (wsop.go), what was written.
type streamHook struct {
	mu       sync.Mutex
	reason   string
	attached bool                        // a stream of the fan-out uses it (watch)
	ready    func(items int, ended bool) // nil: the transport reads the stream all the time

	// For a transport that ends its operations itself (wsop.go) rather than by cancelling
	// their contexts, which would then keep a list of what waits on each for its life.
	// It also feeds the stream (feed) before each read, so that the stream's channel need
	// hold one item only.
	stops   bool                   // ends the stream by stop, and feeds it
	stopped bool                   // stop was called
	onEnd   func()                 // what stop calls: the stream's end (watch)
	feeder  atomic.Pointer[func()] // puts the stream's next item in its channel (fanout.go)
}

// feeds has f called before each read of the stream, where the transport does that: true
// then, and the stream's channel may hold one item at a time.
func (h *streamHook) feeds(f func()) bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stops {
		h.feeder.Store(&f)
	}
	return h.stops
}

// feed puts the stream's next item, if any, where the transport reads it next.
func (h *streamHook) feed() {
	if f := h.feeder.Load(); f != nil {
		(*f)()
	}
}

// onStop has f called when the transport stops the operation (at once if it has); false
// when the transport does not: the stream ends with the operation's context.
func (h *streamHook) onStop(f func()) bool {
	if h == nil {
		return false
	}
	h.mu.Lock()
	if !h.stops {
		h.mu.Unlock()
		return false
	}
	stopped := h.stopped
	if !stopped {
		h.onEnd = f
	}
	h.mu.Unlock()
	if stopped {
		f()
	}
	return true
}

// stop ends the operation's stream, if it has one, once.
func (h *streamHook) stop() {
	h.mu.Lock()
	f := h.onEnd
	h.stopped, h.onEnd = true, nil
	h.mu.Unlock()
	if f != nil {
		f()
	}
}

// setReason records why the stream ends ("" for a plain end).
func (h *streamHook) setReason(reason string) {
	if h == nil || reason == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reason = reason
}

// Reason is the close reason, "" when none.
func (h *streamHook) Reason() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reason
}

// attach says that a stream of the fan-out is served through h: its writes and end will be
// told to ready.
func (h *streamHook) attach() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.attached = true
}

// isAttached reports whether a stream of the fan-out is served through h.
func (h *streamHook) isAttached() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.attached
}

// wrote tells the transport that items were written to the stream, or that it ended: reading
// it that many times (or, once ended, until its end) does not block.
func (h *streamHook) wrote(items int, ended bool) {
	if h == nil {
		return
	}
	h.mu.Lock()
	ready := h.ready
	h.mu.Unlock()
	if ready != nil {
		ready(items, ended)
	}
}

// pull reads a stream of the fan-out only when it holds something: no goroutine waits on it
// while it is idle. Told what was written (ready, from the hook), it starts a short-lived
// goroutine, one at a time, that reads and sends as many results as were written and, once
// the stream has ended, up to its end.
type pull struct {
	mu       sync.Mutex
	next     func() bool // reads and sends one result; false once the stream is over
	pending  int         // items written and not read yet
	ended    bool        // the stream has ended: reading it no longer blocks
	draining bool        // a goroutine is reading it
	done     bool        // its last result was read
}

// start sets how a result is read and sent, and sends what was written before.
func (p *pull) start(next func() bool) {
	p.mu.Lock()
	p.next = next
	p.mu.Unlock()
	p.ready(0, false)
}

// ready is told that items were written, or that the stream ended.
func (p *pull) ready(items int, ended bool) {
	p.mu.Lock()
	p.pending += items
	p.ended = p.ended || ended
	read := p.next != nil && !p.draining && !p.done && (p.pending > 0 || p.ended)
	p.draining = p.draining || read
	p.mu.Unlock()
	if read {
		go p.drain()
	}
}

func (p *pull) drain() {
	for {
		p.mu.Lock()
		if p.pending == 0 && !p.ended {
			p.draining = false
			p.mu.Unlock()
			return
		}
		p.pending = max(p.pending-1, 0)
		next := p.next
		p.mu.Unlock()
		if !next() {
			p.mu.Lock()
			p.done, p.draining = true, false
			p.mu.Unlock()
			return
		}
	}
}

type streamHookKey struct{}

// withStreamHook returns ctx carrying a new streamHook, for an operation's transport.
func withStreamHook(ctx context.Context) (context.Context, *streamHook) {
	h := &streamHook{}
	return withHook(ctx, h), h
}

// withHook returns ctx carrying h.
func withHook(ctx context.Context, h *streamHook) context.Context {
	return context.WithValue(ctx, streamHookKey{}, h)
}

// withCloseReason wraps exec for a transport that knows nothing of close reasons (SSE,
// multipart HTTP): a stream the fan-out dropped gives one last result, its reason as an
// error (UNAVAILABLE), before it ends.
func withCloseReason(exec graphql.GraphExecutor) graphql.GraphExecutor { return reasonExec{exec} }

type reasonExec struct{ graphql.GraphExecutor }

func (e reasonExec) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	end, _ := ctx.Value(streamHookKey{}).(*streamHook)
	if end == nil { // the transport's own, where it has one (ssestream.go)
		ctx, end = withStreamHook(ctx)
	}
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
