package mail_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

// failureLog is a FailureHook that notes the emails it hears of with the status and link
// their rows have in the hook's transaction.
type failureLog struct {
	mu    sync.Mutex
	heard []uuid.UUID
	rows  []string
}

func (h *failureLog) EmailsFailed(ctx context.Context, tx bun.Tx, ids []uuid.UUID) error {
	var rows []string
	err := tx.NewSelect().TableExpr("emails").ColumnExpr("status || ':' || link").
		Where("id IN (?)", bun.In(ids)).Scan(ctx, &rows)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.heard = append(h.heard, ids...)
	h.rows = append(h.rows, rows...)
	return err
}

// An email the server refuses for good is heard of by the failure hook once, in the
// transaction that writes it FAILED_PERMANENT, however many runs come after.
func TestFailureHook(t *testing.T) {
	ctx := context.Background()
	srv := smtptest.Start(t)
	hook := &failureLog{}
	cfg := testConfig(MustSMTPSender(t, srv))
	cfg.FailureHook = hook
	q := MustNewQueue(t, cfg)
	bad, good := recipient("refused"), recipient("taken")
	srv.OnRcpt(bad, func(int) error { return smtptest.Error(550) })
	ids := MustEnqueueMany(t, q, []imail.Message{
		imail.Verification(bad, "Ada", "https://app.invites.test/verify-email/a"),
		imail.Verification(good, "Bob", "https://app.invites.test/verify-email/b"),
	})
	if err := q.WorkChunk(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if err := q.WorkChunk(ctx, ids); err != nil { // the chunk run again
		t.Fatal(err)
	}
	done, err := imail.RecordFailed(ctx, pgtest.DB(t), hook, ids[0], errors.New("550 again"))
	if err != nil || done {
		t.Fatalf("a later run wrote the failed email again: %v, %v", done, err)
	}
	if !slices.Equal(hook.heard, ids[:1]) || !slices.Equal(hook.rows, []string{"FAILED_PERMANENT:"}) {
		t.Fatalf("the hook heard of %v with rows %q, want only %s, FAILED_PERMANENT with its link wiped", hook.heard, hook.rows, ids[0])
	}
	// A hook that fails rolls the status back with it.
	failing := failingHook{}
	email := MustEnqueue(t, q, imail.Verification(recipient("rolledback"), "Cy", "https://app.invites.test/verify-email/c"))
	if _, err := imail.RecordFailed(ctx, pgtest.DB(t), failing, email, errors.New("550")); err == nil {
		t.Fatal("the hook's error was lost")
	}
	var status string
	if err := pgtest.DB(t).NewSelect().TableExpr("emails").Column("status").Where("id = ?", email).Scan(ctx, &status); err != nil {
		t.Fatal(err)
	}
	if status != string(imail.StatusQueued) {
		t.Fatalf("status %s after the hook failed, want QUEUED", status)
	}
}

type failingHook struct{}

func (failingHook) EmailsFailed(context.Context, bun.Tx, []uuid.UUID) error {
	return errors.New("hook down")
}
