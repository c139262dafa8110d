package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/invites/invites/internal/invites"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// multipartMixed serves a POST of JSON whose client asks for a multipart/mixed answer:
//   - a subscription as Apollo's multipart HTTP subscriptions
//     (apollographql.com/docs/graphos/routing/operations/subscriptions/multipart-protocol),
//     which Apollo Client's HttpLink speaks with no other link: each event a part
//     `{"payload": {"data": ..., "errors": ...}}`, a heartbeat part `{}` every keepAlive, an
//     error of the stream itself `{"payload": null, "errors": [...]}`, and the closing
//     boundary at the end. Like an SSE stream, it is one live connection of the user's
//     (openSubscription) and has no REQUEST_TIMEOUT;
//   - a query with @defer as incremental delivery (incremental.go), and any other operation
//     as postJSON answers it, within REQUEST_TIMEOUT, which this transport sets itself:
//     withDeadline cannot tell a subscription from a query before the body is read.
type multipartMixed struct {
	keepAlive time.Duration   // LIVE_KEEPALIVE
	timeout   time.Duration   // REQUEST_TIMEOUT
	shutdown  <-chan struct{} // closed when the server stops serving live updates; nil: never
}

func newMultipartMixed(r *Resolver, timeout time.Duration) multipartMixed {
	t := multipartMixed{timeout: timeout}
	if r.Live != nil {
		t.keepAlive, t.shutdown = r.Live.Limits.KeepAlive, r.Live.Hub.Done()
	}
	return t
}

// multipartBoundary is the boundary of every multipart answer: Apollo's protocol names it.
const multipartBoundary = "graphql"

func (multipartMixed) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && requestMediaType(r) == mediaJSON && prefersMultipart(r)
}

// prefersMultipart reports whether r's Accept lists multipart/mixed before any JSON type (as
// Apollo Client asks for a query with @defer), or asks for Apollo's subscription protocol
// anywhere. Clients such as urql list multipart/mixed last on every request: they get JSON.
func prefersMultipart(r *http.Request) bool {
	accept := strings.ToLower(r.Header.Get("Accept"))
	if strings.Contains(accept, "subscriptionspec=") && acceptsMultipart(r) {
		return true
	}
	for part := range strings.SplitSeq(accept, ",") {
		media, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.TrimSpace(media) {
		case "multipart/mixed":
			return true
		case mediaJSON, mediaGraphQLResponse, "application/graphql+json", "*/*", "application/*", "text/event-stream":
			return false
		}
	}
	return false
}

// acceptsMultipart reports whether r's Accept lists multipart/mixed at all.
func acceptsMultipart(r *http.Request) bool {
	for part := range strings.SplitSeq(strings.ToLower(r.Header.Get("Accept")), ",") {
		media, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(media) == "multipart/mixed" {
			return true
		}
	}
	return false
}

func (t multipartMixed) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	stream := r.Context() // a subscription's: no deadline
	ctx, cancel := context.WithTimeout(stream, t.timeout)
	defer cancel()
	r = r.WithContext(ctx)
	params, ok := readJSON(w, r, exec)
	if !ok {
		return
	}
	opCtx, ok := prepare(w, r, exec, params)
	if !ok {
		return
	}
	if opCtx.Operation.Operation == ast.Subscription {
		cancel()
		t.subscribe(stream, w, exec, opCtx)
		return
	}
	run(w, r, exec, params, opCtx, true)
}

