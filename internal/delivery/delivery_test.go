package delivery_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var seq atomic.Int64

// recipient returns an address no other test uses: the tests share one database.
func recipient(name string) string {
	return fmt.Sprintf("%s-%d-%d@example.test", name, time.Now().UnixNano(), seq.Add(1))
}

// counts is an Observer that keeps what it hears.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) DeliveryEvent(provider, kind, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[provider+"/"+kind+"/"+outcome]++
}

func (c *counts) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

var base = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*delivery.Service, *bun.DB, *counts) {
	db := pgtest.DB(t)
	obs := &counts{}
	return delivery.New(db, delivery.Config{Observer: obs, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return base.Add(time.Hour) }}), db, obs
}

// MustEmail writes an emails row to to, in status, queued at created.
func MustEmail(t *testing.T, db bun.IDB, to string, status mail.Status, created time.Time) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	_, err := db.NewRaw(`INSERT INTO emails (project_id, id, kind, recipient, subject, params, link, status, created_at, updated_at)
		VALUES ('00000000-0000-0000-0000-000000000000', ?, 'invite', ?, 'Join us', '{}', 'https://app.test/invite/x', ?, ?, ?)`, id, to, status, created, created).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func emailStatus(t *testing.T, db bun.IDB, id uuid.UUID) (mail.Status, string) {
	t.Helper()
	var st mail.Status
	var lastErr *string
	if err := db.NewRaw("SELECT status, last_error FROM emails WHERE id = ?", id).Scan(context.Background(), &st, &lastErr); err != nil {
		t.Fatal(err)
	}
	if lastErr == nil {
		return st, ""
	}
	return st, *lastErr
}

func suppressionOf(t *testing.T, db bun.IDB, address string) string {
	t.Helper()
	var kinds []string
	err := db.NewRaw("SELECT kind FROM suppressions WHERE email = ? AND lifted_at IS NULL", address).Scan(context.Background(), &kinds)
	if err != nil {
		t.Fatal(err)
	}
	if len(kinds) == 0 {
		return ""
	}
	return kinds[0]
}

func MustRecord(t *testing.T, s *delivery.Service, e delivery.Event) bool {
	t.Helper()
	matched, err := s.Record(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	return matched
}

func TestAdvances(t *testing.T) {
	for _, tc := range []struct {
		from, to mail.Status
		want     bool
	}{
		{mail.StatusQueued, mail.StatusSent, true},
		{mail.StatusSent, mail.StatusDeferred, true},
		{mail.StatusSent, mail.StatusDelivered, true},
		{mail.StatusDeferred, mail.StatusDelivered, true},
		{mail.StatusDelivered, mail.StatusBounced, true},
		{mail.StatusDelivered, mail.StatusComplained, true},
		{mail.StatusQueued, mail.StatusDelivered, true},
		{mail.StatusFailedPermanent, mail.StatusBounced, true},
		{mail.StatusDelivered, mail.StatusDeferred, false},
		{mail.StatusBounced, mail.StatusDelivered, false},
		{mail.StatusBounced, mail.StatusComplained, false},
		{mail.StatusComplained, mail.StatusDelivered, false},
		{mail.StatusDelivered, mail.StatusDelivered, false},
		{mail.StatusSuppressed, mail.StatusDelivered, false},
		{mail.StatusSent, mail.StatusQueued, false},
	} {
		if got := delivery.Advances(tc.from, tc.to); got != tc.want {
			t.Errorf("Advances(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestEmailIDFromMessageID(t *testing.T) {
	id := uuid.Must(uuid.NewV7())
	for _, tc := range []struct {
		in     string
		wantOK bool
	}{
		{"<" + id.String() + "@invites.test>", true},
		{id.String() + "@invites.test", true},
		{" <" + id.String() + "@mail.example.com> ", true},
		{"<CAF=abc@mail.gmail.com>", false},
		{id.String(), false},
		{"", false},
		{"<" + id.String()[:30] + "@x>", false},
	} {
		got, ok := delivery.EmailIDFromMessageID(tc.in)
		if ok != tc.wantOK || (ok && got != id) {
			t.Errorf("EmailIDFromMessageID(%q) = %s, %v; want %s, %v", tc.in, got, ok, id, tc.wantOK)
		}
	}
}

func mustParse(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
