package mail

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
)

// QueueConfig configures a Queue: its settings (config.Mail, from config.Default or
// config.Load, taken as given) and what it runs with. Sender is required.
type QueueConfig struct {
	config.Mail
	Sender Sender
	// Logger is nil for slog.Default(). River's own messages go to it from Warn up only.
	Logger *slog.Logger
	// Backoff is the wait before the retry that follows attempt number attempt (from 1); nil
	// for an exponential backoff from about 2s capped at an hour.
	Backoff func(attempt int) time.Duration
	// Register lets other packages run their own River jobs (a periodic sweep, say) on the
	// queue's client: it is called with the client's workers before the client is built.
	Register func(*river.Workers)
	// PeriodicJobs are added to the client, for the workers that Register added.
	PeriodicJobs []*river.PeriodicJob
	// Queues are other packages' River queues (webhook deliveries), worked by the same client
	// beside the emails' default queue: one client per process, so that River elects one
	// leader among the processes (its periodic jobs and rescuer run there).
	Queues map[string]river.QueueConfig
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
// is sent after the next Start, by this process or another.
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
	db     *bun.DB
	client *river.Client[*sql.Tx]
	chunks *sendEmailsWorker
}

// NewQueue builds a queue on db. It sends nothing until Start, but Enqueue works at once, so a
// process may enqueue without ever working the queue.
func NewQueue(db *bun.DB, cfg QueueConfig) (*Queue, error) {
	if cfg.Sender == nil {
		return nil, errors.New("mail: QueueConfig.Sender is nil")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	poll, maxAttempts, maxWorkers := cfg.PollInterval, cfg.MaxAttempts, cfg.Workers
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
	workers := river.NewWorkers()
	river.AddWorker(workers, &sendWorker{db: db, sender: cfg.Sender, log: logger, backoff: backoff,
		limits: limits, unrecorded: unrecorded, failed: cfg.FailureHook})
	chunks := &sendEmailsWorker{db: db, sender: cfg.Sender, log: logger, backoff: backoff, maxAttempts: maxAttempts,
		limits: limits, unrecorded: unrecorded, failed: cfg.FailureHook}
	river.AddWorker(workers, chunks)
	if cfg.Register != nil {
		cfg.Register(workers)
	}
	queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: maxWorkers}}
	for name, qc := range cfg.Queues {
		queues[name] = qc
	}
	client, err := river.NewClient(riverdatabasesql.New(db.DB), &river.Config{
		Queues:            queues,
		Workers:           workers,
		PeriodicJobs:      cfg.PeriodicJobs,
		PollOnly:          true,
		FetchPollInterval: poll,
		// River refuses a poll interval shorter than the cooldown between fetches.
		FetchCooldown: min(poll, river.FetchCooldownDefault),
		MaxAttempts:   maxAttempts,
		// Without these, River takes an hour to run again the jobs of a process that died.
		JobTimeout:           limits.jobTimeout,
		RescueStuckJobsAfter: limits.rescueAfter,
		Logger:               slog.New(minLevelHandler{logger.Handler(), slog.LevelWarn}),
	})
	if err != nil {
		return nil, fmt.Errorf("mail: river client: %w", err)
	}
	chunks.client = client
	return &Queue{db: db, client: client, chunks: chunks}, nil
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
// It returns the email's id, which the caller keeps to show the delivery status.
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
	ids := make([]uuid.UUID, len(ms))
	for i := range ms {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("mail: email id: %w", err)
		}
		ids[i] = id
	}
	jobs := make([]river.InsertManyParams, 0, (len(ids)+chunkSize-1)/chunkSize)
	for chunk := range slices.Chunk(ids, chunkSize) {
		jobs = append(jobs, river.InsertManyParams{
			Args:       sendEmailsArgs{EmailIDs: chunk},
			InsertOpts: &river.InsertOpts{MaxAttempts: chunkMaxAttempts},
		})
	}
	if err := insertOutbox(ctx, tx, copyFrom, ids, ms); err != nil {
		return nil, err
	}
	if _, err := q.client.InsertManyFastTx(ctx, tx.Tx, jobs); err != nil {
		return nil, fmt.Errorf("mail: insert send jobs: %w", err)
	}
	return ids, nil
}