// subscribe streams a subscription's events until it ends or the client goes.
func (t multipartMixed) subscribe(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, opCtx *graphql.OperationContext) {
	h := w.Header()
	h.Set("Content-Type", `multipart/mixed; boundary="`+multipartBoundary+`"; subscriptionSpec=1.0`)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // a proxy such as nginx would hold the parts back
	w.WriteHeader(http.StatusOK)
	// The resolver subscribes to the hub here, before any change is awaited, and a first
	// heartbeat says so: the client knows the stream is open, and that a change from now on
	// reaches it.
	responses, ctx := withCloseReason(exec).DispatchOperation(graphql.WithOperationContext(ctx, opCtx), opCtx)
	parts := newPartWriter(w)
	parts.write([]byte("{}"))
	if t.keepAlive > 0 {
		stop := parts.heartbeats(ctx, t.keepAlive)
		defer stop()
	}
	for {
		resp := responses(ctx)
		if resp == nil {
			break
		}
		body, err := json.Marshal(struct {
			Payload *graphql.Response `json:"payload"`
		}{resp})
		if err != nil {
			body = []byte(`{"payload":null,"errors":[{"message":"internal error","extensions":{"code":"` + string(invites.Internal) + `"}}]}`)
		}
		if !parts.write(body) {
			return // the client has gone
		}
	}
	if t.stopping() {
		// Not an answer of the subscription: the stream itself ends; the client subscribes
		// again, to another replica.
		body, _ := json.Marshal(map[string]any{"payload": nil, "errors": gqlerror.List{{
			Message:    "the server is shutting down; subscribe again",
			Extensions: map[string]any{"code": string(invites.Unavailable)},
		}}})
		parts.write(body)
	}
	parts.close()
}

// stopping reports whether the server has stopped serving live updates.
func (t multipartMixed) stopping() bool {
	select {
	case <-t.shutdown: // never, when nil
		return true
	default:
		return false
	}
}

// partWriter writes the parts of a multipart/mixed answer, each flushed at once; the
// heartbeats come from another goroutine. Each part is followed at once by the delimiter
// (`\r\n--graphql`) whose end, a line break or `--` for the last, comes with what follows,
// as Apollo's router writes them: Apollo Client reads a part once the delimiter after it has
// arrived, and so would otherwise see each event only when the next one comes.
type partWriter struct {
	mu      sync.Mutex
	w       io.Writer
	flush   func()
	started bool // the first delimiter is written
	failed  bool
}

func newPartWriter(w http.ResponseWriter) *partWriter {
	p := &partWriter{w: w, flush: func() {}}
	if f, ok := w.(http.Flusher); ok {
		p.flush = f.Flush
	}
	return p
}

// write sends one JSON part, and reports whether the client may still read it.
func (p *partWriter) write(body []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failed {
		return false
	}
	first := ""
	if !p.started {
		p.started, first = true, "\r\n--"+multipartBoundary
	}
	_, err := fmt.Fprintf(p.w, "%s\r\nContent-Type: application/json\r\n\r\n%s\r\n--%s", first, body, multipartBoundary)
	p.flush()
	p.failed = err != nil
	return !p.failed
}

// close ends the last delimiter as the closing one: the answer is complete, and nothing is
// written after it (a heartbeat not yet stopped).
func (p *partWriter) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer func() { p.failed = true }()
	switch {
	case p.failed:
	case p.started:
		fmt.Fprint(p.w, "--\r\n")
	default:
		fmt.Fprint(p.w, "\r\n--"+multipartBoundary+"--\r\n")
	}
	p.flush()
}

// heartbeats writes a `{}` part every interval until ctx ends or stop is called.
func (p *partWriter) heartbeats(ctx context.Context, interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if !p.write([]byte("{}")) {
					return
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// reasonSubscriptionNeedsStream is the `extensions.reason` of a subscription sent as a
// request that wants a single JSON answer.
const reasonSubscriptionNeedsStream = "SUBSCRIPTION_NEEDS_STREAM"

// refuseSubscription answers a subscription sent as a plain JSON request (POST or GET) at
// once, with 406: it has no single answer, and holding the request open until the first
// change would serve no client. 406 is what Apollo's router answers where a client cannot
// read the stream it would send.
func refuseSubscription(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	sendError(w, r, exec, http.StatusNotAcceptable, reasonSubscriptionNeedsStream,
		"a subscription is a stream: subscribe over WebSocket (graphql-transport-ws), server-sent events "+
			"(Accept: text/event-stream) or multipart HTTP (Accept: multipart/mixed;subscriptionSpec=1.0)")
}
