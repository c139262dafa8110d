package graph

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/live"
)

// Live updates: the Subscription fields, served over WebSocket (graphql-transport-ws, our own
// transport in wsproto.go; the legacy graphql-ws subprotocol by gqlgen's), SSE (graphql-sse,
// distinct connections) and Apollo's multipart HTTP (multipartmixed.go). Each subscription listens to its
// project's changes in the replica's live.Hub, which every replica fills from PostgreSQL's
// NOTIFY (internal/live). For every change it authenticates the token again and reads what
// changed under the viewer's authority (invites.WatchedInvites, WatchedEvents): a viewer who
// has logged out, been demoted below ADMIN or been removed gets nothing more, and the stream
// ends.

// Live is what the resolvers need to serve subscriptions: the replica's hub and its limits.
type Live struct {
	Hub    *live.Hub
	Limits config.Live

	users connCounts[uuid.UUID]    // live connections open per user
	addrs connCounts[netip.Prefix] // live connections open per client address (livecaps.go)
}

// acquire takes one of user's live connections, or RATE_LIMITED beyond the cap; release gives
// it back.
func (l *Live) acquire(user uuid.UUID) (release func(), err error) {
	release, ok := l.users.take(user, l.Limits.ConnectionsPerUser)
	if !ok {
		return nil, invites.Errorf(invites.RateLimited, "too many live connections: at most %d per user; close one first", l.Limits.ConnectionsPerUser)
	}
	return release, nil
}

// sse is the SSE transport (ssestream.go, gqlgen's for what is not a stream of the fan-out)
// for the requests that want only an event stream, as graphql-sse's client sends them
// (`Accept: text/event-stream`). Clients such as urql list
// text/event-stream among the media types they accept for every request, after
// application/json: those are answered as JSON by postJSON, as before.
type sse struct{ transport.SSE }

func (t sse) Supports(r *http.Request) bool { return wantsEventStream(r) && t.SSE.Supports(r) }

// wantsEventStream reports whether r is a POST that accepts text/event-stream and no JSON.
func wantsEventStream(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	stream := false
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		media, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(media)) {
		case "text/event-stream":
			stream = true
		case mediaJSON, mediaGraphQLResponse, "application/graphql+json", "*/*", "application/*":
			return false
		}
	}
	return stream
}

type liveConnKey struct{}

// liveConn is one WebSocket connection: its subscriptions are counted against the cap.
type liveConn struct {
	mu   sync.Mutex
	subs int
}

// liveAuth authenticates a WebSocket connection by its connection_init payload: the bearer
// token in its Authorization (with or without "Bearer "). A connection without a token is
// anonymous: its subscriptions answer UNAUTHENTICATED, like any request. A token that names
// no session, or a user at the cap of live connections, is refused with the reason (the
// transports close the socket with 4403 Forbidden). An accepted connection holds one of its
// user's live connections until release is called. The context returned carries the
// connection's values only: how it ends is the transport's (liveInit, wsconn.go).
func (r *Resolver) liveAuth(ctx context.Context, payload map[string]any) (_ context.Context, release func(), anonymous bool, err error) {
	a := &auth{token: transport.InitPayload(payload).Authorization()}
	if scheme, token, ok := strings.Cut(a.token, " "); ok && strings.EqualFold(scheme, "Bearer") {
		a.token = token
	}
	a.token = strings.TrimSpace(a.token)
	ctx = context.WithValue(ctx, authKey{}, a)
	release = func() {}
	if a.token != "" {
		var user *invites.User
		// Not cancellable, as watch's reads: the connection's context lives for hours.
		// Not cached on the connection's auth either: each operation checks the token anew
		// (freshAuth), and the connection would keep the user for its life.
		if user, err = r.Service.Authenticate(context.WithoutCancel(ctx), a.token); err == nil {
			release, err = r.Live.acquire(user.ID)
		}
		if err != nil {
			if _, ok := errors.AsType[*invites.Error](err); !ok {
				err = errors.New("internal error")
			}
			return nil, nil, false, err
		}
	}
	return context.WithValue(ctx, liveConnKey{}, &liveConn{}), release, a.token == "", nil
}

