package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

const (
	// wsReadLimit caps one message from the client, as gqlgen's transport did.
	wsReadLimit = 1 << 20
	// wsWriteTimeout is how long a message may take to leave: a client that reads nothing
	// for that long is dropped rather than holding its operations' goroutines.
	wsWriteTimeout = 10 * time.Second
	// maxCloseReason is the most bytes a close frame's reason may have.
	maxCloseReason = 123
)

// wsConn is one graphql-transport-ws socket: the state PROTOCOL.md's rules depend on, and its
// operations by id.
type wsConn struct {
	sock   *wsSocket
	exec   graphql.GraphExecutor
	r      *Resolver
	limits config.Live
	ctx    context.Context // the socket's values; the connection's context (conn) ends with it

	releaseAddr func() // gives back the socket's place of its client address

	mu        sync.Mutex
	initSeen  bool             // connection_init received (a second one is 4429)
	conn      context.Context  // after connection_ack: the authenticated connection's
	ops       map[string]*wsOp // the operations running, by the client's id
	idle      *time.Timer      // for an anonymous connection: closes it when no operation runs
	keepAlive *time.Timer      // the next keep-alive ping (wslife.go)
	closed    bool             // a close frame has been sent
	pingAt    time.Time        // when the unanswered keep-alive ping was sent; zero: none
	initTimer *time.Timer      // closes the socket if connection_init is late
	// After connection_ack, until the socket closes (closing): the connection's context is
	// values only, ended by none, so that it keeps no list of what waits on it.
	stopShutdown func() // forgets the socket's place among what the server's shutdown closes
	releaseUser  func() // gives back its user's place among live connections
}

// serveWS upgrades r and serves the socket until it closes. The handler returns at once: the
// socket outlives it, so that the HTTP server lets go of what it kept for the request (its
// connection's state, buffers and goroutine stack); an idle socket is then its wsConn and
// wsSocket, its descriptor watched by the poller, no goroutine (wssocket.go, issue 25).
func serveWS(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, res *Resolver) {
	// Any origin: the connection is authenticated by the token in its connection_init
	// payload, never by a cookie, so another site's page gains nothing by opening one.
	conn, early, ok := acceptWS(w, r)
	if !ok {
		return // acceptWS has answered the handshake
	}
	// The request's context ends when the handler returns; its values (the client's address)
	// stay the socket's. Its headers do not: no operation reads them, and the socket would
	// keep them for its life. No cancel of its own: what derives from it is the connection's
	// context, values only too, and its operations' (ended by closing, wslife.go); a
	// cancellable parent would keep a map of its children for the socket's life.
	c := &wsConn{exec: exec, r: res, limits: res.Live.Limits,
		ctx: context.WithoutCancel(r.Context()), ops: map[string]*wsOp{}}
	c.sock = &wsSocket{conn: conn, early: early, h: c}
	c.releaseAddr = takeAddrPlace(r.Context())
	c.mu.Lock()
	c.initTimer = time.AfterFunc(c.limits.InitTimeout, func() {
		c.mu.Lock()
		late := !c.initSeen
		c.mu.Unlock()
		if late {
			c.close(closeInitTimeout, "Connection initialisation timeout")
		}
	})
	c.mu.Unlock()
	c.sock.start()
}

// message handles one of the client's messages, in order (the socket's reader).
func (c *wsConn) message(op byte, b []byte) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed { // the close handshake has begun: the socket waits for the client's close
		return
	}
	if op != opText {
		c.close(closeBadRequest, "Invalid message received: binary frames are not used")
		return
	}
	m, reason := parseWSMessage(b)
	if reason != "" {
		c.close(closeBadRequest, reason)
		return
	}
	c.handle(m)
}

// ended forgets the socket once its connection has closed.
func (c *wsConn) ended() {
	c.closing()
	c.mu.Lock()
	if c.initTimer != nil {
		c.initTimer.Stop()
	}
	c.mu.Unlock()
	c.releaseAddr()
}

