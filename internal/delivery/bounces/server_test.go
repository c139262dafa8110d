package bounces_test

import (
	"context"
	"errors"
	"log/slog"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/bounces"
)

const (
	domain = "bounces.invites.test"
	ours   = "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"
	verp   = "bounces+" + ours + "@" + domain
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// recorder is a delivery.Recorder that keeps the events it is given; with fail set, it fails.
type recorder struct {
	mu     sync.Mutex
	events []delivery.Event
	fail   bool
}

func (r *recorder) Record(_ context.Context, e delivery.Event) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return false, errors.New("database down")
	}
	r.events = append(r.events, e)
	return true, nil
}

func (r *recorder) got() []delivery.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery.Event(nil), r.events...)
}

func start(t *testing.T) (*bounces.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	s := bounces.NewServer(bounces.Config{Domain: domain, Addr: "127.0.0.1:0", Now: func() time.Time { return now }},
		rec, slog.New(slog.DiscardHandler))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return s, rec
}

// send delivers msg to rcpt over SMTP from the null sender, as an MTA returns mail, and
// returns the server's first refusal.
func send(t *testing.T, s *bounces.Server, rcpt, msg string) error {
	t.Helper()
	c, err := smtp.Dial(s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail(""); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(strings.ReplaceAll(msg, "\n", "\r\n"))); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// code is the SMTP reply code of err, 0 for none.
func code(err error) int {
	var tpErr *textproto.Error
	if errors.As(err, &tpErr) {
		return tpErr.Code
	}
	return 0
}

func wantEvents(t *testing.T, rec *recorder, want ...delivery.Event) {
	t.Helper()
	got := rec.got()
	if len(got) != len(want) {
		t.Fatalf("got %d events %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range want {
		if !got[i].At.Equal(want[i].At) {
			t.Errorf("event %d: got At %v, want %v", i, got[i].At, want[i].At)
		}
		got[i].At, want[i].At = time.Time{}, time.Time{}
		if got[i] != want[i] {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}
