package mail_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/jobs"
	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// waitFor is how long a test waits for the queue to reach a state: generous, for a slow
// machine under the race detector.
const waitFor = 60 * time.Second

var recipientSeq atomic.Int64

// recipient returns an address no other test (nor another -count run) uses, since the tests
// share one database.
func recipient(name string) string {
	return fmt.Sprintf("%s-%d@example.test", name, recipientSeq.Add(1))
}

// syncBuffer is a log destination that the workers write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// testConfig is a queue configuration fast enough for tests.
func testConfig(sender imail.Sender) imail.QueueConfig {
	cfg := imail.QueueConfig{
		Mail:    config.Default().Mail,
		Jobs:    config.Default().Jobs,
		Sender:  sender,
		Logger:  discardLogger(),
		Backoff: func(int) time.Duration { return 10 * time.Millisecond },
	}
	cfg.PollInterval, cfg.MaxAttempts, cfg.Workers = 50*time.Millisecond, 5, 4
	return cfg
}

// MustNewQueue builds a queue whose workers do not run.
func MustNewQueue(t *testing.T, cfg imail.QueueConfig) *imail.Queue {
	t.Helper()
	return mustNewQueueOn(t, pgtest.DB(t), cfg)
}

// mustNewQueueOn builds a queue on db whose workers do not run.
func mustNewQueueOn(t *testing.T, db *bun.DB, cfg imail.QueueConfig) *imail.Queue {
	t.Helper()
	q, err := imail.NewQueue(db, mustInserter(t, db), cfg)
	if err != nil {
		t.Fatalf("NewQueue: %v", err)
	}
	return q
}

// mustInserter is an Inserter of jobs on db.
func mustInserter(t testing.TB, db *bun.DB) *jobs.Inserter {
	t.Helper()
	ins, err := jobs.NewInserter(db)
	if err != nil {
		t.Fatal(err)
	}
	return ins
}

// MustStartQueue builds a queue and runs its workers on a River client of their own (as
// internal/jobs runs them in the server, beside others), stopped when the test ends.
func MustStartQueue(t *testing.T, cfg imail.QueueConfig) *imail.Queue {
	t.Helper()
	q := MustNewQueue(t, cfg)
	client, err := jobs.New(pgtest.DB(t), jobs.Config{Jobs: cfg.Jobs, Logger: cfg.Logger}, q.Work())
	if err != nil {
		t.Fatalf("jobs.New: %v", err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := client.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return q
}

// MustSMTPSender returns a sender to the test SMTP server srv.
func MustSMTPSender(t *testing.T, srv *smtptest.Server) imail.Sender {
	t.Helper()
	s, err := imail.NewSMTPSender(srv.URL(), "Invites <noreply@invites.test>")
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	return s
}

// MustEnqueue queues m in a committed transaction.
func MustEnqueue(t *testing.T, q *imail.Queue, m imail.Message) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := pgtest.DB(t).RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		id, err = q.Enqueue(ctx, tx, m)
		return err
	})
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return id
}

// MustEnqueueMany queues ms in a committed transaction.
func MustEnqueueMany(t *testing.T, q *imail.Queue, ms []imail.Message) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	err := pgtest.DB(t).RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		ids, err = q.EnqueueMany(ctx, tx, ms)
		return err
	})
	if err != nil {
		t.Fatalf("EnqueueMany: %v", err)
	}
	return ids
}

// emailState is an emails row as the tests check it.
type emailState struct {
	Status    imail.Status `bun:"status"`
	Attempts  int          `bun:"attempts"`
	Link      string       `bun:"link"`
	LastError *string      `bun:"last_error"`
	SentAt    *time.Time   `bun:"sent_at"`
}

func loadEmail(t *testing.T, id uuid.UUID) (emailState, bool) {
	t.Helper()
	var rows []emailState
	err := pgtest.DB(t).NewSelect().Table("emails").
		Column("status", "attempts", "link", "last_error", "sent_at").
		Where("id = ?", id).Scan(context.Background(), &rows)
	if err != nil {
		t.Fatalf("load email: %v", err)
	}
	if len(rows) == 0 {
		return emailState{}, false
	}
	return rows[0], true
}

// eventually polls cond until it holds, for waitFor at most, and says whether it did. It is
// safe to call from any goroutine.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(waitFor); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// waitStatus polls the emails row until it has the status want.
func waitStatus(t *testing.T, id uuid.UUID, want imail.Status) emailState {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		e, ok := loadEmail(t, id)
		if ok && e.Status == want {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("email %s: status %q after %s, want %q", id, e.Status, waitFor, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The kinds of River job that send emails: the job of an EnqueueMany chunk, which makes each
// email's first attempt, and the job of one email, which makes its retries.
const (
	chunkKind = "send_emails"
	retryKind = "send_email"
)

// jobStates are the states of the River jobs of kind that send email id, oldest first.
func jobStates(t *testing.T, kind string, id uuid.UUID) []string {
	t.Helper()
	q := pgtest.DB(t).NewSelect().Table("river_job").Column("state").Where("kind = ?", kind).OrderExpr("id")
	switch kind {
	case chunkKind:
		q = q.Where("args->'email_ids' @> jsonb_build_array(?::text)", id.String())
	case retryKind:
		q = q.Where("args->>'email_id' = ?", id.String())
	default:
		t.Fatalf("no job kind %q", kind)
	}
	var states []string
	if err := q.Scan(context.Background(), &states); err != nil {
		t.Fatalf("job states: %v", err)
	}
	return states
}

// jobState is the state of the River job of kind that sends email id, "" when there is none.
func jobState(t *testing.T, kind string, id uuid.UUID) string {
	t.Helper()
	states := jobStates(t, kind, id)
	switch len(states) {
	case 0:
		return ""
	case 1:
		return states[0]
	default:
		t.Fatalf("email %s has %d jobs %s, want 1", id, len(states), kind)
		return ""
	}
}

// waitJobState polls the River job of kind that sends email id until it is in state want.
func waitJobState(t *testing.T, kind string, id uuid.UUID, want string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		got := jobState(t, kind, id)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s of email %s: state %q after %s, want %q", kind, id, got, waitFor, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkNoRetryJob fails if email id was handed to a job of its own for a retry.
func checkNoRetryJob(t *testing.T, id uuid.UUID) {
	t.Helper()
	if states := jobStates(t, retryKind, id); len(states) != 0 {
		t.Errorf("email %s has retry jobs in states %v, want none", id, states)
	}
}

// checkWiped fails unless the row no longer holds the email's link, the one secret in it.
func checkWiped(t *testing.T, e emailState) {
	t.Helper()
	if e.Link != "" {
		t.Errorf("link not wiped: %q", e.Link)
	}
}
