package mail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

// TestQueue_SentInBatches checks that a chunk's run records its sent emails SENT a batch at a
// time, each with the time it went out, and that no email waits long to be recorded.
func TestQueue_SentInBatches(t *testing.T) {
	ctx := context.Background()

	t.Run("ABatchPerSentBatchSize", func(t *testing.T) {
		srv := smtptest.Start(t)
		db, counter := pgtest.CountingDB(t)
		q := mustNewQueueOn(t, db, testConfig(MustSMTPSender(t, srv)))
		ms := make([]imail.Message, imail.ChunkSize)
		for i := range ms {
			ms[i] = imail.Verification(recipient("batched"), "", fmt.Sprintf("https://app.invites.test/v/b%d", i))
		}
		ids := MustEnqueueMany(t, q, ms)
		counter.Reset()
		start := time.Now()
		if err := q.WorkChunk(ctx, ids); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		updates := 0
		for _, s := range counter.Statements() {
			if strings.HasPrefix(s, "UPDATE emails") {
				updates++
			}
		}
		// One per SentBatchSize emails, and at most one more per SentBatchWait that the run
		// took (a slow machine flushes sooner), and the last.
		least := imail.ChunkSize / imail.SentBatchSize
		most := least + int(took/imail.SentBatchWait) + 1
		t.Logf("%d emails sent in %s, recorded in %d statements", imail.ChunkSize, took.Round(time.Millisecond), updates)
		if updates < least || updates > most {
			t.Errorf("%d UPDATE emails statements for %d emails in %s, want %d to %d", updates, imail.ChunkSize, took, least, most)
		}
		var last time.Time
		distinct := 0
		for i, id := range ids {
			e, _ := loadEmail(t, id)
			if e.Status != imail.StatusSent || e.Attempts != 1 || e.SentAt == nil || e.Link != "" {
				t.Fatalf("email %d: status %s, attempts %d, sent_at %v, link %q; want SENT, 1, set, wiped", i, e.Status, e.Attempts, e.SentAt, e.Link)
			}
			// Sent one after the other in the order of their ids, each stamped when it went.
			if e.SentAt.Before(last) {
				t.Errorf("email %d: sent_at %s before the previous one's %s", i, e.SentAt, last)
			}
			if !e.SentAt.Equal(last) {
				distinct++
			}
			last = *e.SentAt
		}
		if distinct < imail.ChunkSize/2 {
			t.Errorf("%d distinct sent_at among %d emails, want each its own send's time", distinct, imail.ChunkSize)
		}
		if n := srv.Accepted(); n != imail.ChunkSize {
			t.Errorf("server accepted %d emails, want %d", n, imail.ChunkSize)
		}
	})

	t.Run("RecordedWithinSentBatchWait", func(t *testing.T) {
		srv := smtptest.Start(t)
		// Each send takes longer than SentBatchWait: every email is recorded by the end of
		// the send after it, whatever the batch's size.
		srv.Delay(imail.SentBatchWait + 50*time.Millisecond)
		q := MustNewQueue(t, testConfig(MustSMTPSender(t, srv)))
		tos := []string{recipient("slow0"), recipient("slow1"), recipient("slow2"), recipient("slow3")}
		ms := make([]imail.Message, len(tos))
		for i, to := range tos {
			ms[i] = imail.Verification(to, "", fmt.Sprintf("https://app.invites.test/v/w%d", i))
		}
		ids := MustEnqueueMany(t, q, ms)
		seen := make([]imail.Status, 2)
		srv.OnData(tos[3], func(int) error {
			for i := range seen {
				e, _ := loadEmail(t, ids[i])
				seen[i] = e.Status
			}
			return nil
		})
		if err := q.WorkChunk(ctx, ids); err != nil {
			t.Fatal(err)
		}
		for i, st := range seen {
			if st != imail.StatusSent {
				t.Errorf("while the fourth email went out, the email %d was %s, want SENT", i+1, st)
			}
		}
		for i, id := range ids {
			if e, _ := loadEmail(t, id); e.Status != imail.StatusSent || e.Attempts != 1 {
				t.Errorf("%s: status %s, attempts %d; want SENT, 1", tos[i], e.Status, e.Attempts)
			}
		}
	})
}
