package mail_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

// TestQueue_Crash checks what a chunk's run does when it is cut off between a send and the
// write of its outcome: by a crash, or by the database going away.
func TestQueue_Crash(t *testing.T) {
	ctx := context.Background()

	t.Run("SentWriteLostSendsOnceMoreWithTheSameMessageID", func(t *testing.T) {
		srv := smtptest.Start(t)
		q := MustNewQueue(t, testConfig(MustSMTPSender(t, srv)))
		tos := []string{recipient("lost-write"), recipient("recorded")}
		ids := MustEnqueueMany(t, q, []imail.Message{
			imail.Verification(tos[0], "", "https://app.invites.test/v/l0"),
			imail.Verification(tos[1], "", "https://app.invites.test/v/l1"),
		})
		if err := q.WorkChunk(ctx, ids); err != nil {
			t.Fatalf("first run: %v", err)
		}
		// The process died after the server took the first email and before SENT was
		// written: its row still reads QUEUED, the second's SENT.
		_, err := pgtest.DB(t).NewUpdate().Table("emails").Set("status = ?", imail.StatusQueued).
			Set("attempts = 0").Where("id = ?", ids[0]).Exec(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := q.WorkChunk(ctx, ids); err != nil {
			t.Fatalf("run after the crash: %v", err)
		}

		got := srv.Received(tos[0])
		if len(got) != 2 {
			t.Fatalf("%s: server received %d messages, want 2 (at least once)", tos[0], len(got))
		}
		want := "<" + ids[0].String() + "@invites.test>"
		if got[0].MessageID != want || got[1].MessageID != want {
			t.Errorf("the two copies: Message-IDs %q and %q, want both %q", got[0].MessageID, got[1].MessageID, want)
		}
		if n := len(srv.Received(tos[1])); n != 1 {
			t.Errorf("%s, recorded SENT: server received %d messages, want 1", tos[1], n)
		}
		for i, id := range ids {
			if e, _ := loadEmail(t, id); e.Status != imail.StatusSent || e.Attempts != 1 {
				t.Errorf("%s: status %s, attempts %d; want SENT, 1", tos[i], e.Status, e.Attempts)
			}
		}
	})

	t.Run("ShortDatabaseOutageSendsOnce", func(t *testing.T) {
		srv := smtptest.Start(t)
		proxy := pgtest.StartProxy(t)
		q := mustNewQueueOn(t, proxy.DB(t), testConfig(MustSMTPSender(t, srv)))
		tos := []string{recipient("outage"), recipient("after-outage")}
		ids := MustEnqueueMany(t, q, []imail.Message{
			imail.Verification(tos[0], "", "https://app.invites.test/v/o0"),
			imail.Verification(tos[1], "", "https://app.invites.test/v/o1"),
		})
		// The database goes away while the server takes the first email, until the run has
		// tried to reach it twice more: the write of SENT fails, is tried again, and goes
		// through once the database is back. The outage ends on the run's own tries, not
		// after a time a busy machine could outlast.
		srv.OnData(tos[0], func(int) error {
			proxy.Cut()
			go func() { // checked below, after the run: no t here, which may have ended
				eventually(func() bool { return proxy.Refused() >= 2 })
				proxy.Restore()
			}()
			return nil
		})
		if err := q.WorkChunk(ctx, ids); err != nil {
			t.Fatalf("run through the outage: %v", err)
		}
		if n := proxy.Refused(); n < 2 {
			t.Errorf("%d connections refused during the outage, want the run to have tried twice or more", n)
		}
		for i, id := range ids {
			if e, _ := loadEmail(t, id); e.Status != imail.StatusSent || e.Attempts != 1 {
				t.Errorf("%s: status %s, attempts %d; want SENT, 1", tos[i], e.Status, e.Attempts)
			}
			if n := len(srv.Received(tos[i])); n != 1 {
				t.Errorf("%s: server received %d messages, want 1", tos[i], n)
			}
		}
	})

	t.Run("LongDatabaseOutageRecordsInsteadOfResending", func(t *testing.T) {
		srv := smtptest.Start(t)
		proxy := pgtest.StartProxy(t)
		cfg := testConfig(MustSMTPSender(t, srv))
		// A run gives up writing at JobTimeout + 3/4 of the rest of RescueAfter: 0.8s.
		cfg.JobTimeout, cfg.RescueAfter = 200*time.Millisecond, time.Second
		q := mustNewQueueOn(t, proxy.DB(t), cfg)
		to := recipient("long-outage")
		ids := MustEnqueueMany(t, q, []imail.Message{imail.Verification(to, "", "https://app.invites.test/v/lo")})
		srv.OnData(to, func(int) error {
			proxy.Cut()
			return nil
		})
		// When the run gives up is TestRunDeadlines_Write's (on a fake clock); here, that it
		// gives up at all, leaves the email QUEUED and remembers the send.
		if err := q.WorkChunk(ctx, ids); err == nil {
			t.Fatal("run with the database gone: no error, want the failed write of SENT")
		}
		if e, _ := loadEmail(t, ids[0]); e.Status != imail.StatusQueued {
			t.Fatalf("status %s with the database gone, want QUEUED still", e.Status)
		}

		// The database is back; the job runs again in this process, which remembers the send.
		proxy.Restore()
		if err := q.WorkChunk(ctx, ids); err != nil {
			t.Fatalf("run after the outage: %v", err)
		}
		if e, _ := loadEmail(t, ids[0]); e.Status != imail.StatusSent || e.Attempts != 1 || e.SentAt == nil {
			t.Errorf("after the outage: status %s, attempts %d, sent_at %v; want SENT, 1, set", e.Status, e.Attempts, e.SentAt)
		}
		if n := srv.RcptAttempts(to); n != 1 {
			t.Errorf("server saw %d attempts, want 1: the email was sent already", n)
		}
	})
}

// TestQueue_JobTimeout checks that a chunk that takes longer than the job's timeout goes on in
// the job's next runs, each email sent once, and that no run is taken for a dead one.
func TestQueue_JobTimeout(t *testing.T) {
	const n = 12
	srv := smtptest.Start(t)
	srv.Delay(50 * time.Millisecond) // a dozen sends take over 0.6s: three runs or more
	cfg := testConfig(MustSMTPSender(t, srv))
	cfg.JobTimeout, cfg.RescueAfter = 250*time.Millisecond, 2*time.Second
	q := MustStartQueue(t, cfg)
	ms := make([]imail.Message, n)
	for i := range ms {
		ms[i] = imail.Verification(recipient("slow"), "", fmt.Sprintf("https://app.invites.test/v/s%d", i))
	}
	ids := MustEnqueueMany(t, q, ms)
	for i, id := range ids {
		if e := waitStatus(t, id, imail.StatusSent); e.Attempts != 1 {
			t.Errorf("email %d: attempts %d, want 1", i, e.Attempts)
		}
		if got := srv.RcptAttempts(ms[i].To); got != 1 {
			t.Errorf("email %d: server saw %d attempts, want 1", i, got)
		}
	}
	waitJobState(t, chunkKind, ids[0], "completed")
	var job struct {
		Snoozes int    `bun:"snoozes"`
		Errors  string `bun:"errors"`
	}
	err := pgtest.DB(t).NewSelect().Table("river_job").
		ColumnExpr("coalesce((metadata->>'snoozes')::int, 0) AS snoozes, coalesce(errors::text, '') AS errors").
		Where("kind = ? AND args->'email_ids' @> jsonb_build_array(?::text)", chunkKind, ids[0].String()).
		Scan(context.Background(), &job)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the chunk of %d took %d runs", n, job.Snoozes+1)
	if job.Snoozes < 2 || job.Errors != "" {
		t.Errorf("chunk job: %d snoozes, errors %q; want 2 or more runs cut short by the timeout, no errors (no rescue)", job.Snoozes, job.Errors)
	}
}

func TestNewQueue_Limits(t *testing.T) {
	for _, c := range []struct{ timeout, rescue time.Duration }{
		{time.Minute, time.Minute},
		{2 * time.Minute, 0},
		{0, 10 * time.Second},
	} {
		cfg := testConfig(imail.NewLogSender(discardLogger()))
		cfg.JobTimeout, cfg.RescueAfter = c.timeout, c.rescue
		if _, err := imail.NewQueue(pgtest.DB(t), mustInserter(t, pgtest.DB(t)), cfg); err == nil {
			t.Errorf("NewQueue with JobTimeout %s, RescueAfter %s: no error, want one", c.timeout, c.rescue)
		}
	}
	cfg := testConfig(imail.NewLogSender(discardLogger()))
	cfg.JobTimeout, cfg.RescueAfter = 2*time.Second, 5*time.Second
	if _, err := imail.NewQueue(pgtest.DB(t), mustInserter(t, pgtest.DB(t)), cfg); err != nil {
		t.Errorf("NewQueue with JobTimeout 2s, RescueAfter 5s: %v", err)
	}
}
