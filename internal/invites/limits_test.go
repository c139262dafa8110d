package invites_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// unverify takes back a user's verification, to stand for an account that was verified when
// it sent an invite and is not now (no API does that; the rule must hold all the same).
func unverify(t *testing.T, id uuid.UUID) {
	t.Helper()
	if _, err := pgDB(t).ExecContext(context.Background(), "UPDATE users SET email_verified_at = NULL WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
}

func TestService_InvitesNeedVerifiedEmail(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	unverified := mustSignUp(t, s, uniqueEmail("unverified")).User
	own := mustProject(t, s, unverified.ID, "Unverified's own")
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Verified's")
	pending := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "")
	emailsBefore := count(t, "emails", "true")

	tests := []struct {
		name string
		call func(actor uuid.UUID) error
	}{
		{"CreateServiceInvite", func(actor uuid.UUID) error {
			_, err := s.CreateInvite(ctx, actor, invites.CreateInviteInput{Email: uniqueEmail("victim")})
			return err
		}},
		{"CreateProjectInvite", func(actor uuid.UUID) error {
			_, err := s.CreateInvite(ctx, actor, invites.CreateInviteInput{Email: uniqueEmail("victim"), ProjectID: &own.ID, Role: ptr(invites.RoleContributor)})
			return err
		}},
		{"BulkInvite", func(actor uuid.UUID) error {
			_, err := s.BulkInvite(ctx, actor, invites.BulkInput{ProjectID: own.ID, Rows: []invites.BulkRow{{Row: 1, Email: uniqueEmail("victim")}}, DefaultRole: invites.RoleContributor})
			return err
		}},
		{"BulkInviteDryRun", func(actor uuid.UUID) error {
			_, err := s.BulkInvite(ctx, actor, invites.BulkInput{ProjectID: own.ID, Rows: []invites.BulkRow{{Row: 1, Email: uniqueEmail("victim")}}, DefaultRole: invites.RoleContributor, DryRun: true})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.call(unverified.ID), invites.EmailNotVerified)
		})
	}
	t.Run("ResendInvite", func(t *testing.T) {
		unverify(t, owner.ID)
		_, err := s.ResendInvite(ctx, owner.ID, pending.ID)
		wantCode(t, err, invites.EmailNotVerified)
	})
	if got := count(t, "emails", "true"); got != emailsBefore {
		t.Errorf("refused calls queued %d emails", got-emailsBefore)
	}
}

func TestService_ResendInterval(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Resends")
	email := uniqueEmail("victim")
	inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")

	// The first resend right after creating works: the interval counts from the last resend.
	if _, err := s.ResendInvite(ctx, owner.ID, inv.ID); err != nil {
		t.Fatalf("first resend: %v", err)
	}
	clk.Advance(59 * time.Second)
	_, err := s.ResendInvite(ctx, owner.ID, inv.ID)
	wantCode(t, err, invites.RateLimited)
	if msg := invites.ErrorMessage(err); !strings.Contains(msg, "in 1 seconds") {
		t.Errorf("message %q does not say to retry in 1 second", msg)
	}
	if got := count(t, "emails", "recipient = ?", email); got != 2 {
		t.Errorf("%d emails to the invitee, want 2", got)
	}
	clk.Advance(time.Second)
	if _, err := s.ResendInvite(ctx, owner.ID, inv.ID); err != nil {
		t.Fatalf("a minute after the last resend: %v", err)
	}
	if got := count(t, "emails", "recipient = ?", email); got != 3 {
		t.Errorf("%d emails to the invitee, want 3", got)
	}
}

