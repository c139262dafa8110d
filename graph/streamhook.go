package graph

import (
	"context"
	"sync"

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

type streamHookKey struct{}

// withStreamHook returns ctx carrying a new streamHook, for an operation's transport.
func withStreamHook(ctx context.Context) (context.Context, *streamHook) {
	h := &streamHook{}
	return context.WithValue(ctx, streamHookKey{}, h), h
}

// withCloseReason wraps exec for a transport that knows nothing of close reasons (SSE,
// multipart HTTP): a stream the fan-out dropped gives one last result, its reason as an
// error (UNAVAILABLE), before it ends.
func withCloseReason(exec graphql.GraphExecutor) graphql.GraphExecutor { return reasonExec{exec} }

type reasonExec struct{ graphql.GraphExecutor }

func (e reasonExec) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	ctx, end := withStreamHook(ctx)
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
