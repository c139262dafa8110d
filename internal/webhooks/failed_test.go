package webhooks_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

// An invite whose email the SMTP server refuses for good (5xx) is posted once as
// invite.delivery_failed, with the invite's data and the server's answer, to the endpoints
// that want it, and to no other.
func TestDeliveryFailed(t *testing.T) {
	ctx := context.Background()
	smtp := smtptest.Start(t)
	sender, err := mail.NewSMTPSender(smtp.URL(), "invites@example.com")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvSending(t, pgtest.DB(t), nil, 20*time.Millisecond, sender)
	owner, p := e.project(t)
	rc := newReceiver(t)
	wants := e.endpoint(t, owner.ID, p.ID, rc, []string{"invite.delivery_failed"})
	other := newReceiver(t)
	notWanted, otherSecret, err := e.hooks.Create(ctx, owner.ID, p.ID, other.URL, []string{"invite.created"})
	if err != nil {
		t.Fatal(err)
	}
	other.trust(otherSecret)

	bad := uniqueEmail("bounced")
	smtp.OnRcpt(bad, func(int) error { return smtptest.Error(550) })
	inv := e.invite(t, owner.ID, p.ID, bad, invites.RoleAdmin)

	got := rc.waitAccepted(t, 1, waitFor)
	other.waitAccepted(t, 1, waitFor)  // its invite.created
	time.Sleep(300 * time.Millisecond) // room for a second post, which must not come
	if got = rc.accepted(); len(got) != 1 || got[0].Type != "invite.delivery_failed" {
		t.Fatalf("posts: %v, want one invite.delivery_failed", types(got))
	}
	d := got[0].Data
	invite, _ := d["invite"].(map[string]any)
	if d["projectId"] != p.ID.String() || d["email"] != bad || invite == nil ||
		invite["id"] != inv.ID.String() || invite["email"] != bad || invite["role"] != string(invites.RoleAdmin) ||
		invite["status"] != "PENDING" {
		t.Fatalf("data = %v", d)
	}
	var emailID string
	if err := e.db.NewSelect().TableExpr("invites").ColumnExpr("email_id::text").Where("id = ?", inv.ID).Scan(ctx, &emailID); err != nil {
		t.Fatal(err)
	}
	if d["eventId"] != emailID {
		t.Fatalf("eventId = %v, want the email's id %s", d["eventId"], emailID)
	}
	if reason, _ := d["reason"].(string); !strings.Contains(reason, "550") {
		t.Fatalf("reason = %q, want the server's 550 answer", reason)
	}
	for _, word := range []string{"token", "link", "/invite/"} {
		if strings.Contains(strings.ToLower(got[0].Body), word) {
			t.Fatalf("the payload holds %q: %s", word, got[0].Body)
		}
	}
	if ds := e.settled(t, wants, 1); len(ds) != 1 || ds[0].EventType != "invite.delivery_failed" {
		t.Fatalf("deliveries of the endpoint that wants it: %d", len(ds))
	}
	if posts := other.accepted(); !slices.Equal(types(posts), []string{"invite.created"}) {
		t.Fatalf("the endpoint without invite.delivery_failed got %v", types(posts))
	}
	for _, dl := range e.deliveries(t, notWanted) {
		if dl.EventType == "invite.delivery_failed" {
			t.Fatal("a delivery_failed delivery was queued to an endpoint that does not want it")
		}
	}
}
