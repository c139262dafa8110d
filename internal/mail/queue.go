package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/jobs"
)

// QueueConfig configures a Queue: its settings (config.Mail, and config.Jobs, whose job
// timeout and rescuer bound a run of its workers; from config.Default or config.Load, taken
// as given) and what it runs with. Sender is required.
type QueueConfig struct {
	config.Mail
	config.Jobs
	Sender Sender
	// Logger is nil for slog.Default().
	Logger *slog.Logger
	// Backoff is the wait before the retry that follows attempt number attempt (from 1); nil
	// for an exponential backoff from about 2s capped at an hour.
	Backoff func(attempt int) time.Duration
	// Observer hears of every attempt to send (for metrics); nil for none.
	Observer Observer
	// FailureHook hears of the emails that fail for good, in the transaction that writes them
	// FAILED_PERMANENT (webhooks' invite.delivery_failed); nil for none.
	FailureHook FailureHook
}

// FailureHook hears of emails that have failed for good. EmailsFailed is called in tx, which
// has just written these emails FAILED_PERMANENT (each once: a run that finds an email already
// final writes nothing and calls nothing), so that a rollback drops both.
type FailureHook interface {
	EmailsFailed(ctx context.Context, tx bun.Tx, emailIDs []uuid.UUID) error
}

// Queue is a durable outbox in PostgreSQL: an email enqueued in a transaction is sent by the
// workers only once that transaction commits, and an email not yet sent when the process stops
// is sent by the next process that works the queue, this one or another. Its workers (Work)
// run on the process's River client (internal/jobs).
//
// A chunk's sent emails are written SENT on their rows in batches, each batch once it holds
// SentBatchSize emails or its oldest was sent SentBatchWait ago, and always before the run
// ends; a failure is written as soon as the SMTP server has answered. No run sends an email
// already SENT or FAILED_PERMANENT. So an email goes twice only when the process dies after
// the server accepted it and before its batch is written (a database out of reach meanwhile
// is waited for, then the emails are remembered as sent until the process ends): at least
// once, with at most SentBatchSize emails per worker sent twice per crash, every copy carrying
// the same Message-ID. A job left running by a dead process is run again after
// QueueConfig.RescueAfter.
type Queue struct {
	jobs    *jobs.Inserter
	workers int
	single  *sendWorker
	chunks  *sendEmailsWorker
}

// NewQueue builds a queue on db whose jobs go in through ins. Enqueue works at once; the
// emails are sent by the River client that runs Work.
func NewQueue(db *bun.DB, ins *jobs.Inserter, cfg QueueConfig) (*Queue, error) {
	if cfg.Sender == nil {
		return nil, errors.New("mail: QueueConfig.Sender is nil")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	backoff := cfg.Backoff
	if backoff == nil {
		backoff = exponentialBackoff
	}
	limits := runLimits{jobTimeout: cfg.JobTimeout, rescueAfter: cfg.RescueAfter}
	if limits.jobTimeout <= 0 {
		return nil, fmt.Errorf("mail: JobTimeout (%s) must be positive", limits.jobTimeout)
	}
	if limits.rescueAfter <= limits.jobTimeout {
		return nil, fmt.Errorf("mail: RescueAfter (%s) must be longer than JobTimeout (%s)", limits.rescueAfter, limits.jobTimeout)
	}
	if cfg.Observer != nil {
		cfg.Sender = observedSender{cfg.Sender, cfg.Observer}
	}
	unrecorded := newUnrecordedSends()
	return &Queue{
		jobs:    ins,
		workers: cfg.Workers,
		single: &sendWorker{db: db, sender: cfg.Sender, log: logger, backoff: backoff,
			limits: limits, unrecorded: unrecorded, failed: cfg.FailureHook},
		chunks: &sendEmailsWorker{db: db, jobs: ins, sender: cfg.Sender, log: logger, backoff: backoff,
			maxAttempts: cfg.MaxAttempts, limits: limits, unrecorded: unrecorded, failed: cfg.FailureHook},
	}, nil
}

// Work is the queue's workers, on River's default queue with QueueConfig.Workers of them, for
// the process's River client.
func (q *Queue) Work() jobs.Work {
	return jobs.Work{
		Workers: func(w *river.Workers) {
			river.AddWorker(w, q.single)
			river.AddWorker(w, q.chunks)
		},
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.workers}},
	}
}

// exponentialBackoff doubles from 2s (with some jitter, so that emails failing together do not
// retry together) up to an hour.
func exponentialBackoff(attempt int) time.Duration {
	d := time.Hour
	if attempt < 12 {
		d = min(time.Duration(1<<max(attempt-1, 0))*2*time.Second, time.Hour)
	}
	return d + rand.N(d/10+1)
}

// Enqueue queues m in tx: the emails row (QUEUED) and the job that sends it are written in
// the caller's transaction, so a rollback leaves no email and a commit always leads to a send.
// An email that fails for a reason that may pass is retried with backoff, MaxAttempts times in
// all, each attempt's outcome recorded on its row.
// It returns the email's id, which the caller keeps to show the delivery status. A caller that
// writes the email's row within a statement of its own uses Prepare instead (outbox.go).
func (q *Queue) Enqueue(ctx context.Context, tx bun.Tx, m Message) (uuid.UUID, error) {
	ids, err := q.EnqueueMany(ctx, tx, []Message{m})
	if err != nil {
		return uuid.Nil, err
	}
	return ids[0], nil
}

// EnqueueMany queues ms in tx as Enqueue does, in a fixed number of statements whatever their
// number, so that a bulk invite of thousands stays fast: one job sends up to 100 of them. The
// ids are in the order of ms.
func (q *Queue) EnqueueMany(ctx context.Context, tx bun.Tx, ms []Message) ([]uuid.UUID, error) {
	return q.EnqueueManyCopy(ctx, tx, nil, ms)
}

// CopyFunc writes the rows of src into table's columns with COPY, in the caller's
// transaction. src may give the same values slice for every row (pgx encodes each row before
// it asks for the next).
type CopyFunc func(ctx context.Context, table string, columns []string, src pgx.CopyFromSource) error

// EnqueueManyCopy is EnqueueMany with the emails rows written by copyFrom, which must write in
// tx: for thousands of emails, a COPY costs less than an INSERT. A nil copyFrom inserts them.
func (q *Queue) EnqueueManyCopy(ctx context.Context, tx bun.Tx, copyFrom CopyFunc, ms []Message) ([]uuid.UUID, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	o, err := q.Prepare(ms...)
	if err != nil {
		return nil, err
	}
	if copyFrom != nil {
		err = o.copyRows(ctx, copyFrom)
	} else {
		_, err = o.Rows(tx, "").Exec(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("mail: insert emails: %w", err)
	}
	if err := o.Send(ctx, tx); err != nil {
		return nil, err
	}
	return o.IDs, nil
}
