package deliverytest

import (
	"context"
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
)

// Sent is an invite's email as the real SMTP sender put it on the wire: what a provider echoes
// of it and where returned mail goes.
type Sent struct {
	// EnvelopeFrom is the SMTP MAIL FROM: the VERP address with a bounce domain.
	EnvelopeFrom string
	Header       netmail.Header
	// Headers is the header section as sent, for a DSN's text/rfc822-headers part.
	Headers string
}

// Send sends inv's email through internal/mail's SMTP sender (from noreply@invites.test, with
// bounceDomain) to srv, and returns it as srv received it, so that a test builds a provider's
// report or a returned message from what the sender really wrote, not from what it should.
func Send(t testing.TB, srv *smtptest.Server, inv Invite, bounceDomain string) Sent {
	t.Helper()
	sender, err := mail.NewSMTPSender(srv.URL(), "Invites <noreply@invites.test>", mail.BounceDomain(bounceDomain))
	if err != nil {
		t.Fatal(err)
	}
	m := mail.Message{ID: inv.EmailID, Kind: "invite", To: inv.Email, Subject: "Ada invited you to Apollo", Text: "Join Apollo"}
	if err := sender.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Received(inv.Email)
	if len(got) != 1 {
		t.Fatalf("SMTP server received %d messages to %s, want 1", len(got), inv.Email)
	}
	msg, err := netmail.ReadMessage(strings.NewReader(string(got[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	raw := strings.ReplaceAll(string(got[0].Data), "\r\n", "\n")
	headers, _, _ := strings.Cut(raw, "\n\n")
	return Sent{EnvelopeFrom: got[0].From, Header: msg.Header, Headers: headers + "\n"}
}
