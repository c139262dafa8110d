package bounces_test

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/bounces"
	"github.com/invites/invites/internal/delivery/deliverytest"
	"github.com/invites/invites/internal/invites"
	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// startReal is the listener handing its reports to the real delivery.Service.
func startReal(t *testing.T, svc delivery.Recorder) *bounces.Server {
	t.Helper()
	s := bounces.NewServer(bounces.Config{Domain: domain, Addr: "127.0.0.1:0", Now: func() time.Time { return now }},
		svc, slog.New(slog.DiscardHandler))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return s
}

// about is msg (one of the reports' examples) made to concern the email inv: its VERP
// address, Message-ID and header, and its recipient in place of the example's.
func about(msg, exampleRecipient string, inv deliverytest.Invite) string {
	msg = strings.ReplaceAll(msg, ours, inv.EmailID.String())
	return strings.ReplaceAll(msg, exampleRecipient, inv.Email)
}

// TestIntegration_Returned sends returned mail over SMTP (net/smtp) to the VERP address of
// an invite's email, with the real delivery.Service on PostgreSQL behind the listener: a DSN
// marks the invite BOUNCED and suppresses the address, an ARF report COMPLAINED; the same
// report again changes nothing twice; another invite to the address, sent later, is not the
// one changed.
func TestIntegration_Returned(t *testing.T) {
	db := pgtest.DB(t)
	s := startReal(t, delivery.New(db, delivery.Config{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}))
	const hardReason = "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table"
	for _, tc := range []struct {
		name, msg, exampleRecipient string
		want                        func(inv deliverytest.Invite) deliverytest.State
	}{
		{"DSN hard bounce", dsnHard, "bob@exmaple.com", func(inv deliverytest.Invite) deliverytest.State {
			reason := strings.ReplaceAll(hardReason, "%s", inv.Email)
			return deliverytest.State{Status: imail.StatusBounced, Error: reason,
				Suppression: delivery.SuppressedHardBounce, SuppressionReason: reason,
				Activity: []deliverytest.Activity{{Name: invites.EventBouncedUserInvite, ActorID: inv.InviterID, Detail: reason}},
				Events:   []string{"smtp/HARD_BOUNCE"}}
		}},
		{"DSN soft failure and delay", dsnMixed, "louisl@larry.slip.umd.edu", func(inv deliverytest.Invite) deliverytest.State {
			return deliverytest.State{Status: imail.StatusDeferred, Error: "426 connection timed out",
				Events: []string{"smtp/DEFERRED", "smtp/SOFT_BOUNCE"}}
		}},
		{"ARF complaint", arf, "user@example.com", func(inv deliverytest.Invite) deliverytest.State {
			return deliverytest.State{Status: imail.StatusComplained, Error: "abuse",
				Suppression: delivery.SuppressedComplaint, SuppressionReason: "abuse",
				Activity: []deliverytest.Activity{{Name: invites.EventComplainedUserInvite, ActorID: inv.InviterID, Detail: "abuse"}},
				Events:   []string{"smtp/COMPLAINT"}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to := deliverytest.Recipient("returned")
			inv := deliverytest.NewInvite(t, db, to, now.Add(-2*time.Hour))
			later := deliverytest.NewInvite(t, db, to, now.Add(-time.Hour))
			msg := about(tc.msg, tc.exampleRecipient, inv)
			want := tc.want(inv)
			for _, try := range []string{"first", "again"} {
				if err := send(t, s, imail.VERPAddress(inv.EmailID, domain), msg); err != nil {
					t.Fatalf("%s: %v", try, err)
				}
				if got := deliverytest.StateOf(t, db, inv); !reflect.DeepEqual(got, want) {
					t.Errorf("%s:\n got %+v\nwant %+v", try, got, want)
				}
			}
			got := deliverytest.StateOf(t, db, later)
			got.Suppression, got.SuppressionReason = "", "" // the address's, shared
			if want := (deliverytest.State{Status: imail.StatusSent}); !reflect.DeepEqual(got, want) {
				t.Errorf("the later invite:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestIntegration_Returned_Unknown: a report to the VERP address of no email of ours is taken
// (the sending server is not asked to retry it) and changes nothing.
func TestIntegration_Returned_Unknown(t *testing.T) {
	db := pgtest.DB(t)
	s := startReal(t, delivery.New(db, delivery.Config{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}))
	inv := deliverytest.NewInvite(t, db, deliverytest.Recipient("unknown"), now.Add(-2*time.Hour))
	nobody := uuid.Must(uuid.NewV7())
	msg := strings.ReplaceAll(strings.ReplaceAll(dsnHard, ours, nobody.String()), "bob@exmaple.com", "stranger@elsewhere.test")
	if err := send(t, s, imail.VERPAddress(nobody, domain), msg); err != nil {
		t.Fatal(err)
	}
	if got, want := deliverytest.StateOf(t, db, inv), (deliverytest.State{Status: imail.StatusSent}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestIntegration_Returned_AsSent: the invite's email goes out through the real SMTP sender
// with the bounce domain, and the receiving server's DSN comes back to the envelope sender it
// wrote, quoting the headers it wrote: the invite is BOUNCED and its address suppressed.
func TestIntegration_Returned_AsSent(t *testing.T) {
	db := pgtest.DB(t)
	s := startReal(t, delivery.New(db, delivery.Config{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}))
	inv := deliverytest.NewInvite(t, db, deliverytest.Recipient("as-sent"), now.Add(-2*time.Hour))
	sent := deliverytest.Send(t, smtptest.Start(t), inv, domain)
	dsn := `From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
Message-Id: <20261206115800.7B3C2@mx.example.com>
Subject: Undelivered Mail Returned to Sender
To: ` + sent.EnvelopeFrom + `
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="7B3C2/mx.example.com"

--7B3C2/mx.example.com
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--7B3C2/mx.example.com
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
Arrival-Date: Sun, 6 Dec 2026 11:57:58 +0000

Final-Recipient: rfc822; ` + inv.Email + `
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 no such user

--7B3C2/mx.example.com
Content-Type: text/rfc822-headers

` + sent.Headers + `
--7B3C2/mx.example.com--
`
	if err := send(t, s, sent.EnvelopeFrom, dsn); err != nil {
		t.Fatal(err)
	}
	want := deliverytest.State{Status: imail.StatusBounced, Error: "550 5.1.1 no such user",
		Suppression: delivery.SuppressedHardBounce, SuppressionReason: "550 5.1.1 no such user",
		Activity: []deliverytest.Activity{{Name: invites.EventBouncedUserInvite, ActorID: inv.InviterID, Detail: "550 5.1.1 no such user"}},
		Events:   []string{"smtp/HARD_BOUNCE"}}
	if got := deliverytest.StateOf(t, db, inv); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
