package invites_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
)

// bounce records a hard bounce of the latest email to address, as a provider reports it.
func bounce(t *testing.T, d *delivery.Service, address string, kind delivery.Kind) {
	t.Helper()
	matched, err := d.Record(context.Background(), delivery.Event{Provider: "postmark", Kind: kind, Recipient: address,
		At: time.Now().Add(time.Hour), Reason: "550 5.1.1 no such user"})
	if err != nil || !matched {
		t.Fatalf("Record(%s %s) = %v, %v; want matched", kind, address, matched, err)
	}
}

func TestInviteService_Suppression(t *testing.T) {
	clk := newClock()
	svc := newServices(t, pgtest.DB(t), clk, nil)
	s, ctx := svc.Invites, context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Suppressed")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	contributor := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	bad := uniqueEmail("bob")
	inv := mustInvite(t, s, owner.ID, bad, &p.ID, invites.RoleContributor, "")
	bounce(t, svc.Delivery, bad, delivery.HardBounce)

	t.Run("BouncedInviteShowsIt", func(t *testing.T) {
		read, err := s.ReferencedInvites(ctx, []uuid.UUID{inv.ID})
		if err != nil {
			t.Fatal(err)
		}
		got := read[inv.ID]
		if got.DeliveryStatus != "BOUNCED" || got.DeliveryError == nil || !strings.Contains(*got.DeliveryError, "no such user") {
			t.Errorf("invite reads %s (%v), want BOUNCED with the reason", got.DeliveryStatus, got.DeliveryError)
		}
		sups, err := s.SuppressionsOf(ctx, admin.ID, []uuid.UUID{got.ID})
		if sup := sups[got.ID]; err != nil || sup == nil || sup.Kind != invites.SuppressedHardBounce || sup.Email != bad {
			t.Errorf("SuppressionsOf(admin) = %+v, %v; want HARD_BOUNCE", sup, err)
		}
		if sups, err := s.SuppressionsOf(ctx, contributor.ID, []uuid.UUID{got.ID}); len(sups) != 0 || err != nil {
			t.Errorf("SuppressionsOf(contributor) = %+v, %v; want none", sups, err)
		}
	})
	t.Run("ErrRecipientSuppressed", func(t *testing.T) {
		_, err := s.ResendInvite(ctx, owner.ID, inv.ID)
		wantCode(t, err, invites.RecipientSuppressed)
		other := mustProject(t, s, owner.ID, "Other")
		_, err = s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: strings.ToUpper(bad), ProjectID: &other.ID, Role: ptr(invites.RoleContributor)})
		wantCode(t, err, invites.RecipientSuppressed)
		out := mustBulk(t, s, owner.ID, other.ID, invites.BulkRow{Email: bad}, invites.BulkRow{Email: uniqueEmail("fine")})
		f, ok := out.Results[0].(*invites.FailedInvite)
		if !ok || f.Reason != invites.ReasonFailedToSend || !strings.Contains(f.Message, "suppressed") {
			t.Errorf("bulk row 1: %#v; want FailedInvite FAILED_TO_SEND saying suppressed", out.Results[0])
		}
		if _, ok := out.Results[1].(*invites.NewInvitation); !ok {
			t.Errorf("bulk row 2: %#v; want NewInvitation", out.Results[1])
		}
	})
	t.Run("LiftSuppression", func(t *testing.T) {
		_, err := s.LiftSuppression(ctx, contributor.ID, p.ID, bad)
		wantCode(t, err, invites.Forbidden)
		stranger := mustVerifiedUser(t, s, uniqueEmail("stranger"))
		strangers := mustProject(t, s, stranger.ID, "Never invited bob")
		_, err = s.LiftSuppression(ctx, stranger.ID, strangers.ID, bad)
		wantCode(t, err, invites.NotFound)
		lifted, err := s.LiftSuppression(ctx, admin.ID, p.ID, bad)
		if err != nil || !lifted {
			t.Fatalf("LiftSuppression = %v, %v; want true", lifted, err)
		}
		if lifted, err := s.LiftSuppression(ctx, admin.ID, p.ID, bad); err != nil || lifted {
			t.Errorf("second LiftSuppression = %v, %v; want false", lifted, err)
		}
		if n := count(t, "activity_events", "project_id = ? AND name = ? AND email = ?", p.ID, invites.EventLiftedSuppression, bad); n != 1 {
			t.Errorf("%d Lifted Suppression events, want 1", n)
		}
		clk.Advance(2 * time.Minute)
		if _, err := s.ResendInvite(ctx, owner.ID, inv.ID); err != nil {
			t.Errorf("ResendInvite after the lift: %v", err)
		}
	})
}

