// Package jobs owns the process's River client, the one that works every durable job: the
// emails (internal/mail), the webhook deliveries (internal/webhooks) and the sweep with its
// reminders (internal/invites). Those packages define their workers, queues and periodic jobs
// and hand them to New as Work, knowing nothing of the client; they enqueue through an
// Inserter, in the caller's transaction.
//
// One client per process, so that River elects one leader among the processes (its periodic
// jobs and its rescuer run there). The Inserter is built first and the client last, from the
// packages' Work: a worker that enqueues (a reminder's email, a failed email's webhook) holds
// the Inserter, so nothing has to be given the client after it is built.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
)

// Work is what one package gives the process's River client to run.
type Work struct {
	// Workers adds the package's workers (river.AddWorker) to the client's.
	Workers func(*river.Workers)
	// Queues are the River queues that the package's jobs go to, each with how many of its
	// jobs run at once in this process. No two packages may name the same queue.
	Queues map[string]river.QueueConfig
	// Periodic are the package's periodic jobs; River inserts them on its leader only.
	Periodic []*river.PeriodicJob
}

// Config is the client's settings (config.Jobs, taken as given) and what it runs with.
type Config struct {
	config.Jobs
	// Logger is nil for slog.Default(). River's own messages go to it from Warn up only.
	Logger *slog.Logger
}

// Jobs is the process's River client: built by New, it works nothing until Start.
type Jobs struct {
	client *river.Client[*sql.Tx]
}

// New builds the client on db that works the jobs of work: the workers, queues and periodic
// jobs of every package, with cfg's poll interval, job timeout and rescuer.
func New(db *bun.DB, cfg Config, work ...Work) (*Jobs, error) {
	if cfg.JobTimeout <= 0 || cfg.PollInterval <= 0 {
		return nil, fmt.Errorf("jobs: JobTimeout (%s) and PollInterval (%s) must be positive", cfg.JobTimeout, cfg.PollInterval)
	}
	if cfg.RescueAfter <= cfg.JobTimeout {
		return nil, fmt.Errorf("jobs: RescueAfter (%s) must be longer than JobTimeout (%s)", cfg.RescueAfter, cfg.JobTimeout)
	}
	workers, queues, periodic, err := gather(work)
	if err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	client, err := river.NewClient(riverdatabasesql.New(db.DB), &river.Config{
		Queues:            queues,
		Workers:           workers,
		PeriodicJobs:      periodic,
		PollOnly:          true,
		FetchPollInterval: cfg.PollInterval,
		// River refuses a poll interval shorter than the cooldown between fetches.
		FetchCooldown: min(cfg.PollInterval, river.FetchCooldownDefault),
		// Without these, River takes an hour to run again the jobs of a process that died.
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		Logger:               slog.New(minLevelHandler{logger.Handler(), slog.LevelWarn}),
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	return &Jobs{client: client}, nil
}

// gather puts the packages' work together for one client.
func gather(work []Work) (*river.Workers, map[string]river.QueueConfig, []*river.PeriodicJob, error) {
	workers := river.NewWorkers()
	queues := map[string]river.QueueConfig{}
	var periodic []*river.PeriodicJob
	for _, w := range work {
		if w.Workers != nil {
			w.Workers(workers)
		}
		for name, q := range w.Queues {
			if _, taken := queues[name]; taken {
				return nil, nil, nil, fmt.Errorf("jobs: two packages work the queue %q", name)
			}
			queues[name] = q
		}
		periodic = append(periodic, w.Periodic...)
	}
	return workers, queues, periodic, nil
}

// Start starts working the jobs until Stop, or until ctx ends (which, unlike Stop, cancels
// the jobs in flight: pass a context that a shutdown signal does not cancel).
func (j *Jobs) Start(ctx context.Context) error {
	return j.client.Start(ctx)
}

// Stop stops fetching jobs and waits for the jobs in flight to finish, or for ctx to end. A
// job not run yet stays queued for the next Start, in this process or another.
func (j *Jobs) Stop(ctx context.Context) error {
	return j.client.Stop(ctx)
}
