package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The listener's timings (variables for the tests). A quiet connection is probed every
// idleProbe and must answer within probeTimeout: a connection whose server vanished without
// closing it (a host gone in a failover, a network cut) never errors while it waits, and would
// keep the replica deaf until TCP gives up, far longer. Reconnecting waits from minBackoff,
// doubling up to maxBackoff, so that a promoted standby is found within seconds.
var (
	idleProbe    = 30 * time.Second
	probeTimeout = 10 * time.Second
	minBackoff   = 100 * time.Millisecond
	maxBackoff   = 5 * time.Second
)

// Listen LISTENs on one connection opened from databaseURL and publishes every change to hub
// until ctx ends. databaseURL may name several hosts with target_session_attrs=read-write:
// each connection then goes to whichever of them is the primary, so the listener follows a
// failover by reconnecting.
//
// Notifications sent while no connection listens are lost, so the hub resyncs twice around a
// gap: when the connection drops (every stream ends at once rather than going quiet) and when
// a connection listens again (the streams that subscribed during the gap may have missed
// changes committed before this LISTEN, on a promoted standby say). An ended stream's client
// subscribes again and reads the current state. ready, if not nil, is called each time a
// connection listens, after that resync.
//
// Beside it, on a connection of its own, runs this replica's drainer (drain.go), which turns
// the triggers' rows into the notifications that every replica's listener hears; it follows a
// failover the same way, reconnecting and taking the drain lock on the new primary. With a
// pooler, databaseURL must be PostgreSQL's own (DATABASE_DIRECT_URL): LISTEN and the drainer's
// session advisory lock belong to a session.
func Listen(ctx context.Context, databaseURL string, hub *Hub, log *slog.Logger, ready func()) {
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		Drain(ctx, databaseURL, log)
	}()
	defer func() { <-drained }()
	backoff := minBackoff
	for ctx.Err() == nil {
		listened := false
		err := listenOnce(ctx, databaseURL, hub, log, func() {
			listened, backoff = true, minBackoff
			hub.EndAll()
			if ready != nil {
				ready()
			}
		})
		if ctx.Err() != nil {
			return
		}
		if listened {
			hub.EndAll()
		}
		log.Warn("live updates: the listener has no connection; reconnecting", "error", err, "after", backoff)
		if !sleep(ctx, backoff) {
			return
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// listenOnce connects, LISTENs, calls listening, and publishes the notifications until the
// connection fails (or ctx ends): it always returns an error.
func listenOnce(ctx context.Context, databaseURL string, hub *Hub, log *slog.Logger, listening func()) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	listening()
	for {
		n, err := waitForNotification(ctx, conn)
		if err != nil {
			return err
		}
		if n == nil {
			continue // quiet, and the server answered the probe
		}
		c, err := ParseChange(n.Payload)
		if err != nil {
			log.Error("live updates: unreadable notification", "error", err)
			continue
		}
		hub.Publish(c)
	}
}

// waitForNotification waits up to idleProbe for a notification; when none comes it probes the
// server and returns nil, nil if the server answered.
func waitForNotification(ctx context.Context, conn *pgx.Conn) (*pgconn.Notification, error) {
	waitCtx, cancel := context.WithTimeout(ctx, idleProbe)
	n, err := conn.WaitForNotification(waitCtx)
	cancel()
	if err == nil {
		return n, nil
	}
	// A wait that merely timed out leaves the connection usable (pgx sets a read deadline,
	// it does not close the connection on a timeout): probe it.
	if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	probeCtx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := conn.Ping(probeCtx); err != nil {
		return nil, fmt.Errorf("no answer to a probe after %s without notifications: %w", idleProbe, err)
	}
	return nil, nil
}
