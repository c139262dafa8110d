package mail_test

import (
	"context"
	"net"
	"testing"

	"github.com/google/uuid"

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
	t.Run("MessageIDFromEmailID", func(t *testing.T) {
		srv := smtptest.Start(t)
		sender := MustSMTPSender(t, srv)
		to := recipient("message-id")
		id := uuid.MustParse("0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b")
		m := imail.Verification(to, "", "https://x.test/v")
		m.ID = id
		for range 2 {
			if err := sender.Send(ctx, m); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
		unnamed := imail.Verification(to, "", "https://x.test/v")
		for range 2 {
			if err := sender.Send(ctx, unnamed); err != nil {
				t.Fatalf("Send without an ID: %v", err)
			}
		}
		got := srv.Received(to)
		if len(got) != 4 {
			t.Fatalf("server received %d messages, want 4", len(got))
		}
		// The sender address is "Invites <noreply@invites.test>": its domain is the right-hand
		// side, and every send of one email carries the same Message-ID.
		want := "<" + id.String() + "@invites.test>"
		for i, msg := range got[:2] {
			if msg.MessageID != want {
				t.Errorf("send %d: Message-ID %q, want %q", i+1, msg.MessageID, want)
			}
		}
		if a, b := got[2].MessageID, got[3].MessageID; a == "" || a == b || a == want {
			t.Errorf("without an ID: Message-IDs %q and %q, want two of their own", a, b)
		}
	})

	t.Run("DeliveredThoughTheConnectionDropsAfter", func(t *testing.T) {
		srv := smtptest.Start(t)
		to := recipient("hung-up")
		srv.HangUpAfterData(to)
		// The server took the message and then dropped the connection before the RSET and
		// QUIT: the email is delivered, and sending it again would make a duplicate.
		if err := MustSMTPSender(t, srv).Send(ctx, imail.Verification(to, "", "https://x.test/v")); err != nil {
			t.Errorf("Send: %v, want nil: the server accepted the message", err)
		}
		if n := len(srv.Received(to)); n != 1 {
			t.Errorf("server received %d messages, want 1", n)
		}
	})
}
