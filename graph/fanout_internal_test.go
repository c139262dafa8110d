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
