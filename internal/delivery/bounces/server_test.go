package bounces_test

import (
	"context"
	"errors"
	"log/slog"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/delivery/bounces"
	"github.com/invites/invites/internal/delivery/deliverytest"
)

const (
	domain = "bounces.invites.test"
	ours   = "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"
	verp   = "bounces+" + ours + "@" + domain
)

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func start(t *testing.T) (*bounces.Server, *deliverytest.Recorder) {
	t.Helper()
	rec := &deliverytest.Recorder{}
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