func TestService_RecipientDailyLimit(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, func(c *config.Domain) { c.InviteRecipientDailyLimit = 3 })
	// Early in a UTC day, so that the test's minutes stay in it.
	clk.Advance(time.Until(clk.Now().Truncate(24*time.Hour).Add(24*time.Hour)) + time.Hour)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	other := mustVerifiedUser(t, s, uniqueEmail("other"))
	p := mustProject(t, s, owner.ID, "Daily A")
	q := mustProject(t, s, other.ID, "Daily B")
	victim := uniqueEmail("victim")

	// Three invite emails from anyone to one address: a service invite, a project invite
	// and its resend.
	mustInvite(t, s, other.ID, victim, nil, "", "")
	inv := mustInvite(t, s, owner.ID, victim, &p.ID, invites.RoleContributor, "")
	if _, err := s.ResendInvite(ctx, owner.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	_, err := s.ResendInvite(ctx, owner.ID, inv.ID)
	wantCode(t, err, invites.RateLimited)
	_, err = s.CreateInvite(ctx, other.ID, invites.CreateInviteInput{Email: strings.ToUpper(victim), ProjectID: &q.ID, Role: ptr(invites.RoleContributor)})
	wantCode(t, err, invites.RateLimited)
	if !strings.Contains(invites.ErrorMessage(err), "invite emails today") {
		t.Errorf("message %q does not name the daily cap", invites.ErrorMessage(err))
	}

	t.Run("BulkRowsFail", func(t *testing.T) {
		fresh := uniqueEmail("fresh")
		rows := []invites.BulkRow{{Row: 1, Email: victim, ExternalID: "V1"}, {Row: 2, Email: fresh}}
		for _, dryRun := range []bool{true, false} {
			out, err := s.BulkInvite(ctx, other.ID, invites.BulkInput{ProjectID: q.ID, Rows: rows, DefaultRole: invites.RoleContributor, DryRun: dryRun})
			if err != nil {
				t.Fatal(err)
			}
			r := results(out)[0]
			if r.Kind != bulkFailed || r.Reason != invites.ReasonFailedToSend || !r.Retryable || r.Invite != nil ||
				!strings.Contains(r.Message, "invite emails today") || r.ExternalID == nil || *r.ExternalID != "V1" {
				t.Errorf("dryRun %v: capped row = %+v, want FAILED_TO_SEND, retryable, no invite", dryRun, r)
			}
			if results(out)[1].Kind != bulkNewInvitation || out.Summary.Failed != 1 || out.Summary.NewInvitations != 1 {
				t.Errorf("dryRun %v: other row %+v, summary %+v", dryRun, results(out)[1], out.Summary)
			}
		}
		if n := count(t, "invites", "email = ? AND project_id = ?", victim, q.ID); n != 0 {
			t.Errorf("%d invites written for the capped row", n)
		}
		if n := count(t, "emails", "recipient = ?", victim); n != 3 {
			t.Errorf("%d emails to the capped address, want 3", n)
		}
	})

	t.Run("NextDay", func(t *testing.T) {
		clk.Advance(24 * time.Hour)
		if _, err := s.ResendInvite(ctx, owner.ID, inv.ID); err != nil {
			t.Fatalf("the next day: %v", err)
		}
	})
}

func TestInviterSeenBy(t *testing.T) {
	inviter := &invites.User{ID: uuid.New(), Email: "olive@example.com", Name: "Olive", CreatedAt: time.Now()}
	viewer := &invites.User{ID: uuid.New(), Email: "ada@example.com", Name: "Ada"}
	inv := &invites.Invite{ID: uuid.New(), InviterID: inviter.ID}
	if got := invites.InviterSeenBy(viewer, inv, inviter); got != inviter {
		t.Errorf("signed in: %+v, want the inviter in full", got)
	}
	got := invites.InviterSeenBy(nil, inv, inviter)
	if got.Name != "Olive" || got.ID == inviter.ID || got.ID == uuid.Nil || got.Email != "" || !got.CreatedAt.IsZero() || got.EmailVerified() {
		t.Errorf("anonymous: %+v, want only the name and an ID that is not the inviter's", got)
	}
	if again := invites.InviterSeenBy(nil, inv, inviter); again.ID != got.ID {
		t.Errorf("the anonymous ID changes between calls: %s, %s", got.ID, again.ID)
	}
	other := &invites.Invite{ID: uuid.New(), InviterID: inviter.ID}
	if o := invites.InviterSeenBy(nil, other, inviter); o.ID == got.ID {
		t.Errorf("two invites of one inviter show one anonymous ID %s: it would link them", o.ID)
	}
}
