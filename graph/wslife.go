package graph

import (
	"fmt"
	"time"
)

// The bounds on a graphql-transport-ws socket's life: the keep-alive that drops a silent
// client, the idle timeout of an anonymous connection, and the close.

// startKeepAlive arms the keep-alive once the connection is acknowledged: a timer, not a
// goroutine of the connection's own waiting for it.
func (c *wsConn) startKeepAlive() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.keepAlive = time.AfterFunc(c.limits.KeepAlive, c.keepAliveTick)
	}
}

// keepAliveTick pings the client every LIVE_KEEPALIVE, and drops it when a ping has gone
// unanswered for twice that (graphql-ws's reference server terminates such a socket too: a
// client that answers nothing would not read a close frame).
func (c *wsConn) keepAliveTick() {
	every := c.limits.KeepAlive
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	waiting := !c.pingAt.IsZero()
	late := waiting && time.Since(c.pingAt) >= 2*every
	if !waiting {
		c.pingAt = time.Now()
	}
	if !late {
		c.keepAlive.Reset(every)
	}
	c.mu.Unlock()
	switch {
	case late:
		c.drop()
	case !waiting:
		c.send(wsMessage{Type: msgPing})
	}
}

// idleAgain re-arms an anonymous connection's idle timer once no operation runs (c.mu held).
func (c *wsConn) idleAgain() {
	if c.idle != nil && len(c.ops) == 0 && !c.closed {
		c.idle.Reset(c.limits.AnonymousIdleTimeout)
	}
}

// closeIfIdle closes an anonymous connection that has run no operation for
// LIVE_ANONYMOUS_IDLE_TIMEOUT. 1000 Normal Closure, with the reason: nothing went wrong, and
// graphql-ws's client, which opens its socket again only for a new subscription, takes it
// as a normal end (4408 would claim a connection_init that never came).
func (c *wsConn) closeIfIdle() {
	c.mu.Lock()
	idle := len(c.ops) == 0
	c.mu.Unlock()
	if idle {
		c.close(closeNormal, fmt.Sprintf("Idle: no operation for %s on a connection without a token", c.limits.AnonymousIdleTimeout))
	}
}

// close ends the operations and closes the socket with code and reason, once.
func (c *wsConn) close(code int, reason string) {
	if !c.closing() {
		return
	}
	c.sock.closeWith(code, reason)
}

// drop ends the operations and the socket without a close frame.
func (c *wsConn) drop() {
	if c.closing() {
		c.sock.shut()
	}
}

// closing marks the socket closed and ends its operations and the connection; false if it
// was closed already.
func (c *wsConn) closing() bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	c.closed = true
	ops := make([]*wsOp, 0, len(c.ops))
	for _, op := range c.ops {
		ops = append(ops, op)
	}
	if c.idle != nil {
		c.idle.Stop()
	}
	if c.keepAlive != nil {
		c.keepAlive.Stop()
	}
	stop, release := c.stopShutdown, c.releaseUser
	c.mu.Unlock()
	for _, op := range ops {
		op.end()
	}
	if stop != nil {
		stop()
		release()
	}
	return true
}
