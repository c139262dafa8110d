package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/invites/invites/internal/jobs"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
)

// sendEmailArgs is the River job that sends one emails row. It holds only the id: the bodies
// stay in the emails table, where they are wiped once the email is done. The chunk worker
// inserts one for an email whose first attempt failed for a reason that may pass; jobs of
// this kind inserted by earlier versions, one per email, are still worked the same way.
type sendEmailArgs struct {
	EmailID uuid.UUID `json:"email_id"`
	// AttemptsBefore is how many attempts the email had before this job's first: 1 for the
	// retry of a chunk's failed attempt, 0 for a job that makes every attempt itself.
	AttemptsBefore int `json:"attempts_before,omitempty"`
}

func (sendEmailArgs) Kind() string { return "send_email" }

// sendWorker sends one email and records the outcome on its row, which is what the service
// reads as the delivery status.
type sendWorker struct {
	river.WorkerDefaults[sendEmailArgs]

	db         *bun.DB
	sender     Sender
	log        *slog.Logger
	backoff    func(attempt int) time.Duration
	limits     runLimits
	unrecorded *unrecordedSends
	failed     FailureHook
}

func (w *sendWorker) NextRetry(job *river.Job[sendEmailArgs]) time.Time {
	return time.Now().Add(w.backoff(job.Attempt + job.Args.AttemptsBefore))
}

func (w *sendWorker) Timeout(*river.Job[sendEmailArgs]) time.Duration { return w.limits.jobTimeout }

// Work sends the email at least once: a crash between the send and the status update sends it
// again, which is better than losing it.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendEmailArgs]) error {
	run := w.limits.start()
	id := job.Args.EmailID
	var e outboxRow
	err := selectOutbox(w.db, &e).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("email %s does not exist", id))
	}
	if err != nil {
		return fmt.Errorf("load email %s: %w", id, err)
	}
	if !e.Status.Sendable() {
		return nil // done by an earlier run of this job, or reported on (internal/delivery)
	}
	// From here on the run's deadlines bound it, not River's timeout: the send and its outcome
	// go together.
	ctx = context.WithoutCancel(ctx)
	log := w.log.With("email_id", id, "kind", e.Kind, "to", e.Recipient, "attempt", job.Attempt+job.Args.AttemptsBefore)
	if w.unrecorded.has(id) {
		_, err := recordSent(ctx, w.db, run, w.unrecorded, id, false)
		return err
	}
	if e.Suppressed {
		_, err := recordSuppressed(ctx, w.db, run, id)
		return err
	}

	sendErr := run.send(ctx, w.sender, e)
	status := judge(ctx, log, e, sendErr, job.Attempt >= job.MaxAttempts)
	if status == StatusSent {
		_, err := recordSent(ctx, w.db, run, w.unrecorded, id, false)
		return err
	}
	jobErr := sendErr
	if IsPermanent(sendErr) {
		jobErr = river.JobCancel(sendErr)
	}
	err = run.write(ctx, func(ctx context.Context) error {
		var err error
		if status == StatusFailedPermanent {
			_, err = recordFailed(ctx, w.db, w.failed, id, sendErr, false)
		} else {
			_, err = record(ctx, w.db, id, status, sendErr, false)
		}
		return err
	})
	return errors.Join(jobErr, err)
}

// chunkSize is how many emails one send_emails job carries: EnqueueMany inserts one job per
// chunkSize emails, so that a bulk invite of thousands inserts a hundred jobs, not thousands.
// A run that does not get through its chunk within the job's timeout goes on in the next run.
const chunkSize = 100

// chunkMaxAttempts is how many runs a send_emails job gets. A run fails only when the database
// does (an email's failed send is handed to a retry job of its own) and a discarded chunk
// leaves its QUEUED emails unsent, so it gets River's default, however few attempts
// QueueConfig.MaxAttempts gives each email.
const chunkMaxAttempts = river.MaxAttemptsDefault

// sendEmailsArgs is the River job that sends a chunk of up to chunkSize emails rows.
type sendEmailsArgs struct {
	EmailIDs []uuid.UUID `json:"email_ids"`
}

func (sendEmailsArgs) Kind() string { return "send_emails" }

// sendEmailsWorker makes the first attempt of each email of a chunk, one after the other (River
// runs several chunks at once), and records each failure on its row as soon as the SMTP server
// has answered, before the next send, and the emails sent in batches (sentBatch). An email
// whose attempt fails for a reason that may pass is handed, in the transaction that records
// the failure, to a send_email job of its own, which makes its later attempts.
//
// Only the rows still QUEUED are sent, so that a chunk run again (after a crash, or a run cut
// short) sends nothing twice, except the emails whose send went through but whose batch was
// not recorded: at least once.
type sendEmailsWorker struct {
	river.WorkerDefaults[sendEmailsArgs]

	db *bun.DB
	// jobs inserts the retry jobs.
	jobs        *jobs.Inserter
	sender      Sender
	log         *slog.Logger
	backoff     func(attempt int) time.Duration
	maxAttempts int
	limits      runLimits
	unrecorded  *unrecordedSends
	failed      FailureHook
}

