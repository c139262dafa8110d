package invites_test

import (
	"context"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// The package's tests run one at a time, so a sweep's counts can be predicted from the table;
// the sweep is not limited to one test's rows.

func TestSweeper_Sweep(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	// Reminders, which need a mailer, have tests of their own (remind_test.go).
	sweeper := newServices(t, pgDB(t), clk, func(c *config.Domain) { c.InviteRemindBefore = 0 }).Sweeper
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Sweeping")
	exists := func(inv *invites.Invite) bool { return count(t, "invites", "id = ?", inv.ID) == 1 }
	sweep := func(t *testing.T) invites.SweepResult {
		t.Helper()
		r, err := sweeper.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// At T0: one invite of each kind.
	expiring := mustInvite(t, s, owner.ID, uniqueEmail("expiring"), &p.ID, invites.RoleContributor, "SW-1")
	declinedEmail := uniqueEmail("declined")
	declined := mustInvite(t, s, owner.ID, declinedEmail, &p.ID, invites.RolePending, "")
	if _, err := s.DeclineInvite(ctx, nil, invites.InviteRef{Token: inviteToken(t, declinedEmail)}); err != nil {
		t.Fatal(err)
	}
	revoked := mustInvite(t, s, owner.ID, uniqueEmail("revoked"), &p.ID, invites.RolePending, "")
	if _, err := s.RevokeInvite(ctx, owner.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	acceptedEmail := uniqueEmail("accepted")
	accepted := mustInvite(t, s, owner.ID, acceptedEmail, &p.ID, invites.RolePending, "")
	mustSignUpWithToken(t, s, acceptedEmail)

	t.Run("MarksExpired", func(t *testing.T) {
		clk.Advance(week) // T0 + 7d: the first invite's expiry
		fresh := mustInvite(t, s, owner.ID, uniqueEmail("fresh"), &p.ID, invites.RolePending, "")
		want := count(t, "invites", "status = 'PENDING' AND expires_at <= ?", clk.Now())
		if want < 1 {
			t.Fatalf("%d invites due, want at least 1", want)
		}
		if r := sweep(t); r.Expired != want {
			t.Errorf("expired = %d, want %d", r.Expired, want)
		}
		got := inviteRow(t, expiring.ID)
		if got.Status != invites.StatusExpired || got.ExternalID != nil || got.EndedAt == nil || !got.EndedAt.Equal(got.ExpiresAt) {
			t.Errorf("swept invite = %s holding %v, ended %v; want EXPIRED, none, at its expiry", got.Status, got.ExternalID, got.EndedAt)
		}
		wantStatus(t, fresh.ID, invites.StatusPending)
		if r := sweep(t); r.Expired != 0 {
			t.Errorf("a second sweep expired %d more", r.Expired)
		}
	})

	t.Run("KeepsWithinRetention", func(t *testing.T) {
		clk.Advance(23*24*time.Hour - time.Minute) // a minute before T0 + 30d
		sweep(t)
		for _, inv := range []*invites.Invite{expiring, declined, revoked, accepted} {
			if !exists(inv) {
				t.Errorf("invite %s deleted within its retention", inv.Email)
			}
		}
	})

	t.Run("DeletesAfterRetention", func(t *testing.T) {
		clk.Advance(time.Minute) // T0 + 30d: the declined and revoked invites' retention ends
		events := count(t, "activity_events", "project_id = ?", p.ID)
		if r := sweep(t); r.Deleted < 2 {
			t.Errorf("deleted = %d, want at least 2", r.Deleted)
		}
		if exists(declined) || exists(revoked) {
			t.Error("declined or revoked invite kept past its retention")
		}
		if !exists(expiring) || !exists(accepted) {
			t.Error("an invite deleted before its retention")
		}
		clk.Advance(week) // T0 + 37d: the expired invite's too (it ended at T0 + 7d)
		sweep(t)
		if exists(expiring) {
			t.Error("expired invite kept past its retention")
		}
		if !exists(accepted) {
			t.Error("accepted invite deleted")
		}
		if n := count(t, "activity_events", "project_id = ?", p.ID); n != events {
			t.Errorf("events = %d, want the %d recorded before", n, events)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		for range 40 {
			mustInvite(t, s, owner.ID, uniqueEmail("many"), &p.ID, invites.RolePending, "")
		}
		clk.Advance(week)
		want := count(t, "invites", "status = 'PENDING' AND expires_at <= ?", clk.Now())
		results := make([]invites.SweepResult, 4)
		errs := concurrently(len(results), func(i int) error {
			var err error
			results[i], err = sweeper.Sweep(ctx)
			return err
		})
		total := 0
		for i, err := range errs {
			if err != nil {
				t.Errorf("sweep %d: %v", i, err)
			}
			total += results[i].Expired
		}
		if total != want {
			t.Errorf("sweeps expired %d in all, want %d (each once)", total, want)
		}
		if n := count(t, "invites", "status = 'PENDING' AND expires_at <= ?", clk.Now()); n != 0 {
			t.Errorf("%d due invites left pending", n)
		}
	})
}
