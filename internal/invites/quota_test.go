package invites_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

func TestService_InviteRateLimit(t *testing.T) {
	ctx := context.Background()

	t.Run("CreateAndResend", func(t *testing.T) {
		s, clk := newService(t, func(c *config.Domain) { c.InviteRateLimit = 3 })
		clk.Advance(time.Until(clk.Now().Truncate(time.Hour).Add(time.Hour)) + time.Minute) // early in an hour
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Capped")
		first := mustInvite(t, s, owner.ID, uniqueEmail("a"), &p.ID, invites.RoleContributor, "")
		mustInvite(t, s, owner.ID, uniqueEmail("b"), &p.ID, invites.RoleContributor, "")
		if _, err := s.ResendInvite(ctx, owner.ID, first.ID); err != nil { // a resend sends too
			t.Fatal(err)
		}
		email := uniqueEmail("c")
		_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: ptr(invites.RoleContributor)})
		wantCode(t, err, invites.RateLimited)
		if n := count(t, "invites", "email = ?", email); n != 0 {
			t.Errorf("a refused invite was written")
		}
		clk.Advance(time.Minute) // past the resend interval: the hourly cap is what refuses
		_, err = s.ResendInvite(ctx, owner.ID, first.ID)
		wantCode(t, err, invites.RateLimited)
		if msg := invites.ErrorMessage(err); !strings.Contains(msg, "invites an hour") {
			t.Errorf("resend refused with %q, want the hourly cap", msg)
		}

		// Another inviter has a cap of their own.
		other := mustVerifiedUser(t, s, uniqueEmail("other"))
		if _, err := s.CreateInvite(ctx, other.ID, invites.CreateInviteInput{Email: uniqueEmail("d")}); err != nil {
			t.Fatalf("another inviter: %v", err)
		}

		clk.Advance(time.Hour)
		if _, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: ptr(invites.RoleContributor)}); err != nil {
			t.Fatalf("the next hour: %v", err)
		}
	})

	t.Run("SharedByReplicas", func(t *testing.T) {
		s, clk := newService(t, func(c *config.Domain) { c.InviteRateLimit = 2 })
		replica := newServices(t, pgDB(t), clk, func(c *config.Domain) { c.InviteRateLimit = 2 }).Invites
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Capped")
		mustInvite(t, s, owner.ID, uniqueEmail("a"), &p.ID, invites.RoleContributor, "")
		if _, err := replica.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("b"), ProjectID: &p.ID, Role: ptr(invites.RoleContributor)}); err != nil {
			t.Fatal(err)
		}
		_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("c"), ProjectID: &p.ID, Role: ptr(invites.RoleContributor)})
		wantCode(t, err, invites.RateLimited)
	})

	t.Run("Bulk", func(t *testing.T) {
		s, clk := newService(t, func(c *config.Domain) { c.InviteRateLimit = 5 })
		clk.Advance(time.Until(clk.Now().Truncate(time.Hour).Add(time.Hour)) + time.Minute)
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Capped")
		rows := func(n int, prefix string) []invites.BulkRow {
			var out []invites.BulkRow
			for i := range n {
				out = append(out, invites.BulkRow{Row: i + 1, Email: strings.TrimSuffix(prefix, "@example.com") + "-" + string(rune('a'+i)) + "@example.com"})
			}
			return out
		}
		six := rows(6, uniqueEmail("six"))
		for _, dry := range []bool{true, false} {
			_, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor, Rows: six, DryRun: dry})
			wantCode(t, err, invites.RateLimited)
		}
		if n := count(t, "invites", "project_id = ?", p.ID); n != 0 {
			t.Errorf("a refused batch wrote %d invites", n)
		}
		four := rows(4, uniqueEmail("four"))
		if _, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor, Rows: four}); err != nil {
			t.Fatal(err)
		}
		// The same rows again create nothing, so they pass although the cap is nearly used.
		if _, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor, Rows: four}); err != nil {
			t.Fatalf("existing invitations only: %v", err)
		}
		_, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor, Rows: rows(2, uniqueEmail("two"))})
		wantCode(t, err, invites.RateLimited)
	})
}