// handle acts on one valid message; false once the socket is closed.
func (c *wsConn) handle(m wsMessage) bool {
	switch m.Type {
	case msgConnectionInit:
		return aside(func() bool { return c.init(m.Payload) })
	case msgPing: // at any time, before connection_init too; the payload comes back
		c.send(wsMessage{Type: msgPong, Payload: m.Payload})
	case msgPong:
		c.mu.Lock()
		c.pingAt = time.Time{}
		c.mu.Unlock()
	case msgSubscribe:
		return aside(func() bool { return c.subscribe(m) })
	case msgComplete:
		c.stop(m.ID)
	}
	return true
}

// aside runs f on a goroutine of its own and waits for it. Authenticating and starting an
// operation go deep (the resolvers, the database driver), and a goroutine's stack, once
// grown, stays grown while the socket's reader waits for the next message: run there, they
// would cost every idle socket a stack of 8 KiB where reading needs a few.
func aside(f func() bool) bool {
	done := make(chan bool, 1)
	go func() { done <- f() }()
	return <-done
}

// init authenticates the connection (liveAuth) and acknowledges it.
func (c *wsConn) init(payload json.RawMessage) bool {
	c.mu.Lock()
	again := c.initSeen
	c.initSeen = true
	c.mu.Unlock()
	if again {
		c.close(closeTooManyInits, "Too many initialisation requests")
		return false
	}
	var params map[string]any
	if payload != nil && !decodeObject(payload, &params) {
		c.close(closeBadRequest, "Invalid message received: connection_init's payload must be an object")
		return false
	}
	conn, release, anonymous, err := c.r.liveAuth(c.ctx, params)
	if err != nil {
		reason := "Forbidden"
		if e, ok := errors.AsType[*invites.Error](err); ok {
			reason = "Forbidden: " + e.Message
		}
		c.close(closeForbidden, reason)
		return false
	}
	c.mu.Lock()
	if c.closed { // closed while authenticating: closing found no connection to end
		c.mu.Unlock()
		release()
		return false
	}
	c.conn, c.releaseUser = conn, release
	// The server's shutdown closes the socket: no goroutine nor context waits for it.
	c.stopShutdown = c.r.Live.Hub.OnClose(func() { c.close(closeGoingAway, "The server is shutting down") })
	c.initTimer.Stop()
	c.initTimer = nil // a timer less for the socket's life
	if anonymous {
		c.idle = time.AfterFunc(c.limits.AnonymousIdleTimeout, c.closeIfIdle)
	}
	c.mu.Unlock()
	c.send(wsMessage{Type: msgConnectionAck})
	c.startKeepAlive()
	return true
}

// subscribe starts an operation, once the connection is acknowledged and its id is free.
// The operation is read, validated and started here, in the order the client sent it
// (wsop.go).
func (c *wsConn) subscribe(m wsMessage) bool {
	params, reason := subscribeParams(m.Payload)
	if reason != "" {
		c.close(closeBadRequest, reason)
		return false
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	conn := c.conn
	_, dup := c.ops[m.ID]
	if conn == nil || dup {
		c.mu.Unlock()
		if conn == nil {
			c.close(closeUnauthorized, "Unauthorized")
		} else {
			c.close(closeDuplicateID, duplicateReason(m.ID))
		}
		return false
	}
	ctx, cancel := context.WithCancel(conn)
	op := &wsOp{id: m.ID, cancel: cancel, hook: &streamHook{stops: true}}
	c.ops[m.ID] = op
	if c.idle != nil {
		c.idle.Stop()
	}
	c.mu.Unlock()
	c.start(ctx, op, params)
	return true
}

// duplicateReason is 4409's reason, the id shortened to fit a close frame.
func duplicateReason(id string) string {
	const format = "Subscriber for %s already exists"
	return fmt.Sprintf(format, truncate(id, maxCloseReason-len(format)+2))
}

// stop ends the operation the client completed: nothing more of it is sent.
func (c *wsConn) stop(id string) {
	c.mu.Lock()
	op := c.ops[id]
	delete(c.ops, id)
	c.idleAgain()
	c.mu.Unlock()
	if op != nil {
		op.end()
	}
}

func (c *wsConn) send(m wsMessage) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if !closed {
		_ = c.sock.write(opText, m.encode()) // a failed write has closed the socket
	}
}
