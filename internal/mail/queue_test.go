package mail_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

func TestQueue_SMTP(t *testing.T) {
	t.Run("Delivered", func(t *testing.T) {
		srv := smtptest.Start(t)
		q := MustStartQueue(t, testConfig(MustSMTPSender(t, srv)))
		to := recipient("verify")
		link := "https://app.invites.test/verify-email?token=" + strings.Repeat("tok3n-", 20) + "&x=1"
		id := MustEnqueue(t, q, imail.Verification(to, "Ada Lovelace", link))

		e := waitStatus(t, id, imail.StatusSent)
		if e.Attempts != 1 {
			t.Errorf("attempts %d, want 1", e.Attempts)
		}
		if e.SentAt == nil {
			t.Error("sent_at not set")
		}
		checkWiped(t, e)

		got := srv.Received(to)
		if len(got) != 1 {
			t.Fatalf("server received %d messages for %s, want 1", len(got), to)
		}
		m := got[0]
		if len(m.To) != 1 || m.To[0] != to {
			t.Errorf("RCPT TO %q, want [%s]", m.To, to)
		}
		if m.From != "noreply@invites.test" {
			t.Errorf("MAIL FROM %q, want noreply@invites.test", m.From)
		}
		if m.Subject != "Confirm your email for Invites" {
			t.Errorf("subject %q", m.Subject)
		}
		if !strings.Contains(m.Text, link) {
			t.Errorf("text part does not hold the link:\n%s", m.Text)
		}
		if !strings.Contains(m.HTML, strings.ReplaceAll(link, "&", "&amp;")) {
			t.Errorf("HTML part does not hold the link:\n%s", m.HTML)
		}
		if !strings.Contains(m.Text, "Ada Lovelace") {
			t.Errorf("text part does not greet Ada Lovelace:\n%s", m.Text)
		}
	})

	t.Run("TemporaryFailureRetried", func(t *testing.T) {
		srv := smtptest.Start(t)
		q := MustStartQueue(t, testConfig(MustSMTPSender(t, srv)))
		to := recipient("greylisted")
		srv.OnData(to, func(attempt int) error {
			if attempt == 1 {
				return smtptest.Error(451)
			}
			return nil
		})
		id := MustEnqueue(t, q, imail.Verification(to, "Grace", "https://app.invites.test/v/1"))

		e := waitStatus(t, id, imail.StatusSent)
		if e.Attempts != 2 {
			t.Errorf("attempts %d, want 2", e.Attempts)
		}
		if e.LastError == nil || !strings.Contains(*e.LastError, "451") {
			t.Errorf("last_error %v, want the 451 of the first attempt", e.LastError)
		}
		checkWiped(t, e)
		if n := len(srv.Received(to)); n != 1 {
			t.Errorf("server received %d messages, want 1", n)
		}
		waitJobState(t, id, "completed")
	})

	t.Run("PermanentFailure", func(t *testing.T) {
		srv := smtptest.Start(t)
		q := MustStartQueue(t, testConfig(MustSMTPSender(t, srv)))
		to := recipient("unknown-user")
		srv.OnRcpt(to, func(int) error { return smtptest.Error(550) })
		id := MustEnqueue(t, q, imail.Verification(to, "", "https://app.invites.test/v/2"))

		e := waitStatus(t, id, imail.StatusFailedPermanent)
		// A cancelled job is never worked again: that is the proof that no retry follows.
		waitJobState(t, id, "cancelled")
		if e.Attempts != 1 {
			t.Errorf("attempts %d, want 1", e.Attempts)
		}
		if e.LastError == nil || !strings.Contains(*e.LastError, "550") {
			t.Errorf("last_error %v, want the 550", e.LastError)
		}
		if e.SentAt != nil {
			t.Errorf("sent_at %v, want none", e.SentAt)
		}
		checkWiped(t, e)
		if n := srv.RcptAttempts(to); n != 1 {
			t.Errorf("server saw %d attempts, want 1", n)
		}
	})

	t.Run("RetriesUsedUp", func(t *testing.T) {
		srv := smtptest.Start(t)
		cfg := testConfig(MustSMTPSender(t, srv))
		cfg.MaxAttempts = 3
		q := MustStartQueue(t, cfg)
		to := recipient("always-busy")
		srv.OnRcpt(to, func(int) error { return smtptest.Error(451) })
		id := MustEnqueue(t, q, imail.Verification(to, "", "https://app.invites.test/v/3"))

		e := waitStatus(t, id, imail.StatusFailedPermanent)
		waitJobState(t, id, "discarded")
		if e.Attempts != 3 {
			t.Errorf("attempts %d, want 3", e.Attempts)
		}
		checkWiped(t, e)
		if n := srv.RcptAttempts(to); n != 3 {
			t.Errorf("server saw %d attempts, want 3", n)
		}
	})
}

func TestQueue_Start(t *testing.T) {
	t.Run("SendsWhatWasQueuedBefore", func(t *testing.T) {
		srv := smtptest.Start(t)
		to := recipient("queued-while-down")
		// The first queue only enqueues, as a process that stops before its workers run.
		id := MustEnqueue(t, MustNewQueue(t, testConfig(MustSMTPSender(t, srv))), imail.Verification(to, "", "https://app.invites.test/v/4"))
		if e, _ := loadEmail(t, id); e.Status != imail.StatusQueued {
			t.Fatalf("status %q, want QUEUED", e.Status)
		}
		if got := jobState(t, id); got != "available" {
			t.Fatalf("job state %q, want available", got)
		}

		MustStartQueue(t, testConfig(MustSMTPSender(t, srv)))
		waitStatus(t, id, imail.StatusSent)
		waitJobState(t, id, "completed")
		if n := len(srv.Received(to)); n != 1 {
			t.Errorf("server received %d messages, want exactly 1", n)
		}
	})
}