func (w *sendEmailsWorker) NextRetry(job *river.Job[sendEmailsArgs]) time.Time {
	return time.Now().Add(w.backoff(job.Attempt))
}

func (w *sendEmailsWorker) Timeout(*river.Job[sendEmailsArgs]) time.Duration {
	return w.limits.jobTimeout
}

func (w *sendEmailsWorker) Work(ctx context.Context, job *river.Job[sendEmailsArgs]) error {
	err := w.work(ctx, w.limits.start(), job.Args.EmailIDs)
	if err != nil && ctx.Err() != nil {
		// Shutdown, or the job's timeout: the next run sends the emails still QUEUED. A snooze,
		// unlike an error, does not use up one of the job's attempts, which a chunk interrupted
		// time after time would otherwise run out of with emails left unsent.
		w.log.InfoContext(ctx, "email chunk interrupted, will go on", "job_id", job.ID, "error", err)
		return river.JobSnooze(0)
	}
	if err != nil && job.Attempt >= job.MaxAttempts {
		w.log.ErrorContext(ctx, "email chunk failed, no attempts left: its emails still QUEUED stay unsent",
			"job_id", job.ID, "email_ids", job.Args.EmailIDs, "error", err)
	}
	return err
}

// work sends the chunk's emails still QUEUED until ctx ends, which River makes it do at the
// job's timeout. The emails sent are recorded SENT in batches (see sentBatch), the last one
// before work returns, however it ends.
func (w *sendEmailsWorker) work(ctx context.Context, run runDeadlines, ids []uuid.UUID) (err error) {
	if len(ids) == 0 {
		return nil
	}
	var rows []outboxRow
	err = selectOutbox(w.db, &rows).
		Where("id IN (?)", bun.In(ids)).
		Where("status = ?", StatusQueued).
		Order("id").
		Scan(ctx)
	if err != nil {
		return fmt.Errorf("load emails: %w", err)
	}
	sent := &sentBatch{db: w.db, run: run, unrecorded: w.unrecorded, log: w.log}
	defer func() {
		err = errors.Join(err, sent.flush(context.WithoutCancel(ctx)))
	}()
	for _, e := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.sendOne(context.WithoutCancel(ctx), run, e, sent); err != nil {
			return err
		}
	}
	return nil
}

// sendOne makes the first attempt of email e and records its outcome: a send that went through
// in sent, to be written with others, any other outcome at once. The error is the database's,
// the send's outcome being on the row.
func (w *sendEmailsWorker) sendOne(ctx context.Context, run runDeadlines, e outboxRow, sent *sentBatch) error {
	log := w.log.With("email_id", e.ID, "kind", e.Kind, "to", e.Recipient, "attempt", 1)
	if w.unrecorded.has(e.ID) {
		sent.add(e.ID)
		return sent.flushIfDue(ctx)
	}
	if e.Suppressed {
		_, err := recordSuppressed(ctx, w.db, run, e.ID)
		return err
	}
	sendErr := run.send(ctx, w.sender, e)
	status := judge(ctx, log, e, sendErr, w.maxAttempts <= 1)
	if status == StatusSent {
		sent.add(e.ID)
		return sent.flushIfDue(ctx)
	}
	var done bool
	err := run.write(ctx, func(ctx context.Context) error {
		var err error
		if status == StatusFailedPermanent {
			done, err = recordFailed(ctx, w.db, w.failed, e.ID, sendErr, true)
		} else {
			done, err = w.handOff(ctx, e.ID, sendErr)
		}
		return err
	})
	if err == nil && !done {
		// Another run of the chunk recorded it first (River took this run for a dead one), or
		// this run's write was committed but its answer lost and the write tried again.
		log.WarnContext(ctx, "email already recorded")
	}
	return err
}

// handOff records a failed first attempt that may pass and, in the same transaction, inserts
// the send_email job that makes the email's later attempts, the first after backoff(1). It
// reports false, inserting nothing, when the row was no longer QUEUED.
func (w *sendEmailsWorker) handOff(ctx context.Context, id uuid.UUID, sendErr error) (bool, error) {
	var done bool
	err := w.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if done, err = record(ctx, tx, id, StatusFailedRetryable, sendErr, true); err != nil || !done {
			return err
		}
		err = w.jobs.Insert(ctx, tx, sendEmailArgs{EmailID: id, AttemptsBefore: 1}, &river.InsertOpts{
			ScheduledAt: time.Now().Add(w.backoff(1)),
			MaxAttempts: w.maxAttempts - 1,
		})
		if err != nil {
			return fmt.Errorf("insert retry job of email %s: %w", id, err)
		}
		return nil
	})
	return done, err
}

