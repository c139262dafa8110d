package invites

import (
	"context"
	"database/sql"
	"errors"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/jobs"
	"github.com/invites/invites/internal/mail"
)

// JobInserter enqueues a durable job in the caller's transaction, which a rollback drops
// (internal/jobs.Inserter).
type JobInserter interface {
	Insert(ctx context.Context, tx bun.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// accountsQueue is the River queue of the account jobs (password-reset requests).
const accountsQueue = "accounts"

// passwordResetArgs is a password-reset request, queued by RequestPasswordReset for any email.
type passwordResetArgs struct {
	Email string `json:"email"`
}

func (passwordResetArgs) Kind() string { return "password_reset" }

// InsertOpts: a request that fails is tried a few times (the database may be away), then
// dropped: the person asks again.
func (passwordResetArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: accountsQueue, MaxAttempts: 5}
}

type passwordResetWorker struct {
	river.WorkerDefaults[passwordResetArgs]
	accounts *AccountService
}

func (w *passwordResetWorker) Work(ctx context.Context, job *river.Job[passwordResetArgs]) error {
	return w.accounts.issuePasswordReset(ctx, job.Args.Email)
}

// Work is the account jobs, for the process's River client (internal/jobs).
func (s *AccountService) Work() jobs.Work {
	return jobs.Work{
		Workers: func(workers *river.Workers) { river.AddWorker(workers, &passwordResetWorker{accounts: s}) },
		Queues:  map[string]river.QueueConfig{accountsQueue: {MaxWorkers: 5}},
	}
}

// issuePasswordReset queues an email with a new password-reset link to the account with the
// email and ends the account's older links; where no account has the email it does nothing.
func (s *AccountService) issuePasswordReset(ctx context.Context, email string) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		user := new(User)
		// The lock orders concurrent requests for one account: the newest link is the one kept.
		err := tx.NewSelect().Model(user).Where("email = ?", email).For("UPDATE").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*passwordReset)(nil)).Where("user_id = ?", user.ID).Exec(ctx); err != nil {
			return err
		}
		token, hash := newToken()
		now := s.now()
		r := &passwordReset{TokenHash: hash, UserID: user.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.PasswordResetTTL)}
		if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
			return err
		}
		_, err = s.mailer.Enqueue(ctx, tx, mail.PasswordReset(user.Email, user.Name, s.cfg.AppURL+"/reset-password/"+token, validFor(s.cfg.PasswordResetTTL)).In(userLocale(user)))
		return err
	})
}
