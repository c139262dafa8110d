package idempotency

import (
	"context"
	"time"

	"github.com/invites/invites/internal/jobs"
)

// Sweep deletes the keys whose TTL has passed and returns how many. An expired key that is
// not swept yet is free anyway (Begin takes it over): the sweep only keeps the table small.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at <= ?`, s.cfg.Now())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

type sweepArgs struct{}

func (sweepArgs) Kind() string { return "idempotency_sweep" }

// Work is the sweep every interval, and once at start-up, for the process's River client, in
// a queue of its own ("idempotency"), so that neither it nor the emails, webhooks and the
// invites' sweep wait for each other.
func (s *Store) Work(interval time.Duration) jobs.Work {
	return jobs.Periodic[sweepArgs]("idempotency", interval, func(ctx context.Context) error {
		_, err := s.Sweep(ctx)
		return err
	})
}