// liveInit is liveAuth with a context that ends when cancel is called or the server shuts
// down, and then gives back the user's place: for gqlgen's transport of the legacy
// graphql-ws subprotocol, which ends a connection by its context.
func (r *Resolver) liveInit(ctx context.Context, payload map[string]any) (_ context.Context, cancel context.CancelFunc, err error) {
	ctx, release, _, err := r.liveAuth(ctx, payload)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel = context.WithCancel(ctx)
	stop := r.Live.Hub.OnClose(cancel) // no goroutine per connection waiting for the shutdown
	context.AfterFunc(ctx, func() {
		stop()
		release()
	})
	return ctx, cancel, nil
}

// wsInit is liveInit for gqlgen's transport of the legacy graphql-ws subprotocol, which
// closes a refused connection with the code and reason its context carries.
func (r *Resolver) wsInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	conn, _, err := r.liveInit(ctx, payload)
	if err != nil {
		msg := err.Error()
		if e, ok := errors.AsType[*invites.Error](err); ok {
			msg = e.Message
		}
		ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeForbidden), msg)
		return ctx, nil, errors.New(msg)
	}
	return conn, nil, nil
}

// watch serves one subscription to projectID's changes of kind: check reads the viewer's
// authority at subscription (its error, NOT_FOUND, FORBIDDEN or UNAUTHENTICATED, is the
// stream's first and only message); then the subscription is a plain entry in the hub, which
// the project's feed writes each change to (fanout.go), and no goroutine of its own.
func watch[T any](ctx context.Context, r *Resolver, projectID string, kind live.Kind,
	check func(ctx context.Context, viewer, project uuid.UUID, ids []uuid.UUID) ([]T, error)) (<-chan T, error) {
	if r.Live == nil {
		return nil, invites.Errorf(invites.Unavailable, "live updates are not served here")
	}
	// The statements of the subscription's start run on a context that cannot be cancelled:
	// one that can would keep, for the subscription's life, what each statement registers
	// on it (a done channel, a map of its children), though the statement is long over.
	reads := context.WithoutCancel(ctx)
	viewer, err := r.viewer(reads)
	if err != nil {
		return nil, err
	}
	pid, err := invites.ParseID("project", projectID)
	if err != nil {
		return nil, invites.Errorf(invites.NotFound, "project not found")
	}
	release, err := r.openSubscription(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	hook, _ := ctx.Value(streamHookKey{}).(*streamHook)
	s := newStream[T](hook)
	e := &live.Entry{Kind: kind, Viewer: viewer.ID, Session: invites.SessionKey(bearerToken(ctx)), Target: s}
	if err := r.Live.Hub.Join(pid, e); err != nil {
		release()
		return nil, invites.Errorf(invites.Unavailable, "the server is shutting down; subscribe again")
	}
	// Joined before the check, so that no change between the two is missed.
	if _, err := check(reads, viewer.ID, pid, nil); err != nil {
		r.Live.Hub.Leave(e)
		release()
		return nil, err
	}
	end := func() {
		r.Live.Hub.End(e, "")
		release()
	}
	if !hook.onStop(end) { // a transport that ends the stream by its context
		context.AfterFunc(ctx, end)
	}
	hook.attach()
	return s.out, nil
}

// openSubscription counts a subscription against its WebSocket connection's cap, or, for an
// SSE stream (a connection of its own), takes one of the user's live connections.
func (r *Resolver) openSubscription(ctx context.Context, user uuid.UUID) (release func(), err error) {
	conn, ok := ctx.Value(liveConnKey{}).(*liveConn)
	if !ok {
		return r.Live.acquire(user)
	}
	conn.mu.Lock()
	defer conn.mu.Unlock()
	if conn.subs >= r.Live.Limits.SubscriptionsPerConnection {
		return nil, invites.Errorf(invites.RateLimited, "too many subscriptions on this connection: at most %d", r.Live.Limits.SubscriptionsPerConnection)
	}
	conn.subs++
	var once sync.Once
	return func() {
		once.Do(func() {
			conn.mu.Lock()
			conn.subs--
			conn.mu.Unlock()
		})
	}, nil
}
