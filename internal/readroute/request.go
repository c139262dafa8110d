package readroute

import (
	"context"
	"sync/atomic"
)

type requestKey struct{}

// request is what the router knows of one request: whose session it is, the LSN its client
// says it last wrote at (the cookie), and whether it writes or streams.
type request struct {
	keys  []string // the session's keys in the router's memory
	after LSN      // from the client's cookie
	// primaryFor is why every read of the request goes to the primary (ReasonWrite, say);
	// empty: it may read from the replica.
	primaryFor atomic.Pointer[string]
	// wrote is the primary's LSN after the request's commit, for its response's cookie.
	wrote atomic.Uint64
}

// WithSession marks ctx as one request of the session that keys name (a token's hash, the
// client's address), whose client says it last wrote at after (0: it says nothing). Reads
// with a context not so marked (background jobs, live fan-out) always go to the primary.
func WithSession(ctx context.Context, after LSN, keys ...string) context.Context {
	return context.WithValue(ctx, requestKey{}, &request{keys: keys, after: after})
}

// Primary makes every later read of ctx's request go to the primary, for reason (ReasonWrite
// for a mutation, which must read what it just wrote and what its checks rely on).
func Primary(ctx context.Context, reason string) {
	if req := requestFrom(ctx); req != nil {
		req.primaryFor.Store(&reason)
	}
}

func requestFrom(ctx context.Context) *request {
	req, _ := ctx.Value(requestKey{}).(*request)
	return req
}

func (req *request) primaryReason() string {
	if r := req.primaryFor.Load(); r != nil {
		return *r
	}
	return ""
}
