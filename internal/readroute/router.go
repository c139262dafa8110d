// Package readroute sends reads that may be a moment old to a streaming replica
// (DATABASE_READ_URL) and everything else to the primary.
//
// A read goes to the replica only when all of these hold:
//   - it belongs to a request marked with WithSession (the HTTP middleware marks GraphQL
//     requests) that is a query: a mutation's reads, and a subscription's, stay on the
//     primary (Primary), so every check a write depends on reads what is committed now;
//   - the replica answers as a standby (a poller asks it a few times a second) and lags the
//     primary by at most Config.MaxLag;
//   - the replica has replayed the session's last commit (read-your-writes): after each
//     mutation the router remembers the primary's LSN under the session's keys, and in a
//     cookie for the browser, and compares it with the replica's replayed LSN as last polled.
//
// Otherwise it goes to the primary, and the Observer hears why. The replica's pool is opened
// with Connector, so that a read sent to it as it goes away is answered by the primary.
package readroute

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
)

// Where a read went, and why: the Observer's labels.
const (
	TargetReplica = "replica"
	TargetPrimary = "primary"

	ReasonCaughtUp       = "caught-up"        // the replica is close enough and has the session's writes
	ReasonWrite          = "write"            // a mutation's reads
	ReasonSubscription   = "subscription"     // a subscription's reads, right after the change they announce
	ReasonReadYourWrites = "read-your-writes" // the replica has not replayed the session's last commit yet
	ReasonLag            = "lag"              // the replica lags more than MaxLag
	ReasonDown           = "down"             // the replica does not answer
)

// Config is the router's settings.
type Config struct {
	// MaxLag is how far behind the primary the replica may be and still serve reads
	// (config.Config.DatabaseReadMaxLag).
	MaxLag time.Duration
	// Poll is how often the replica's position is read; zero: DefaultPoll.
	Poll time.Duration
	// Sessions is about how many sessions' last commits are remembered; zero: DefaultSessions.
	Sessions int
	// Observer hears where each routed read went; nil: nobody.
	Observer Observer
	// Logger hears when the replica goes down and comes back; nil: slog.Default().
	Logger *slog.Logger
	// CookieKey signs the cookie CookieName (HMAC-SHA256): the same on every server behind one
	// primary, so that the cookie one sets another believes. Empty: no cookie is set, and none
	// is believed.
	CookieKey []byte
}

// DefaultPoll reads the replica's position four times a second: a session's reads come back
// to the replica at most that long after it has replayed their commit.
const DefaultPoll = 250 * time.Millisecond

// DefaultSessions bounds the memory of sessions' last commits (about 100 bytes each).
const DefaultSessions = 100_000

// Observer hears where reads went (the metrics).
type Observer interface {
	DatabaseRead(target, reason string)
}

// Router chooses the database each read runs on.
type Router struct {
	primary, replica *bun.DB
	cfg              Config
	sessions         *sessions
	state            atomic.Pointer[replicaState]
}

// replicaState is what the last poll found.
type replicaState struct {
	up       bool
	replayed LSN           // pg_last_wal_replay_lsn()
	lag      time.Duration // how long ago the primary had written what the replica has not replayed
}

// New returns a router over primary and replica (nil: every read goes to the primary), whose
// pool Connector makes. The replica counts as down until Run's first poll finds it.
func New(primary, replica *bun.DB, cfg Config) *Router {
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Sessions <= 0 {
		cfg.Sessions = DefaultSessions
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &Router{primary: primary, replica: replica, cfg: cfg, sessions: newSessions(cfg.Sessions)}
	r.state.Store(&replicaState{})
	return r
}

// Read returns the database for a read that may be a moment old, in ctx's request.
func (r *Router) Read(ctx context.Context) *bun.DB {
	if r.replica == nil {
		return r.primary
	}
	req := requestFrom(ctx)
	if req == nil {
		return r.primary
	}
	target, reason := r.choose(req)
	if r.cfg.Observer != nil {
		r.cfg.Observer.DatabaseRead(target, reason)
	}
	if target == TargetReplica {
		return r.replica
	}
	return r.primary
}

func (r *Router) choose(req *request) (target, reason string) {
	if reason := req.primaryReason(); reason != "" {
		return TargetPrimary, reason
	}
	st := r.state.Load()
	switch {
	case !st.up:
		return TargetPrimary, ReasonDown
	case st.lag > r.cfg.MaxLag:
		return TargetPrimary, ReasonLag
	case max(req.after, r.sessions.last(req.keys)) > st.replayed:
		return TargetPrimary, ReasonReadYourWrites
	}
	return TargetReplica, ReasonCaughtUp
}

// Committed remembers, for ctx's session, the primary's WAL position now: called once the
// request's writes have committed, it is at or after their commit records, and the session's
// reads stay on the primary until the replica has replayed up to it.
func (r *Router) Committed(ctx context.Context) error {
	req := requestFrom(ctx)
	if r.replica == nil || req == nil {
		return nil
	}
	// The insert position, not the write position: with synchronous_commit off a commit may
	// be inserted but not yet written.
	var text string
	if err := r.primary.QueryRowContext(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&text); err != nil {
		return fmt.Errorf("read the primary's WAL position: %w", err)
	}
	lsn, err := ParseLSN(text)
	if err != nil {
		return err
	}
	for _, k := range req.keys {
		r.sessions.wrote(k, lsn)
	}
	req.wrote.Store(uint64(lsn))
	return nil
}

// Lag is the replica's lag as last measured (0 when caught up), and whether it answered.
func (r *Router) Lag() (time.Duration, bool) {
	st := r.state.Load()
	return st.lag, st.up
}

// markDown sends every read to the primary until a poll finds the replica again (only the
// poller changes the state).
func (r *Router) markDown(err error) {
	if st := r.state.Load(); st.up {
		down := *st
		down.up = false
		r.state.Store(&down)
		r.cfg.Logger.Warn("read replica down: reads go to the primary", "error", err)
	}
}
