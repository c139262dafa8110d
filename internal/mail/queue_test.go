package mail_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/config"
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
		// The chunk made the first attempt and handed the email to a job of its own.
		waitJobState(t, chunkKind, id, "completed")
		waitJobState(t, retryKind, id, "completed")
	})

	t.Run("PermanentFailure", func(t *testing.T) {
		srv := smtptest.Start(t)
		q := MustStartQueue(t, testConfig(MustSMTPSender(t, srv)))
		to := recipient("unknown-user")
		srv.OnRcpt(to, func(int) error { return smtptest.Error(550) })
		id := MustEnqueue(t, q, imail.Verification(to, "", "https://app.invites.test/v/2"))

		e := waitStatus(t, id, imail.StatusFailedPermanent)
		// The status and a retry job are written in one transaction: with the status final
		// and no retry job, no retry follows.
		checkNoRetryJob(t, id)
		waitJobState(t, chunkKind, id, "completed")
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
		// One attempt by the chunk, two by the retry job, which has no more.
		waitJobState(t, retryKind, id, "discarded")
		if e.Attempts != 3 {
			t.Errorf("attempts %d, want 3", e.Attempts)
		}
		if e.LastError == nil || !strings.Contains(*e.LastError, "451") {
			t.Errorf("last_error %v, want the 451", e.LastError)
		}
		checkWiped(t, e)
		if n := srv.RcptAttempts(to); n != 3 {
			t.Errorf("server saw %d attempts, want 3", n)
		}
	})

	t.Run("OneAttemptOnly", func(t *testing.T) {
		srv := smtptest.Start(t)
		cfg := testConfig(MustSMTPSender(t, srv))
		cfg.MaxAttempts = 1
		q := MustStartQueue(t, cfg)
		to := recipient("busy-once")
		srv.OnRcpt(to, func(int) error { return smtptest.Error(451) })
		id := MustEnqueue(t, q, imail.Verification(to, "", "https://app.invites.test/v/5"))

		e := waitStatus(t, id, imail.StatusFailedPermanent)
		waitJobState(t, chunkKind, id, "completed")
		checkNoRetryJob(t, id)
		if e.Attempts != 1 {
			t.Errorf("attempts %d, want 1", e.Attempts)
		}
		checkWiped(t, e)
		if n := srv.RcptAttempts(to); n != 1 {
			t.Errorf("server saw %d attempts, want 1", n)
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
		if got := jobState(t, chunkKind, id); got != "available" {
			t.Fatalf("job state %q, want available", got)
		}

		MustStartQueue(t, testConfig(MustSMTPSender(t, srv)))
		waitStatus(t, id, imail.StatusSent)
		waitJobState(t, chunkKind, id, "completed")
		checkNoRetryJob(t, id)
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
		for _, kind := range []string{chunkKind, retryKind} {
			if got := jobState(t, kind, id); got != "" {
				t.Errorf("job %s survived the rollback in state %q", kind, got)
			}
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
	// The emails rows go in with one INSERT, or with COPY on the transaction's connection.
	copyOn := func(conn bun.Conn) imail.CopyFunc {
		return func(ctx context.Context, table string, columns []string, src pgx.CopyFromSource) error {
			return conn.Raw(func(dc any) error {
				_, err := dc.(interface{ Conn() *pgx.Conn }).Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, src)
				return err
			})
		}
	}
	for _, tc := range []struct {
		name string
		copy bool
	}{{"OK", false}, {"Copy", true}} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 1000
			q := MustNewQueue(t, testConfig(imail.NewLogSender(discardLogger())))
			ms := make([]imail.Message, n)
			for i := range ms {
				// Runs of one role and of another: each email keeps its own params.
				role := "CONTRIBUTOR"
				if i%7 >= 5 {
					role = "ADMIN"
				}
				ms[i] = imail.Invitation(imail.InvitationData{
					To: recipient("bulk"), InviterName: "Ada", ProjectName: "Apollo", Role: role,
					Link: "https://app.invites.test/invite/tok", ExpiresAt: time.Now().Add(7 * 24 * time.Hour),
				})
			}
			ctx := context.Background()
			conn, err := pgtest.DB(t).Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// Checked inside the transaction, then rolled back, so that no later test's workers
			// have a thousand emails to send.
			err = conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				start := time.Now()
				var copyFrom imail.CopyFunc
				if tc.copy {
					copyFrom = copyOn(conn)
				}
				ids, err := q.EnqueueManyCopy(ctx, tx, copyFrom, ms)
				if err != nil {
					t.Fatalf("EnqueueManyCopy: %v", err)
				}
				t.Logf("EnqueueManyCopy of %d (COPY: %t) took %s", n, tc.copy, time.Since(start))
				if len(ids) != n {
					t.Fatalf("%d ids, want %d", len(ids), n)
				}
				strs, params, recipients := make([]string, n), make([]string, n), make([]string, n)
				for i, id := range ids {
					strs[i], recipients[i] = id.String(), ms[i].To
					b, _ := json.Marshal(ms[i].Params)
					params[i] = string(b)
				}
				var rows, queued, same int
				err = tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE e.status = 'QUEUED' AND e.recipient LIKE 'bulk-%'),
						count(*) FILTER (WHERE e.params = m.params::jsonb AND e.recipient = m.recipient AND link = ? AND kind = ? AND subject = ? AND attempts = 0 AND sent_at IS NULL)
					FROM emails AS e JOIN unnest(?::text[], ?::text[], ?::text[]) AS m (id, params, recipient) ON e.id::text = m.id`,
					ms[0].Link, ms[0].Kind, ms[0].Subject, pgdialect.Array(strs), pgdialect.Array(params), pgdialect.Array(recipients)).Scan(&rows, &queued, &same)
				if err != nil {
					t.Fatalf("count emails: %v", err)
				}
				if rows != n || queued != n || same != n {
					t.Errorf("%d rows (%d QUEUED, %d with their message's params and recipient, link, kind and subject), want %d", rows, queued, same, n)
				}
				if got, want := chunkSizes(t, tx, strs), chunked(n); !slices.Equal(got, want) {
					t.Errorf("available send_emails jobs of sizes %v, want %v", got, want)
				}
				return errors.New("roll back")
			})
			if err == nil {
				t.Fatal("transaction committed")
			}
		})
	}

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

// TestQueue_Chunks checks that EnqueueMany's emails go in jobs of up to imail.ChunkSize, each
// email still getting a status, retries and a permanent failure of its own.
func TestQueue_Chunks(t *testing.T) {
	t.Run("DeliveredOnce", func(t *testing.T) {
		const n = 250
		srv := smtptest.Start(t)
		q := MustStartQueue(t, testConfig(MustSMTPSender(t, srv)))
		ms := make([]imail.Message, n)
		for i := range ms {
			ms[i] = imail.Invitation(imail.InvitationData{
				To: recipient("chunked"), InviterName: "Ada", ProjectName: "Apollo", Role: "CONTRIBUTOR",
				Link: fmt.Sprintf("https://app.invites.test/invite/tok-%d", i),
			})
		}
		var ids []uuid.UUID
		err := pgtest.DB(t).RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
			var err error
			if ids, err = q.EnqueueMany(ctx, tx, ms); err != nil {
				return err
			}
			strs := make([]string, len(ids))
			for i, id := range ids {
				strs[i] = id.String()
			}
			if got, want := chunkSizes(t, tx, strs), []int{100, 100, 50}; !slices.Equal(got, want) {
				t.Errorf("send_emails jobs of sizes %v, want %v", got, want)
			}
			// The started queue polls meanwhile, but sends only what is committed.
			time.Sleep(300 * time.Millisecond)
			if got := srv.Received(ms[0].To); len(got) != 0 {
				t.Errorf("server received %d messages before the commit", len(got))
			}
			return nil
		})
		if err != nil {
			t.Fatalf("EnqueueMany: %v", err)
		}

		for i, id := range ids {
			e := waitStatus(t, id, imail.StatusSent)
			if e.Attempts != 1 || e.SentAt == nil {
				t.Errorf("email %d: attempts %d, sent_at %v; want 1 and set", i, e.Attempts, e.SentAt)
			}
			checkWiped(t, e)
		}
		for _, id := range []uuid.UUID{ids[0], ids[100], ids[n-1]} {
			waitJobState(t, chunkKind, id, "completed")
		}
		for i, m := range ms {
			got := srv.Received(m.To)
			if len(got) != 1 {
				t.Errorf("server received %d messages for %s, want 1", len(got), m.To)
				continue
			}
			if !strings.Contains(got[0].Text, m.Link) {
				t.Errorf("message %d does not hold its link %s:\n%s", i, m.Link, got[0].Text)
			}
			checkNoRetryJob(t, ids[i])
		}
	})

	t.Run("FailuresOfTheirOwn", func(t *testing.T) {
		srv := smtptest.Start(t)
		q := MustStartQueue(t, testConfig(MustSMTPSender(t, srv)))
		tos := []string{recipient("fine"), recipient("greylisted"), recipient("fine"), recipient("unknown-user"), recipient("fine")}
		greylisted, unknown := tos[1], tos[3]
		srv.OnRcpt(greylisted, func(attempt int) error {
			if attempt == 1 {
				return smtptest.Error(451)
			}
			return nil
		})
		srv.OnRcpt(unknown, func(int) error { return smtptest.Error(550) })
		ms := make([]imail.Message, len(tos))
		for i, to := range tos {
			ms[i] = imail.Verification(to, "", fmt.Sprintf("https://app.invites.test/v/c%d", i))
		}
		ids := MustEnqueueMany(t, q, ms)

		retried := waitStatus(t, ids[1], imail.StatusSent)
		if retried.Attempts != 2 {
			t.Errorf("greylisted: attempts %d, want 2", retried.Attempts)
		}
		if retried.LastError == nil || !strings.Contains(*retried.LastError, "451") {
			t.Errorf("greylisted: last_error %v, want the 451", retried.LastError)
		}
		checkWiped(t, retried)
		waitJobState(t, retryKind, ids[1], "completed")
		if n := len(srv.Received(greylisted)); n != 1 {
			t.Errorf("greylisted: server received %d messages, want 1", n)
		}

		failed := waitStatus(t, ids[3], imail.StatusFailedPermanent)
		if failed.Attempts != 1 || failed.SentAt != nil {
			t.Errorf("unknown user: attempts %d, sent_at %v; want 1 and none", failed.Attempts, failed.SentAt)
		}
		if failed.LastError == nil || !strings.Contains(*failed.LastError, "550") {
			t.Errorf("unknown user: last_error %v, want the 550", failed.LastError)
		}
		checkWiped(t, failed)
		checkNoRetryJob(t, ids[3])
		if n := srv.RcptAttempts(unknown); n != 1 {
			t.Errorf("unknown user: server saw %d attempts, want 1", n)
		}

		for _, i := range []int{0, 2, 4} {
			e := waitStatus(t, ids[i], imail.StatusSent)
			if e.Attempts != 1 || e.LastError != nil {
				t.Errorf("%s: attempts %d, last_error %v; want 1 and none", tos[i], e.Attempts, e.LastError)
			}
			checkNoRetryJob(t, ids[i])
			if n := len(srv.Received(tos[i])); n != 1 {
				t.Errorf("%s: server received %d messages, want 1", tos[i], n)
			}
		}
		waitJobState(t, chunkKind, ids[0], "completed")
	})

	t.Run("RunTwiceSendsOnce", func(t *testing.T) {
		srv := smtptest.Start(t)
		cfg := testConfig(MustSMTPSender(t, srv))
		q := MustNewQueue(t, cfg)
		tos := []string{recipient("twice"), recipient("twice-greylisted"), recipient("twice-unknown"), recipient("twice")}
		srv.OnRcpt(tos[1], func(attempt int) error {
			if attempt == 1 {
				return smtptest.Error(451)
			}
			return nil
		})
		srv.OnRcpt(tos[2], func(int) error { return smtptest.Error(550) })
		ms := make([]imail.Message, len(tos))
		for i, to := range tos {
			ms[i] = imail.Verification(to, "", fmt.Sprintf("https://app.invites.test/v/t%d", i))
		}
		ids := MustEnqueueMany(t, q, ms)

		ctx := context.Background()
		for run := 1; run <= 2; run++ {
			if err := q.WorkChunk(ctx, ids); err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			for i, want := range []imail.Status{imail.StatusSent, imail.StatusFailedRetryable, imail.StatusFailedPermanent, imail.StatusSent} {
				if e, _ := loadEmail(t, ids[i]); e.Status != want || e.Attempts != 1 {
					t.Errorf("run %d, %s: status %s, attempts %d; want %s, 1", run, tos[i], e.Status, e.Attempts, want)
				}
				if n := srv.RcptAttempts(tos[i]); n != 1 {
					t.Errorf("run %d, %s: server saw %d attempts, want 1", run, tos[i], n)
				}
			}
			if states := jobStates(t, retryKind, ids[1]); len(states) != 1 {
				t.Errorf("run %d: greylisted email has %d retry jobs, want 1", run, len(states))
			}
		}

		// Started, the queue runs the chunk's job a third time, and the retry job.
		MustStartQueue(t, cfg)
		waitJobState(t, chunkKind, ids[0], "completed")
		if e := waitStatus(t, ids[1], imail.StatusSent); e.Attempts != 2 {
			t.Errorf("greylisted: attempts %d, want 2", e.Attempts)
		}
		for i, want := range []int{1, 1, 0, 1} {
			if n := len(srv.Received(tos[i])); n != want {
				t.Errorf("%s: server received %d messages, want %d", tos[i], n, want)
			}
		}
		if n := srv.RcptAttempts(tos[2]); n != 1 {
			t.Errorf("unknown user: server saw %d attempts, want 1", n)
		}
	})

	t.Run("InterruptedGoesOn", func(t *testing.T) {
		srv := smtptest.Start(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The first send goes through, then the chunk's context ends, as at shutdown.
		sender := &cancelAfterSend{Sender: MustSMTPSender(t, srv), cancel: cancel}
		q := MustNewQueue(t, testConfig(sender))
		tos := []string{recipient("interrupted"), recipient("interrupted"), recipient("interrupted")}
		ms := make([]imail.Message, len(tos))
		for i, to := range tos {
			ms[i] = imail.Verification(to, "", fmt.Sprintf("https://app.invites.test/v/i%d", i))
		}
		ids := MustEnqueueMany(t, q, ms)

		err := q.WorkChunk(ctx, ids)
		var snooze *river.JobSnoozeError
		if !errors.As(err, &snooze) {
			t.Fatalf("interrupted run: %v, want a snooze, which uses up no attempt of the job", err)
		}
		for i, want := range []imail.Status{imail.StatusSent, imail.StatusQueued, imail.StatusQueued} {
			if e, _ := loadEmail(t, ids[i]); e.Status != want {
				t.Errorf("after the interrupted run, %s: status %s, want %s", tos[i], e.Status, want)
			}
		}

		if err := q.WorkChunk(context.Background(), ids); err != nil {
			t.Fatalf("second run: %v", err)
		}
		for i, id := range ids {
			if e, _ := loadEmail(t, id); e.Status != imail.StatusSent || e.Attempts != 1 {
				t.Errorf("%s: status %s, attempts %d; want SENT, 1", tos[i], e.Status, e.Attempts)
			}
			if n := len(srv.Received(tos[i])); n != 1 {
				t.Errorf("%s: server received %d messages, want 1", tos[i], n)
			}
		}
		// The committed job has nothing left to send; done, so that no later test runs it.
		MustStartQueue(t, testConfig(sender))
		waitJobState(t, chunkKind, ids[0], "completed")
	})
}

// cancelAfterSend is a Sender that calls cancel after each send.
type cancelAfterSend struct {
	imail.Sender
	cancel context.CancelFunc
}

func (s *cancelAfterSend) Send(ctx context.Context, m imail.Message) error {
	defer s.cancel()
	return s.Sender.Send(ctx, m)
}

// chunkSizes returns how many emails each send_emails job that holds some of ids holds, in
// the order of the jobs, and fails unless they hold each of ids exactly once and nothing else.
func chunkSizes(t *testing.T, db bun.IDB, ids []string) []int {
	t.Helper()
	var chunks []string
	err := db.NewSelect().Table("river_job").ColumnExpr("args->>'email_ids'").
		Where("kind = 'send_emails' AND state = 'available'").
		Where("jsonb_exists_any(args->'email_ids', ?::text[])", pgdialect.Array(ids)).
		OrderExpr("id").Scan(context.Background(), &chunks)
	if err != nil {
		t.Fatalf("send_emails jobs: %v", err)
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	seen := make(map[string]bool, len(ids))
	sizes := make([]int, len(chunks))
	for i, c := range chunks {
		var chunk []string
		if err := json.Unmarshal([]byte(c), &chunk); err != nil {
			t.Fatalf("send_emails job args %s: %v", c, err)
		}
		sizes[i] = len(chunk)
		for _, id := range chunk {
			if !want[id] || seen[id] {
				t.Errorf("send_emails job %d holds %s: not of the batch, or twice", i, id)
			}
			seen[id] = true
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("send_emails jobs hold %d of the %d emails", len(seen), len(ids))
	}
	return sizes
}

// chunked is how EnqueueMany cuts n emails into jobs.
func chunked(n int) []int {
	var sizes []int
	for ; n > 0; n -= imail.ChunkSize {
		sizes = append(sizes, min(n, imail.ChunkSize))
	}
	return sizes
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
	q, err := imail.NewQueue(db, mustInserter(b, db), imail.QueueConfig{Mail: config.Default().Mail, Jobs: config.Default().Jobs, Sender: imail.NewLogSender(discardLogger())})
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
