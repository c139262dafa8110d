package idempotency

import (
	"context"
	"time"

	"github.com/riverqueue/river"

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

// sweepQueue is the sweep's River queue, apart from the emails, webhooks and the invites'
// sweep, so that none of them waits for it.
const sweepQueue = "idempotency"

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	store *Store
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[sweepArgs]) error {
	_, err := w.store.Sweep(ctx)
	return err
}

// Work is the sweep every interval, and once at start-up, for the process's River client,
// which inserts it on its elected leader only. A sweep that fails is not tried again: the
// next one does the same work.
func (s *Store) Work(interval time.Duration) jobs.Work {
	return jobs.Work{
		Workers: func(workers *river.Workers) { river.AddWorker(workers, &sweepWorker{store: s}) },
		Queues:  map[string]river.QueueConfig{sweepQueue: {MaxWorkers: 1}},
		Periodic: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(interval),
			func() (river.JobArgs, *river.InsertOpts) {
				return sweepArgs{}, &river.InsertOpts{Queue: sweepQueue, MaxAttempts: 1}
			},
			&river.PeriodicJobOpts{RunOnStart: true})},
	}
}
