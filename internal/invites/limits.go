package invites

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/uptrace/bun"
)

// clientKey is what the per-client limits count a client address under: an IPv4 address as
// it is, an IPv6 address by its /64 (one subscriber's network: a host there has 2^64
// addresses to rotate through). An unknown address is one client of its own.
func clientKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// takeClientQuota counts one attempt of action by client in the current window of the given
// length; past limit attempts in the window it refuses, counting nothing. One upsert, so
// replicas share the count and concurrent attempts are counted exactly. A limit of 0 or less
// means none.
//
// Errors: RATE_LIMITED.
func (s *core) takeClientQuota(ctx context.Context, action string, client netip.Addr, limit int, window time.Duration, what string) error {
	return s.takeQuota(ctx, s.db, action, clientKey(client), limit, window, "too many "+what+" from your network address")
}

// takeQuota counts one attempt of action under key (a client address, an email, an account)
// in the current window of the given length, as takeClientQuota does, in db (a transaction:
// the count is taken back if it rolls back); refused is what the RATE_LIMITED message says
// before the time to try again.
func (s *core) takeQuota(ctx context.Context, db bun.IDB, action, key string, limit int, window time.Duration, refused string) error {
	if limit <= 0 {
		return nil
	}
	start := s.now().Truncate(window)
	var used int
	err := db.NewRaw(`INSERT INTO client_quota (action, client, window_start, used) VALUES (?, ?, ?, 1)
		ON CONFLICT (action, client, window_start) DO UPDATE SET used = client_quota.used + 1
		WHERE client_quota.used < ?
		RETURNING used`, action, key, start, limit).Scan(ctx, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return Errorf(RateLimited, "%s; try again after %s", refused, start.Add(window).Format("15:04 MST"))
	}
	return err
}

// loginAttempt is a log-in that startLogIn let through: until finishLogIn it counts as a
// failure, so that concurrent attempts from one client cannot pass its limit together.
type loginAttempt struct {
	email  string
	client string
}

// startLogIn decides whether client may try a password for email now, and if so counts the
// attempt as a failure (finishLogIn takes it back on success). Rules:
//   - a client with LoginClientFailureLimit failures (for any emails) in LoginFailureWindow is
//     refused until the oldest falls out of the window;
//   - once an email has LoginFailureLimit failures in the window, a client that has failed
//     for it k times waits 2^(k-1) seconds (at most the window) after its last failure there.
//
// A client that has not failed is never refused, so nobody can lock an owner out of their
// account by failing for its email. Attempts of one client queue on a lock for the few
// milliseconds of the check, never for the password hash.
//
// Errors: RATE_LIMITED.
func (s *core) startLogIn(ctx context.Context, client netip.Addr, email string) (*loginAttempt, error) {
	a := &loginAttempt{email: email, client: clientKey(client)}
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := advisoryLock(ctx, tx, "login-client:"+a.client); err != nil {
			return err
		}
		now := s.now()
		since := now.Add(-s.cfg.LoginFailureWindow)
		var clientFailures, emailFailures, mine int
		var last sql.NullTime
		err := tx.NewRaw(`SELECT
				count(*) FILTER (WHERE client = ?0),
				count(*) FILTER (WHERE email = ?1),
				count(*) FILTER (WHERE client = ?0 AND email = ?1),
				max(failed_at) FILTER (WHERE client = ?0 AND email = ?1)
			FROM login_failures WHERE failed_at > ?2 AND (client = ?0 OR email = ?1)`,
			a.client, email, since).Scan(ctx, &clientFailures, &emailFailures, &mine, &last)
		if err != nil {
			return err
		}
		if limit := s.cfg.LoginClientFailureLimit; limit > 0 && clientFailures >= limit {
			var oldest time.Time
			err := tx.NewRaw(`SELECT failed_at FROM login_failures WHERE client = ? AND failed_at > ?
				ORDER BY failed_at OFFSET ? LIMIT 1`, a.client, since, clientFailures-limit).Scan(ctx, &oldest)
			if err != nil {
				return err
			}
			return Errorf(RateLimited, "too many failed log-ins from your network address; try again in %s", roundUp(oldest.Add(s.cfg.LoginFailureWindow).Sub(now)))
		}
		if emailFailures >= s.cfg.LoginFailureLimit && mine > 0 {
			delay := min(s.cfg.LoginFailureWindow, time.Second<<min(mine-1, 30))
			if wait := last.Time.Add(delay).Sub(now); wait > 0 {
				return Errorf(RateLimited, "too many failed log-ins for this email; try again in %s", roundUp(wait))
			}
		}
		_, err = tx.NewInsert().Model(&loginFailure{Email: email, Client: a.client, FailedAt: now}).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// roundUp says a wait in whole seconds or minutes, rounded up.
func roundUp(d time.Duration) string {
	if d <= time.Minute {
		return fmt.Sprintf("%d seconds", max(1, int(math.Ceil(d.Seconds()))))
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
}

// succeeded forgets the client's failures for the email, this attempt's included, in tx: the
// client has shown it knows the password.
func (a *loginAttempt) succeeded(ctx context.Context, tx bun.Tx) error {
	_, err := tx.NewDelete().Model((*loginFailure)(nil)).Where("email = ? AND client = ?", a.email, a.client).Exec(ctx)
	return err
}