// insertOutbox writes the emails rows of ms, QUEUED, with the ids given: with copyFrom if
// there is one, else in one INSERT.
func insertOutbox(ctx context.Context, tx bun.Tx, copyFrom CopyFunc, ids []uuid.UUID, ms []Message) error {
	if copyFrom != nil {
		// The process's clock, where the INSERT takes the transaction's: asking the database
		// would cost a statement.
		now := pgtype.Timestamptz{Time: time.Now(), Valid: true}
		// Each row is made as pgx encodes it, into one set of values: pointers to pgtype
		// values, which pgx encodes without boxing them again. A bulk invite's messages mostly
		// share their params, which are marshalled again only when they differ from the
		// previous message's.
		var id pgtype.UUID
		var kind, to, subject, link pgtype.Text
		var params map[string]string
		values := []any{&id, &kind, &to, &subject, nil, &link, string(StatusQueued), &now, &now}
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(ms) {
				return nil, nil
			}
			m := &ms[i]
			if i == 0 || !maps.Equal(m.Params, params) {
				b, err := json.Marshal(m.Params)
				if err != nil {
					return nil, fmt.Errorf("mail: email params: %w", err)
				}
				values[4], params = b, m.Params
			}
			id = pgtype.UUID{Bytes: ids[i], Valid: true}
			kind, to = pgtype.Text{String: m.Kind, Valid: true}, pgtype.Text{String: m.To, Valid: true}
			subject, link = pgtype.Text{String: m.Subject, Valid: true}, pgtype.Text{String: m.Link, Valid: true}
			i++
			return values, nil
		})
		if err := copyFrom(ctx, "emails", outboxColumnNames, src); err != nil {
			return fmt.Errorf("mail: insert emails: %w", err)
		}
		return nil
	}
	cols := newOutboxColumns(len(ms))
	for i, m := range ms {
		if err := cols.add(ids[i], m); err != nil {
			return err
		}
	}
	// Through the raw *sql.Tx, the columns go as array parameters that the pgx driver sends in
	// binary: for thousands of rows, faster than the SQL text that bun would build.
	_, err := tx.Tx.ExecContext(ctx, insertEmails,
		cols.id, cols.kind, cols.recipient, cols.subject, cols.params, cols.link, string(StatusQueued))
	if err != nil {
		return fmt.Errorf("mail: insert emails: %w", err)
	}
	return nil
}

// outboxColumnNames are the emails columns that insertOutbox copies, in the order of its rows.
var outboxColumnNames = []string{"id", "kind", "recipient", "subject", "params", "link", "status", "created_at", "updated_at"}

// Start starts the workers, which send emails until Stop or until ctx ends (which, unlike
// Stop, cancels the sends in flight).
func (q *Queue) Start(ctx context.Context) error {
	return q.client.Start(ctx)
}

// Stop stops fetching emails and waits for the sends in flight to finish, or for ctx to end.
// An email not sent yet stays queued for the next Start.
func (q *Queue) Stop(ctx context.Context) error {
	return q.client.Stop(ctx)
}

const insertEmails = `
INSERT INTO emails (id, kind, recipient, subject, params, link, status, created_at, updated_at)
SELECT id::uuid, kind, recipient, subject, params::jsonb, link, $7, now(), now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
    AS e(id, kind, recipient, subject, params, link)`

// outboxColumns holds emails column by column, as insertEmails takes them.
type outboxColumns struct {
	id, kind, recipient, subject, params, link []string
}

func newOutboxColumns(n int) *outboxColumns {
	col := func() []string { return make([]string, 0, n) }
	return &outboxColumns{col(), col(), col(), col(), col(), col()}
}

func (c *outboxColumns) add(id uuid.UUID, m Message) error {
	params, err := json.Marshal(m.Params)
	if err != nil {
		return fmt.Errorf("mail: email params: %w", err)
	}
	c.id = append(c.id, id.String())
	c.kind = append(c.kind, m.Kind)
	c.recipient = append(c.recipient, m.To)
	c.subject = append(c.subject, m.Subject)
	c.params = append(c.params, string(params))
	c.link = append(c.link, m.Link)
	return nil
}

// minLevelHandler drops records below level, so that River's routine messages stay out of the
// service's log while its warnings and errors still reach it.
type minLevelHandler struct {
	slog.Handler
	level slog.Level
}

func (h minLevelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.level && h.Handler.Enabled(ctx, l)
}

func (h minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevelHandler{h.Handler.WithAttrs(attrs), h.level}
}

func (h minLevelHandler) WithGroup(name string) slog.Handler {
	return minLevelHandler{h.Handler.WithGroup(name), h.level}
}
