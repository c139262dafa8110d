package invites_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// cheapPasswords keeps argon2id fast in tests; the cost parameters do not change the logic.
var cheapPasswords = invites.PasswordParams{Memory: 1024, Time: 1, Threads: 1}

// clock is a test clock that moves only when told to.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newService returns a service on the package's database whose emails are queued for real
// (in the emails table and River) but not sent: tests read the links from the outbox.
func newService(t *testing.T, cfg invites.Config) (*invites.Service, *clock) {
	t.Helper()
	queue, err := mail.NewQueue(pgtest.DB(t), mail.QueueConfig{Sender: mail.NewLogSender(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	cfg.AppURL = "https://app.example"
	cfg.Password = cheapPasswords
	cfg.Now = c.Now
	return invites.New(pgtest.DB(t), queue, cfg), c
}

var emailSeq atomic.Int64

// uniqueEmail returns an email no other test of the package uses.
func uniqueEmail(prefix string) string {
	return prefix + "-" + time.Now().Format("150405") + "-" + strconv.FormatInt(emailSeq.Add(1), 10) + "@example.com"
}

func mustSignUp(t *testing.T, s *invites.Service, email string) *invites.Session {
	t.Helper()
	sess, err := s.SignUp(context.Background(), invites.SignUpInput{Email: email, Password: "correct horse", Name: "Test User"})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	return sess
}

// lastLink returns the link of the newest email queued to recipient.
func lastLink(t *testing.T, recipient string) string {
	t.Helper()
	var link string
	err := pgtest.DB(t).NewSelect().TableExpr("emails").Column("link").
		Where("recipient = ?", recipient).OrderExpr("created_at DESC, id DESC").Limit(1).
		Scan(context.Background(), &link)
	if err != nil {
		t.Fatalf("no email to %s: %v", recipient, err)
	}
	return link
}

func pgDB(t *testing.T) *bun.DB { return pgtest.DB(t) }

func count(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	n, err := pgtest.DB(t).NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// wantCode fails the test unless err is a domain error with code.
func wantCode(t *testing.T, err error, code invites.Code) {
	t.Helper()
	if got := invites.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %s), want code %s", err, got, code)
	}
	if e, ok := errors.AsType[*invites.Error](err); !ok || e.Message == "" {
		t.Fatalf("error %v has no user-facing message", err)
	}
}