func TestQueue_Enqueue(t *testing.T) {
	t.Run("RollbackLeavesNothing", func(t *testing.T) {
		q := MustNewQueue(t, testConfig(imail.NewLogSender(discardLogger())))
		var id uuid.UUID
		errRollback := errors.New("roll back")
		err := pgtest.DB(t).RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
			var err error
			if id, err = q.Enqueue(ctx, tx, imail.Verification(recipient("rolled-back"), "", "https://x.test/v")); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("RunInTx: %v, want the rollback", err)
		}
		if _, ok := loadEmail(t, id); ok {
			t.Error("emails row survived the rollback")
		}
		if got := jobState(t, id); got != "" {
			t.Errorf("job survived the rollback in state %q", got)
		}
	})

	t.Run("UsesNewV7IDs", func(t *testing.T) {
		q := MustNewQueue(t, testConfig(imail.NewLogSender(discardLogger())))
		// Rolled back, so that no later test's workers send it.
		var id uuid.UUID
		pgtest.DB(t).RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error { //nolint:errcheck
			var err error
			if id, err = q.Enqueue(ctx, tx, imail.Verification(recipient("v7"), "", "https://x.test/v")); err != nil {
				t.Errorf("Enqueue: %v", err)
			}
			return errors.New("roll back")
		})
		if id.Version() != 7 {
			t.Errorf("id %s is version %d, want 7", id, id.Version())
		}
	})
}

func TestQueue_EnqueueMany(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		const n = 1000
		q := MustNewQueue(t, testConfig(imail.NewLogSender(discardLogger())))
		ms := make([]imail.Message, n)
		for i := range ms {
			ms[i] = imail.Invitation(imail.InvitationData{
				To: recipient("bulk"), InviterName: "Ada", ProjectName: "Apollo", Role: "CONTRIBUTOR",
				Link: "https://app.invites.test/invite/tok", ExpiresAt: time.Now().Add(7 * 24 * time.Hour),
			})
		}
		ctx := context.Background()
		// Checked inside the transaction, then rolled back, so that no later test's workers
		// have a thousand emails to send.
		err := pgtest.DB(t).RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			start := time.Now()
			ids, err := q.EnqueueMany(ctx, tx, ms)
			if err != nil {
				t.Fatalf("EnqueueMany: %v", err)
			}
			t.Logf("EnqueueMany of %d took %s", n, time.Since(start))
			if len(ids) != n {
				t.Fatalf("%d ids, want %d", len(ids), n)
			}
			strs := make([]string, n)
			for i, id := range ids {
				strs[i] = id.String()
			}
			var rows, queued, jobs int
			err = tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'QUEUED' AND recipient LIKE 'bulk-%')
				FROM emails WHERE id::text = ANY(?::text[])`, pgdialect.Array(strs)).Scan(&rows, &queued)
			if err != nil {
				t.Fatalf("count emails: %v", err)
			}
			err = tx.QueryRowContext(ctx, `SELECT count(*) FROM river_job
				WHERE kind = 'send_email' AND state = 'available' AND args->>'email_id' = ANY(?::text[])`, pgdialect.Array(strs)).Scan(&jobs)
			if err != nil {
				t.Fatalf("count jobs: %v", err)
			}
			if rows != n || queued != n || jobs != n {
				t.Errorf("%d rows (%d QUEUED) and %d jobs, want %d each", rows, queued, jobs, n)
			}
			return errors.New("roll back")
		})
		if err == nil {
			t.Fatal("transaction committed")
		}
	})

	t.Run("Empty", func(t *testing.T) {
		q := MustNewQueue(t, testConfig(imail.NewLogSender(discardLogger())))
		err := pgtest.DB(t).RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
			ids, err := q.EnqueueMany(ctx, tx, nil)
			if len(ids) != 0 {
				t.Errorf("%d ids, want 0", len(ids))
			}
			return err
		})
		if err != nil {
			t.Fatalf("EnqueueMany: %v", err)
		}
	})
}

func TestLogSender(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var logs syncBuffer
		cfg := testConfig(imail.NewLogSender(slog.New(slog.NewTextHandler(&logs, nil))))
		q := MustStartQueue(t, cfg)
		to := recipient("logged")
		link := "https://app.invites.test/verify-email?token=logged-token"
		id := MustEnqueue(t, q, imail.Verification(to, "Ada", link))

		e := waitStatus(t, id, imail.StatusSent)
		checkWiped(t, e)
		out := logs.String()
		for _, want := range []string{to, "Confirm your email for Invites", link} {
			if !strings.Contains(out, want) {
				t.Errorf("log does not hold %q:\n%s", want, out)
			}
		}
	})
}

func BenchmarkQueue_EnqueueMany10000(b *testing.B) {
	db := pgtest.DB(b)
	q, err := imail.NewQueue(db, imail.QueueConfig{Sender: imail.NewLogSender(discardLogger())})
	if err != nil {
		b.Fatal(err)
	}
	ms := make([]imail.Message, 10000)
	for i := range ms {
		ms[i] = imail.Invitation(imail.InvitationData{To: recipient("bench"), InviterName: "Ada", ProjectName: "Apollo",
			Role: "CONTRIBUTOR", Link: "https://app.invites.test/invite/" + strings.Repeat("t", 43)})
	}
	ctx := context.Background()
	for b.Loop() {
		db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { //nolint:errcheck
			if _, err := q.EnqueueMany(ctx, tx, ms); err != nil {
				b.Fatal(err)
			}
			return errors.New("roll back")
		})
	}
}
