package graph

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/invites/invites/internal/invites"
)

// The operations of a graphql-transport-ws socket. A subscription served by the fan-out
// (fanout.go) has no goroutine of its own waiting on its stream: the fan-out tells it when it
// writes to the stream or ends it (streamHook), and a short-lived goroutine, one at a time
// per operation, sends what the stream then holds. An idle subscription is thus memory only,
// no goroutine stack. Queries, mutations and subscriptions that fail at once run in a
// goroutine until their last result, as before.

// wsOp is one running operation.
type wsOp struct {
	id      string
	cancel  context.CancelFunc
	errored bool // an error message was sent: no complete follows

	// Set before the operation's results are read, then read only by its one reader.
	ctx       context.Context
	rc        *graphql.OperationContext
	responses graphql.ResponseHandler
	hook      *streamHook // set when the operation is made: it may be stopped at any time

	pull pull // a stream of the fan-out's: read when it holds something (streamhook.go)
}

// start validates the operation and dispatches it; a request error (a syntax error, a limit)
// is its one error message.
func (c *wsConn) start(ctx context.Context, op *wsOp, params *graphql.RawParams) {
	start := graphql.Now()
	ctx = graphql.StartOperationTrace(ctx)
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	rc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		c.sendError(op, resp.Errors)
		c.finish(op)
		return
	}
	ctx = withHook(graphql.WithOperationContext(ctx, rc), op.hook)
	op.rc = rc
	op.hook.ready = op.pull.ready
	if !c.dispatch(ctx, op) {
		return
	}
	if !op.hook.isAttached() { // not a stream of the fan-out: read until its end
		go func() {
			for c.next(op) {
			}
		}()
		return
	}
	forget(rc)
	op.pull.start(func() bool { return c.next(op) }) // and send what the fan-out wrote meanwhile
}

// end cancels the operation's context and ends its stream of the fan-out, if it has one.
func (op *wsOp) end() {
	op.cancel()
	op.hook.stop()
}

// forget drops what an idle subscription's operation context keeps and no event needs: the
// document's text (parsed, validated and cached already), the request's extensions and
// headers, and the statistics of its start (the complexity extension's among them). Its
// document, operation and variables stay: each event's response is made from them.
func forget(rc *graphql.OperationContext) {
	rc.RawQuery = ""
	rc.Extensions = nil
	rc.Headers = nil
	rc.Stats = graphql.Stats{}
}

// dispatch starts the operation (a subscription's resolver runs here); false if it panicked,
// its error sent.
func (c *wsConn) dispatch(ctx context.Context, op *wsOp) (ok bool) {
	defer c.recoverOp(ctx, op, &ok)
	op.responses, op.ctx = c.exec.DispatchOperation(ctx, op.rc)
	return true
}

// recoverOp turns a panic of the operation into its error message, and finishes it.
func (c *wsConn) recoverOp(ctx context.Context, op *wsOp, ok *bool) {
	p := recover()
	if p == nil {
		return
	}
	*ok = false
	err := op.rc.Recover(ctx, p)
	gqlErr, isGQL := errors.AsType[*gqlerror.Error](err)
	if !isGQL {
		gqlErr = &gqlerror.Error{Message: "internal error", Extensions: map[string]any{"code": string(invites.Internal)}}
	}
	c.sendError(op, gqlerror.List{gqlErr})
	c.finish(op)
}

// next reads op's next result and sends it; false once op is over (it has then finished, its
// close reason sent if the fan-out dropped it).
func (c *wsConn) next(op *wsOp) (more bool) {
	defer c.recoverOp(op.ctx, op, &more)
	op.hook.feed()
	resp := op.responses(op.ctx)
	if resp == nil {
		if reason := op.hook.Reason(); reason != "" { // dropped by the fan-out (fanout.go)
			c.sendError(op, gqlerror.List{{Message: reason, Extensions: map[string]any{"code": string(invites.Unavailable)}}})
		}
		c.finish(op)
		return false
	}
	b, err := json.Marshal(resp)
	if err != nil {
		panic(err)
	}
	c.sendOp(op, wsMessage{Type: msgNext, ID: op.id, Payload: b})
	return true
}

func (c *wsConn) sendError(op *wsOp, errs gqlerror.List) {
	b, err := json.Marshal(errs)
	if err != nil {
		panic(err)
	}
	op.errored = true
	c.sendOp(op, wsMessage{Type: msgError, ID: op.id, Payload: b})
}

// finish forgets a finished operation and says complete, where the protocol wants it.
func (c *wsConn) finish(op *wsOp) {
	op.end()
	c.mu.Lock()
	mine := c.ops[op.id] == op
	if mine {
		delete(c.ops, op.id)
	}
	c.idleAgain()
	shutdown := c.closed
	c.mu.Unlock()
	if mine && !op.errored && !shutdown {
		c.send(wsMessage{Type: msgComplete, ID: op.id})
	}
}

// sendOp sends an operation's message while the client still wants it: not once it has
// completed the operation, nor once the socket is closing (an operation's context ending
// then may give a last result, an error about the cancelled context).
func (c *wsConn) sendOp(op *wsOp, m wsMessage) {
	c.mu.Lock()
	wanted := c.ops[op.id] == op && !c.closed
	c.mu.Unlock()
	if wanted {
		c.send(m)
	}
}
