package live

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen LISTENs on one connection opened from databaseURL and publishes every change to hub
// until ctx ends. When the connection drops it reconnects with backoff (up to 5 seconds),
// ending every subscriber first, since changes may have been missed meanwhile. ready, if not
// nil, is called each time the connection is listening. Beside it, on a connection of its
// own, runs this replica's drainer (drain.go), which turns the triggers' rows into the
// notifications that every replica's listener hears.
func Listen(ctx context.Context, databaseURL string, hub *Hub, log *slog.Logger, ready func()) {
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		Drain(ctx, databaseURL, log)
	}()
	defer func() { <-drained }()
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := listenOnce(ctx, databaseURL, hub, log, ready, func() { backoff = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return
		}
		hub.EndAll()
		log.Warn("live updates: listener lost its connection; reconnecting", "error", err, "after", backoff)
		if !sleep(ctx, backoff) {
			return
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func listenOnce(ctx context.Context, databaseURL string, hub *Hub, log *slog.Logger, ready, connected func()) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	connected()
	if ready != nil {
		ready()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		c, err := ParseChange(n.Payload)
		if err != nil {
			log.Error("live updates: unreadable notification", "error", err)
			continue
		}
		hub.Publish(c)
	}
}
