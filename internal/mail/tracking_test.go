package mail_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"

	"github.com/google/uuid"

	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
)

// TestSMTPSender_Tracking: an email with an ID carries it where each provider echoes it, and
// with a bounce domain its envelope sender is the VERP address that names it.
func TestSMTPSender_Tracking(t *testing.T) {
	id := uuid.MustParse("0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b")
	for _, bounceDomain := range []string{"", "bounces.invites.test"} {
		srv := smtptest.Start(t)
		sender, err := imail.NewSMTPSender(srv.URL(), "Invites <noreply@invites.test>", imail.BounceDomain(bounceDomain))
		if err != nil {
			t.Fatal(err)
		}
		to := recipient("tracked")
		m := imail.Verification(to, "", "https://x.test/v")
		m.ID = id
		if err := sender.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		got := srv.Received(to)
		if len(got) != 1 {
			t.Fatalf("server received %d messages, want 1", len(got))
		}
		wantFrom := "noreply@invites.test"
		if bounceDomain != "" {
			wantFrom = "bounces+" + id.String() + "@bounces.invites.test"
		}
		if got[0].From != wantFrom {
			t.Errorf("bounce domain %q: MAIL FROM %q, want %q", bounceDomain, got[0].From, wantFrom)
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(got[0].Data)))
		if err != nil {
			t.Fatal(err)
		}
		for header, want := range map[string]string{
			"X-Invites-Email-ID":             id.String(),
			"X-PM-Metadata-invites_email_id": id.String(),
			"X-SMTPAPI":                      `{"unique_args":{"invites_email_id":"` + id.String() + `"}}`,
			"X-Mailgun-Variables":            `{"invites_email_id":"` + id.String() + `"}`,
			"From":                           `"Invites" <noreply@invites.test>`,
		} {
			if v := msg.Header.Get(header); v != want {
				t.Errorf("%s: %q, want %q", header, v, want)
			}
		}
	}
}

func TestParseVERP(t *testing.T) {
	id := uuid.MustParse("0192a3b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b")
	addr := imail.VERPAddress(id, "bounces.invites.test")
	if got, ok := imail.ParseVERP(addr, "bounces.invites.test"); !ok || got != id {
		t.Errorf("ParseVERP(%q) = %v, %v; want %v, true", addr, got, ok, id)
	}
	if got, ok := imail.ParseVERP(strings.ToUpper(addr), "bounces.invites.test"); !ok || got != id {
		t.Errorf("ParseVERP of the upper-cased address = %v, %v; want %v, true", got, ok, id)
	}
	for _, bad := range []string{"postmaster@bounces.invites.test", addr + ".other", "bounces+nope@bounces.invites.test",
		"bounces+{" + id.String() + "}@bounces.invites.test", "bounces+" + id.String() + "@other.test"} {
		if _, ok := imail.ParseVERP(bad, "bounces.invites.test"); ok {
			t.Errorf("ParseVERP(%q): a VERP address, want not", bad)
		}
	}
}