func TestInviteService_DeliveryStatusFilter(t *testing.T) {
	svc := newServices(t, pgtest.DB(t), newClock(), nil)
	s, ctx := svc.Invites, context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Filtered")
	bounced := mustInvite(t, s, owner.ID, uniqueEmail("gone"), &p.ID, invites.RoleContributor, "")
	mustInvite(t, s, owner.ID, uniqueEmail("queued"), &p.ID, invites.RoleContributor, "")
	bounce(t, svc.Delivery, bounced.Email, delivery.HardBounce)
	for _, tc := range []struct {
		status string
		want   int
	}{{"BOUNCED", 1}, {"QUEUED", 1}, {"DELIVERED", 0}} {
		st := mailStatus(tc.status)
		page, err := s.ProjectInvites(ctx, owner.ID, p, invites.InviteFilter{DeliveryStatus: &st}, invites.PageArgs{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != tc.want || page.TotalCount != tc.want {
			t.Errorf("deliveryStatus %s: %d invites (total %d), want %d", tc.status, len(page.Items), page.TotalCount, tc.want)
		}
	}
}

func mailStatus(s string) mail.Status { return mail.Status(s) }

// TestDelivery_WebhooksAndActivity: a provider's reports of an invite's email post
// invite.delivered, then invite.bounced with the reason, to the project's endpoints, and
// record the activity with the inviter as actor; a repeat posts nothing more.
func TestDelivery_WebhooksAndActivity(t *testing.T) {
	db := pgtest.DB(t)
	svc := newServices(t, db, newClock(), nil)
	s, ctx := svc.Invites, context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("ada"))
	p := mustProject(t, s, owner.ID, "Hooked")
	_, err := db.NewRaw(`INSERT INTO webhook_endpoints (id, project_id, url, secret_encrypted, created_at, updated_at)
		VALUES (?, ?, 'https://hooks.example.com/in', '\x00', now(), now())`, uuid.Must(uuid.NewV7()), p.ID).Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inv := mustInvite(t, s, owner.ID, uniqueEmail("bob"), &p.ID, invites.RoleContributor, "")
	report := func(id string, kind delivery.Kind) {
		t.Helper()
		_, err := svc.Delivery.Record(ctx, delivery.Event{Provider: "sendgrid", ID: id, Kind: kind, EmailID: inv.EmailID.String(),
			At: time.Now().Add(time.Hour), Reason: "no such user"})
		if err != nil {
			t.Fatal(err)
		}
	}
	report("sg-1", delivery.Delivered)
	report("sg-2", delivery.HardBounce)
	report("sg-2", delivery.HardBounce)
	report("sg-3", delivery.Delivered) // late: changes nothing
	for _, tc := range []struct {
		typ, reason string
	}{{"invite.delivered", ""}, {"invite.bounced", "no such user"}} {
		n := count(t, "webhook_deliveries AS d JOIN webhook_endpoints AS ep ON ep.id = d.endpoint_id",
			"ep.project_id = ? AND d.event_type = ? AND coalesce(d.payload->'data'->>'reason', '') = ?", p.ID, tc.typ, tc.reason)
		if n != 1 {
			t.Errorf("%d %s deliveries with reason %q, want 1", n, tc.typ, tc.reason)
		}
	}
	for name, want := range map[string]int{invites.EventDeliveredUserInvite: 1, invites.EventBouncedUserInvite: 1} {
		if n := count(t, "activity_events", "invite_id = ? AND name = ? AND actor_id = ?", inv.ID, name, owner.ID); n != want {
			t.Errorf("%d %q events by the inviter, want %d", n, name, want)
		}
	}
}