// recordFailed records email id as FAILED_PERMANENT (only while it is QUEUED, with ifQueued;
// only while it is not yet final, in any case) and, in the same transaction, tells hook
// (nil: none) when it did, so that the hook hears of each email once however often the
// job runs.
func recordFailed(ctx context.Context, db *bun.DB, hook FailureHook, id uuid.UUID, sendErr error, ifQueued bool) (bool, error) {
	var done bool
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if done, err = record(ctx, tx, id, StatusFailedPermanent, sendErr, ifQueued); err != nil || !done || hook == nil {
			return err
		}
		if err := hook.EmailsFailed(ctx, tx, []uuid.UUID{id}); err != nil {
			return fmt.Errorf("email %s failed for good: %w", id, err)
		}
		return nil
	})
	return done, err
}

// recordSent records email id as SENT (only while it is QUEUED, with ifQueued), trying again
// while the database fails, until the run's writeBy. If it cannot, the email is remembered in
// unrecorded, so that the next run in this process records it instead of sending it again.
// A write that goes through forgets it.
func recordSent(ctx context.Context, db bun.IDB, run runDeadlines, unrecorded *unrecordedSends, id uuid.UUID, ifQueued bool) (bool, error) {
	var done bool
	err := run.write(ctx, func(ctx context.Context) error {
		var err error
		done, err = record(ctx, db, id, StatusSent, nil, ifQueued)
		return err
	})
	if err != nil {
		unrecorded.add(id)
		return false, err
	}
	unrecorded.remove(id)
	return done, nil
}

// judge logs the outcome of an attempt to send e that ended in sendErr and returns the status
// it gives the email: SENT; FAILED_PERMANENT for an error that no retry mends, or when
// lastAttempt says no attempt follows; else FAILED_RETRYABLE. Both workers judge by it.
func judge(ctx context.Context, log *slog.Logger, e outboxRow, sendErr error, lastAttempt bool) Status {
	switch {
	case sendErr == nil:
		log.InfoContext(ctx, "email sent", "subject", e.Subject)
		return StatusSent
	case IsPermanent(sendErr):
		log.WarnContext(ctx, "email failed for good", "error", sendErr)
		return StatusFailedPermanent
	case lastAttempt:
		log.WarnContext(ctx, "email failed, no attempts left", "error", sendErr)
		return StatusFailedPermanent
	}
	log.WarnContext(ctx, "email failed, will retry", "error", sendErr)
	return StatusFailedRetryable
}

// send renders email e and hands it to sender. An email that does not render never will: that
// is a permanent failure.
func send(ctx context.Context, sender Sender, e outboxRow) error {
	m, err := Message{ID: e.ID, Kind: e.Kind, To: e.Recipient, Subject: e.Subject, Link: e.Link, Params: e.Params}.Render()
	if err != nil {
		return permanent(err)
	}
	return sender.Send(ctx, m)
}

// record writes the outcome of an attempt on email id's row. A final status (SENT,
// FAILED_PERMANENT) wipes the link, which holds a secret token that nobody needs once the
// email is out or never will be. With ifQueued, the row is only written while QUEUED; any
// write only on a row not yet final; record reports whether it was written.
func record(ctx context.Context, db bun.IDB, id uuid.UUID, status Status, sendErr error, ifQueued bool) (bool, error) {
	q := db.NewUpdate().Table("emails").
		Set("status = ?", status).
		Set("attempts = attempts + 1").
		// A sent email keeps the error of its last failed attempt, if any, as history.
		Set("last_error = COALESCE(?, last_error)", lastError(sendErr)).
		Set("updated_at = now()").
		Where("id = ?", id)
	if status != StatusFailedRetryable {
		q = q.Set("sent_at = CASE WHEN ? THEN now() END", status == StatusSent).Set("link = ''")
	}
	if ifQueued {
		q = q.Where("status = ?", StatusQueued)
	}
	// Never over a final status: a provider may report DELIVERED (or a bounce) before the
	// queue writes SENT, and a status never moves backward.
	q = q.Where("status IN (?, ?)", StatusQueued, StatusFailedRetryable)
	res, err := q.Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("record email %s as %s: %w", id, status, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record email %s as %s: %w", id, status, err)
	}
	return n > 0, nil
}

// lastError is what an admin sees of a failure: the error's text (which comes from the server
// or the network and never holds the body), cut short.
func lastError(err error) *string {
	if err == nil {
		return nil
	}
	s := []rune(err.Error())
	if len(s) > 500 {
		s = append(s[:500], '…')
	}
	msg := string(s)
	return &msg
}

// outboxRow is the part of an emails row that the workers read to send it.
type outboxRow struct {
	bun.BaseModel `bun:"table:emails"`

	ID        uuid.UUID         `bun:"id"`
	Kind      string            `bun:"kind"`
	Recipient string            `bun:"recipient"`
	Subject   string            `bun:"subject"`
	Params    map[string]string `bun:"params,type:jsonb"`
	Link      string            `bun:"link"`
	Status    Status            `bun:"status"`
	// Suppressed: an invite email to a suppressed address (selectOutbox), written SUPPRESSED
	// instead of sent.
	Suppressed bool `bun:"suppressed,scanonly"`
}
