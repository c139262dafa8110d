package readroute

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Run reads the replica's position every Config.Poll until ctx ends: the reads' choice uses
// what it last found, so that no read waits for a query of its own to the replica.
func (r *Router) Run(ctx context.Context) {
	if r.replica == nil {
		return
	}
	var lag lagMeter
	tick := time.NewTicker(r.cfg.Poll)
	defer tick.Stop()
	for {
		r.poll(ctx, &lag)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// poll reads the primary's WAL position, then the replica's replayed one, and stores what
// they say. A replica that does not answer, or is not a standby (promoted, or the primary's
// own address), is down.
func (r *Router) poll(ctx context.Context, lag *lagMeter) {
	ctx, cancel := context.WithTimeout(ctx, max(r.cfg.Poll*4, 2*time.Second))
	defer cancel()
	var written string
	primaryErr := r.primary.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&written)
	at := time.Now()
	var replayed *string
	err := r.replica.QueryRowContext(ctx, "SELECT pg_last_wal_replay_lsn()::text").Scan(&replayed)
	if err == nil && replayed == nil {
		err = errors.New("it is not a standby: pg_last_wal_replay_lsn() is null")
	}
	var rl LSN
	if err == nil {
		rl, err = ParseLSN(*replayed)
	}
	if err != nil {
		r.markDown(err)
		return
	}
	if primaryErr == nil {
		if wl, err := ParseLSN(written); err == nil {
			lag.written(wl, at)
		}
	}
	was := r.state.Load()
	r.state.Store(&replicaState{up: true, replayed: rl, lag: lag.replayed(rl, time.Now())})
	if !was.up {
		r.cfg.Logger.Info("read replica up: reads that may be a moment old go to it")
	}
}

// lagMeter measures how far behind the primary the replica is, in time, from WAL positions
// alone (no clocks of two machines compared): it keeps the primary's positions sampled at
// each poll that the replica has not replayed yet; the lag is the age of the oldest. A
// replica that is caught up, even with its replay paused and nothing new written, lags 0.
type lagMeter struct {
	pending []lsnAt
}

type lsnAt struct {
	lsn LSN
	at  time.Time
}

// maxPending bounds the samples kept (minutes of polls): past it the newest replaces the
// last, and the oldest, which says how long the replica has lagged, stays.
const maxPending = 1024

func (m *lagMeter) written(lsn LSN, at time.Time) {
	if n := len(m.pending); n > 0 && m.pending[n-1].lsn >= lsn {
		return // nothing new written since the last sample
	}
	if len(m.pending) >= maxPending {
		m.pending[len(m.pending)-1] = lsnAt{lsn, at}
		return
	}
	m.pending = append(m.pending, lsnAt{lsn, at})
}

// replayed drops the samples the replica has replayed and returns the lag at now.
func (m *lagMeter) replayed(lsn LSN, now time.Time) time.Duration {
	i := 0
	for i < len(m.pending) && m.pending[i].lsn <= lsn {
		i++
	}
	m.pending = m.pending[i:]
	if len(m.pending) == 0 {
		return 0
	}
	return now.Sub(m.pending[0].at)
}

// isConnectionError reports whether err says the server cannot be reached or is going away,
// rather than that a statement failed or its request gave up.
func isConnectionError(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		// 08: connection exception; 57P01-57P03: shutting down, crashed, starting up.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, driver.ErrBadConn)
}
