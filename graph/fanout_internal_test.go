package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// droppingExec is an executor whose one operation is a stream the fan-out drops at once.
type droppingExec struct{ graphql.GraphExecutor }

func (droppingExec) DispatchOperation(ctx context.Context, _ *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	end, _ := ctx.Value(streamHookKey{}).(*streamHook)
	s := &stream[int]{out: make(chan int), hook: end}
	s.End("fell behind")
	return func(context.Context) *graphql.Response {
		if _, ok := <-s.out; !ok {
			return nil
		}
		return &graphql.Response{}
	}, ctx
}

// TestWithCloseReason: over SSE and multipart HTTP, a stream the fan-out dropped gives its
// reason as a last result with UNAVAILABLE, then ends.
func TestWithCloseReason(t *testing.T) {
	ctx := context.Background()
	responses, ctx := withCloseReason(droppingExec{}).DispatchOperation(ctx, nil)
	last := responses(ctx)
	if last == nil || len(last.Errors) != 1 || last.Errors[0].Message != "fell behind" || last.Errors[0].Extensions["code"] != "UNAVAILABLE" {
		t.Fatalf("last result %+v, want the reason with UNAVAILABLE", last)
	}
	if r := responses(ctx); r != nil {
		t.Errorf("after the reason: %+v, want the end", r)
	}
}

// TestFedStream: a stream its transport feeds (WebSocket) holds liveBuffer items like any
// other, in its queue, hands them over one at a time in order, and, ended with items left,
// closes its channel only once its reader has taken them all.
func TestFedStream(t *testing.T) {
	hook := &streamHook{stops: true}
	s := newStream[int](hook)
	if !s.fed || cap(s.out) != 1 {
		t.Fatalf("fed %v, channel of %d, want a fed stream with a channel of 1", s.fed, cap(s.out))
	}
	for i := range liveBuffer {
		if !s.push([]int{i}) {
			t.Fatalf("push %d refused, want room for %d", i, liveBuffer)
		}
	}
	if s.push([]int{liveBuffer}) {
		t.Fatalf("push beyond %d items accepted, want it refused", liveBuffer)
	}
	s.End("fell behind")
	for i := range liveBuffer {
		hook.feed()
		if v, ok := <-s.out; !ok || v != i {
			t.Fatalf("read %d: %d (open %v), want %d", i, v, ok, i)
		}
	}
	hook.feed()
	if v, ok := <-s.out; ok {
		t.Fatalf("after the last item: %d, want the channel closed", v)
	}
	if s.queue != nil || hook.Reason() != "fell behind" {
		t.Errorf("queue %v, reason %q; want none kept and the reason", s.queue, hook.Reason())
	}
}
