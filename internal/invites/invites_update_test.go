package invites_test

import (
	"context"
	"testing"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
)

func TestInviteService_UpdateInvite(t *testing.T) {
	svc := newServices(t, pgtest.DB(t), newClock(), nil)
	s, ctx := svc.Invites, context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Updates")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)

	t.Run("OK_Email", func(t *testing.T) {
		typo := uniqueEmail("bob")
		inv := mustInvite(t, s, owner.ID, typo, &p.ID, invites.RoleContributor, "")
		oldToken := inviteToken(t, typo)
		bounce(t, svc.Delivery, typo, delivery.HardBounce)
		fixed := uniqueEmail("bob-fixed")
		got, err := s.UpdateInvite(ctx, admin.ID, invites.UpdateInviteInput{ID: inv.ID, Email: ptr(" " + fixed + " ")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != fixed || got.InviterID != admin.ID || got.DeliveryStatus != "QUEUED" {
			t.Errorf("updated invite: %s by %s, %s; want %s by the admin, QUEUED", got.Email, got.InviterID, got.DeliveryStatus, fixed)
		}
		_, err = s.Invitation(ctx, oldToken)
		wantCode(t, err, invites.NotFound)
		if e, _ := err.(*invites.Error); e != nil && e.Reason == invites.ReasonLinkReplaced {
			t.Errorf("old link answers LINK_REPLACED; want a plain NOT_FOUND (it went to a wrong address)")
		}
		if prev, err := s.Invitation(ctx, inviteToken(t, fixed)); err != nil || prev.Email != fixed {
			t.Errorf("new link: %+v, %v", prev, err)
		}
		if n := count(t, "suppressions", "email = ? AND lifted_at IS NULL", typo); n != 1 {
			t.Errorf("old address: %d suppressions, want 1 (it stays)", n)
		}
		if n := count(t, "activity_events", "invite_id = ? AND name = ? AND detail = ?", inv.ID, invites.EventUpdatedUserInvite, "email: "+typo); n != 1 {
			t.Errorf("%d Updated User Invite events naming the old address, want 1", n)
		}
	})
	t.Run("OK_Role", func(t *testing.T) {
		inv := mustInvite(t, s, owner.ID, uniqueEmail("carol"), &p.ID, invites.RoleContributor, "")
		emails := count(t, "emails", "recipient = ?", inv.Email)
		got, err := s.UpdateInvite(ctx, owner.ID, invites.UpdateInviteInput{ID: inv.ID, Role: ptr(invites.RoleAdmin)})
		if err != nil || *got.Role != invites.RoleAdmin {
			t.Fatalf("UpdateInvite(role ADMIN) = %v, %v", got, err)
		}
		if n := count(t, "emails", "recipient = ?", inv.Email); n != emails {
			t.Errorf("a role change queued %d emails; want none", n-emails)
		}
	})

	suppressed := uniqueEmail("suppressed")
	elsewhere := mustProject(t, s, owner.ID, "Elsewhere")
	mustInvite(t, s, owner.ID, suppressed, &elsewhere.ID, invites.RoleContributor, "")
	bounce(t, svc.Delivery, suppressed, delivery.Complaint)
	pendingElsewhere := uniqueEmail("pending")
	mustInvite(t, s, owner.ID, pendingElsewhere, &p.ID, invites.RoleContributor, "")
	revoked := mustInvite(t, s, owner.ID, uniqueEmail("revoked"), &p.ID, invites.RoleContributor, "")
	if _, err := s.RevokeInvite(ctx, owner.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		actor *invites.User
		email *string
		role  *invites.Role
		want  invites.Code
	}{
		{"ErrNothing", owner, nil, nil, invites.BadUserInput},
		{"ErrBadEmail", owner, ptr("not an email"), nil, invites.BadUserInput},
		{"ErrRoleAtOwnLevel", admin, nil, ptr(invites.RoleAdmin), invites.Forbidden},
		{"ErrOwnerRole", owner, nil, ptr(invites.RoleOwner), invites.Forbidden},
		{"ErrAlreadyInvited", owner, &pendingElsewhere, nil, invites.AlreadyInvited},
		{"ErrAlreadyMember", owner, &admin.Email, nil, invites.AlreadyMember},
		{"ErrRecipientSuppressed", owner, &suppressed, nil, invites.RecipientSuppressed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := mustInvite(t, s, owner.ID, uniqueEmail("target"), &p.ID, invites.RoleContributor, "")
			before := projectState(t, p.ID)
			_, err := s.UpdateInvite(ctx, tc.actor.ID, invites.UpdateInviteInput{ID: inv.ID, Email: tc.email, Role: tc.role})
			wantCode(t, err, tc.want)
			if after := projectState(t, p.ID); after != before {
				t.Errorf("a refused update changed the project:\n%s\nwant\n%s", after, before)
			}
		})
	}
	t.Run("ErrInviteNotPending", func(t *testing.T) {
		_, err := s.UpdateInvite(ctx, owner.ID, invites.UpdateInviteInput{ID: revoked.ID, Role: ptr(invites.RoleAdmin)})
		wantCode(t, err, invites.InviteNotPending)
	})
}
