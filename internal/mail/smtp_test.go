package mail_test

import (
	"context"
	"net"
	"testing"

	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
)

func TestNewSMTPSender(t *testing.T) {
	for _, bad := range []string{"http://mail.test", "smtp://", "smtp://mail.test:port", "::"} {
		if _, err := imail.NewSMTPSender(bad, "noreply@invites.test"); err == nil {
			t.Errorf("NewSMTPSender(%q): no error", bad)
		}
	}
	if _, err := imail.NewSMTPSender("smtp://mail.test", "not an address"); err == nil {
		t.Error("NewSMTPSender with a bad sender address: no error")
	}
	for _, ok := range []string{"smtp://mail.test", "smtps://user:pass@mail.test:2465", "smtp://user@mail.test:2525"} {
		if _, err := imail.NewSMTPSender(ok, "Invites <noreply@invites.test>"); err != nil {
			t.Errorf("NewSMTPSender(%q): %v", ok, err)
		}
	}
}

func TestSMTPSender_Send(t *testing.T) {
	ctx := context.Background()

	t.Run("ErrBadAddressIsPermanent", func(t *testing.T) {
		srv := smtptest.Start(t)
		err := MustSMTPSender(t, srv).Send(ctx, imail.Verification("not an address", "", "https://x.test/v"))
		if err == nil || !imail.IsPermanent(err) {
			t.Errorf("got %v, want a permanent error", err)
		}
	})

	t.Run("Err5xxIsPermanent", func(t *testing.T) {
		srv := smtptest.Start(t)
		to := recipient("rejected")
		srv.OnRcpt(to, func(int) error { return smtptest.Error(550) })
		err := MustSMTPSender(t, srv).Send(ctx, imail.Verification(to, "", "https://x.test/v"))
		if err == nil || !imail.IsPermanent(err) {
			t.Errorf("got %v, want a permanent error", err)
		}
	})

	t.Run("Err4xxIsTemporary", func(t *testing.T) {
		srv := smtptest.Start(t)
		to := recipient("later")
		srv.OnData(to, func(int) error { return smtptest.Error(452) })
		err := MustSMTPSender(t, srv).Send(ctx, imail.Verification(to, "", "https://x.test/v"))
		if err == nil || imail.IsPermanent(err) {
			t.Errorf("got %v, want a temporary error", err)
		}
	})

	t.Run("ErrNetworkIsTemporary", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close() // nothing listens there now
		s, err := imail.NewSMTPSender("smtp://"+addr, "noreply@invites.test")
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(ctx, imail.Verification(recipient("unreachable"), "", "https://x.test/v"))
		if err == nil || imail.IsPermanent(err) {
			t.Errorf("got %v, want a temporary error", err)
		}
	})
}
