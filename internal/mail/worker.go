package mail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
)

// sendEmailArgs is the River job that sends one emails row. It holds only the id: the bodies
// stay in the emails table, where they are wiped once the email is done.
type sendEmailArgs struct {
	EmailID uuid.UUID `json:"email_id"`
}

func (sendEmailArgs) Kind() string { return "send_email" }

// sendWorker sends one email and records the outcome on its row, which is what the service
// reads as the delivery status.
type sendWorker struct {
	river.WorkerDefaults[sendEmailArgs]

	db      *bun.DB
	sender  Sender
	log     *slog.Logger
	backoff func(attempt int) time.Duration
}

func (w *sendWorker) NextRetry(job *river.Job[sendEmailArgs]) time.Time {
	return time.Now().Add(w.backoff(job.Attempt))
}

// Work sends the email at least once: a crash between the send and the status update sends it
// again, which is better than losing it.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendEmailArgs]) error {
	id := job.Args.EmailID
	var e outboxRow
	err := w.db.NewSelect().Model(&e).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("email %s does not exist", id))
	}
	if err != nil {
		return fmt.Errorf("load email %s: %w", id, err)
	}
	if e.Status == StatusSent || e.Status == StatusFailedPermanent {
		return nil // done by an earlier run of this job
	}

	m := Message{Kind: e.Kind, To: e.Recipient, Subject: e.Subject, Text: e.TextBody, HTML: e.HTMLBody, Link: e.Link}
	sendErr := w.sender.Send(ctx, m)
	// The outcome is recorded even when the send ran into shutdown: it happened.
	ctx = context.WithoutCancel(ctx)
	log := w.log.With("email_id", id, "kind", e.Kind, "to", e.Recipient, "attempt", job.Attempt)
	switch {
	case sendErr == nil:
		log.InfoContext(ctx, "email sent", "subject", e.Subject)
		return w.finish(ctx, id, StatusSent, nil)
	case IsPermanent(sendErr):
		log.WarnContext(ctx, "email failed for good", "error", sendErr)
		return errors.Join(river.JobCancel(sendErr), w.finish(ctx, id, StatusFailedPermanent, sendErr))
	case job.Attempt >= job.MaxAttempts:
		log.WarnContext(ctx, "email failed, no attempts left", "error", sendErr)
		return errors.Join(sendErr, w.finish(ctx, id, StatusFailedPermanent, sendErr))
	default:
		log.WarnContext(ctx, "email failed, will retry", "error", sendErr)
		return errors.Join(sendErr, w.retryable(ctx, id, sendErr))
	}
}

// finish records a final status and wipes the bodies and link, which hold secret tokens that
// nobody needs once the email is out or never will be.
func (w *sendWorker) finish(ctx context.Context, id uuid.UUID, status Status, sendErr error) error {
	_, err := w.db.NewUpdate().Table("emails").
		Set("status = ?", status).
		Set("attempts = attempts + 1").
		// A sent email keeps the error of its last failed attempt, if any, as history.
		Set("last_error = COALESCE(?, last_error)", lastError(sendErr)).
		Set("sent_at = CASE WHEN ? THEN now() END", status == StatusSent).
		Set("text_body = '', html_body = '', link = ''").
		Set("updated_at = now()").
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("record email %s as %s: %w", id, status, err)
	}
	return nil
}

// retryable records a failed attempt that the queue will try again.
func (w *sendWorker) retryable(ctx context.Context, id uuid.UUID, sendErr error) error {
	_, err := w.db.NewUpdate().Table("emails").
		Set("status = ?", StatusFailedRetryable).
		Set("attempts = attempts + 1").
		Set("last_error = ?", lastError(sendErr)).
		Set("updated_at = now()").
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("record email %s as %s: %w", id, StatusFailedRetryable, err)
	}
	return nil
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

// outboxRow is the part of an emails row that the worker reads to send it.
type outboxRow struct {
	bun.BaseModel `bun:"table:emails"`

	ID        uuid.UUID `bun:"id"`
	Kind      string    `bun:"kind"`
	Recipient string    `bun:"recipient"`
	Subject   string    `bun:"subject"`
	TextBody  string    `bun:"text_body"`
	HTMLBody  string    `bun:"html_body"`
	Link      string    `bun:"link"`
	Status    Status    `bun:"status"`
}
