package invites_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// When a member is removed, leaves, or is demoted, the pending invites they could no longer
// send are revoked in the same transaction, with no actor; the rest stay pending.
func TestService_RevokesOrphanedInvites(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)

	type fixture struct {
		p                       *invites.Project
		owner, admin, admin2    *invites.User
		adminPending, adminCont *invites.Invite // sent by the admin
		ownerAdmin, ownerCont   *invites.Invite // sent by the owner
	}
	setUp := func(t *testing.T) *fixture {
		f := &fixture{owner: mustVerifiedUser(t, s, uniqueEmail("owner"))}
		f.p = mustProject(t, s, f.owner.ID, "Orphans")
		f.admin = mustMember(t, s, f.owner.ID, f.p.ID, invites.RoleAdmin)
		f.admin2 = mustMember(t, s, f.owner.ID, f.p.ID, invites.RoleAdmin)
		f.adminPending = mustInvite(t, s, f.admin.ID, uniqueEmail("by-admin"), &f.p.ID, invites.RolePending, "")
		f.adminCont = mustInvite(t, s, f.admin.ID, uniqueEmail("by-admin"), &f.p.ID, invites.RoleContributor, "ORPH-1")
		f.ownerAdmin = mustInvite(t, s, f.owner.ID, uniqueEmail("by-owner"), &f.p.ID, invites.RoleAdmin, "")
		f.ownerCont = mustInvite(t, s, f.owner.ID, uniqueEmail("by-owner"), &f.p.ID, invites.RoleContributor, "")
		return f
	}
	all := func(f *fixture) []*invites.Invite {
		return []*invites.Invite{f.adminPending, f.adminCont, f.ownerAdmin, f.ownerCont}
	}

	for _, tc := range []struct {
		name     string
		act      func(f *fixture) error
		wantCode invites.Code // "" for success
		revoked  func(f *fixture) []*invites.Invite
	}{
		{"Removed", func(f *fixture) error { return s.RemoveMember(ctx, f.owner.ID, f.p.ID, f.admin.ID) }, "",
			func(f *fixture) []*invites.Invite { return []*invites.Invite{f.adminPending, f.adminCont} }},
		{"Left", func(f *fixture) error { return s.LeaveProject(ctx, f.admin.ID, f.p.ID) }, "",
			func(f *fixture) []*invites.Invite { return []*invites.Invite{f.adminPending, f.adminCont} }},
		{"DemotedToContributor", func(f *fixture) error { return updateRole(s, f.owner.ID, f.p.ID, f.admin.ID, invites.RoleContributor) }, "",
			func(f *fixture) []*invites.Invite { return []*invites.Invite{f.adminPending, f.adminCont} }},
		{"DemotedToPending", func(f *fixture) error { return updateRole(s, f.owner.ID, f.p.ID, f.admin.ID, invites.RolePending) }, "",
			func(f *fixture) []*invites.Invite { return []*invites.Invite{f.adminPending, f.adminCont} }},
		{"ExternalIDChangedOnly", func(f *fixture) error {
			_, err := s.UpdateMember(ctx, f.owner.ID, invites.UpdateMemberInput{ProjectID: f.p.ID, UserID: f.admin.ID, ExternalID: ptr("A-9")})
			return err
		}, "", func(*fixture) []*invites.Invite { return nil }},
		// The old owner becomes ADMIN: the ADMIN invite is beyond that, the CONTRIBUTOR one not.
		{"OwnershipTransferred", func(f *fixture) error {
			_, err := s.TransferOwnership(ctx, f.owner.ID, f.p.ID, f.admin.ID)
			return err
		}, "", func(f *fixture) []*invites.Invite { return []*invites.Invite{f.ownerAdmin} }},
		// A refused removal writes nothing, so revokes nothing.
		{"RemovalRefused", func(f *fixture) error { return s.RemoveMember(ctx, f.admin2.ID, f.p.ID, f.admin.ID) }, invites.Forbidden,
			func(*fixture) []*invites.Invite { return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setUp(t)
			err := tc.act(f)
			if tc.wantCode != "" {
				wantCode(t, err, tc.wantCode)
			} else if err != nil {
				t.Fatal(err)
			}
			revoked := map[uuid.UUID]bool{}
			for _, inv := range tc.revoked(f) {
				revoked[inv.ID] = true
			}
			for _, inv := range all(f) {
				got := inviteRow(t, inv.ID)
				events := count(t, "activity_events", "invite_id = ? AND name = ? AND actor_id IS NULL", inv.ID, invites.EventRevokedUserInvite)
				if !revoked[inv.ID] {
					if got.Status != invites.StatusPending || events != 0 {
						t.Errorf("invite %s: %s with %d revocations, want PENDING with none", inv.Email, got.Status, events)
					}
					continue
				}
				if got.Status != invites.StatusRevoked || got.ExternalID != nil || got.EndedAt == nil || events != 1 {
					t.Errorf("invite %s: %s, external ID %v, ended %v, %d revocation events with no actor; want REVOKED, none, set, 1",
						inv.Email, got.Status, got.ExternalID, got.EndedAt, events)
				}
				// Its link now gets what a revoked invite gets.
				_, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: inviteToken(t, inv.Email), Password: "correct horse", Name: "Late"})
				wantCode(t, err, invites.InviteNotPending)
			}
			// The invites page (read by the owner, an ADMIN at least after any case) lists none
			// of them as pending.
			page, err := s.ProjectInvites(ctx, f.owner.ID, &invites.Project{ID: f.p.ID}, invites.InviteFilter{Status: ptr(invites.StatusPending)}, invites.PageArgs{First: ptr(100)})
			if err != nil {
				t.Fatal(err)
			}
			if want := len(all(f)) - len(revoked); len(page.Items) != want {
				t.Errorf("pending invites listed = %d, want %d", len(page.Items), want)
			}
			for _, inv := range page.Items {
				if revoked[inv.ID] {
					t.Errorf("revoked invite %s listed as pending", inv.Email)
				}
			}
		})
	}

	// The external ID a revoked orphan held is free for a new invite at once.
	t.Run("FreesExternalID", func(t *testing.T) {
		f := setUp(t)
		if err := s.RemoveMember(ctx, f.owner.ID, f.p.ID, f.admin.ID); err != nil {
			t.Fatal(err)
		}
		mustInvite(t, s, f.owner.ID, uniqueEmail("again"), &f.p.ID, invites.RoleContributor, "ORPH-1")
	})
}

func updateRole(s *invites.Service, actor, projectID, userID uuid.UUID, role invites.Role) error {
	_, err := s.UpdateMember(context.Background(), actor, invites.UpdateMemberInput{ProjectID: projectID, UserID: userID, Role: &role})
	return err
}

// An admin sending invites while being removed: each invite either went out before the
// removal, and the removal revoked it, or was refused after it; none is left pending.
func TestService_RevokesOrphansRacingInvites(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Orphan race")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	const n = 12
	errs := concurrently(n+1, func(i int) error {
		if i == n {
			return s.RemoveMember(ctx, owner.ID, p.ID, admin.ID)
		}
		_, err := s.CreateInvite(ctx, admin.ID, invites.CreateInviteInput{Email: uniqueEmail("race"), ProjectID: &p.ID, Role: ptr(invites.RoleContributor)})
		return err
	})
	if errs[n] != nil {
		t.Fatalf("RemoveMember: %v", errs[n])
	}
	got := codes(t, errs[:n])
	t.Logf("invite outcomes: %v", got)
	if got[""]+got[invites.NotFound] != n {
		t.Fatalf("invite outcomes = %v, want only successes and NOT_FOUND (no longer a member)", got)
	}
	if c := count(t, "invites", "project_id = ? AND inviter_id = ? AND status = 'PENDING'", p.ID, admin.ID); c != 0 {
		t.Errorf("%d invites of the removed admin left pending", c)
	}
	if c := count(t, "invites", "project_id = ? AND inviter_id = ? AND status = 'REVOKED'", p.ID, admin.ID); c != got[""] {
		t.Errorf("%d invites revoked, want the %d sent before the removal", c, got[""])
	}
}

// TestService_RevokesOrphanedLinks: the member's invite links that their new role (or none)
// could no longer create are revoked in the same call, with "Revoked Invite Link" and no
// actor; the others stay active.
func TestService_RevokesOrphanedLinks(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	type fixture struct {
		p                    *invites.Project
		owner, admin         *invites.User
		adminLink, ownerLink *invites.InviteLink // the admin's grants CONTRIBUTOR, the owner's ADMIN
		ownerContLink        *invites.InviteLink // the owner's, granting CONTRIBUTOR
	}
	setUp := func(t *testing.T) *fixture {
		f := &fixture{owner: mustVerifiedUser(t, s, uniqueEmail("owner"))}
		f.p = mustProject(t, s, f.owner.ID, "Orphan links")
		f.admin = mustMember(t, s, f.owner.ID, f.p.ID, invites.RoleAdmin)
		f.adminLink, _ = mustLink(t, s, f.admin.ID, invites.CreateInviteLinkInput{ProjectID: f.p.ID, Role: invites.RoleContributor})
		f.ownerLink, _ = mustLink(t, s, f.owner.ID, invites.CreateInviteLinkInput{ProjectID: f.p.ID, Role: invites.RoleAdmin})
		f.ownerContLink, _ = mustLink(t, s, f.owner.ID, invites.CreateInviteLinkInput{ProjectID: f.p.ID, Role: invites.RoleContributor})
		return f
	}
	for _, tc := range []struct {
		name    string
		act     func(f *fixture) error
		revoked func(f *fixture) []*invites.InviteLink
	}{
		{"Removed", func(f *fixture) error { return s.RemoveMember(ctx, f.owner.ID, f.p.ID, f.admin.ID) },
			func(f *fixture) []*invites.InviteLink { return []*invites.InviteLink{f.adminLink} }},
		{"Left", func(f *fixture) error { return s.LeaveProject(ctx, f.admin.ID, f.p.ID) },
			func(f *fixture) []*invites.InviteLink { return []*invites.InviteLink{f.adminLink} }},
		{"DemotedToContributor", func(f *fixture) error { return updateRole(s, f.owner.ID, f.p.ID, f.admin.ID, invites.RoleContributor) },
			func(f *fixture) []*invites.InviteLink { return []*invites.InviteLink{f.adminLink} }},
		{"ExternalIDChangedOnly", func(f *fixture) error {
			_, err := s.UpdateMember(ctx, f.owner.ID, invites.UpdateMemberInput{ProjectID: f.p.ID, UserID: f.admin.ID, ExternalID: ptr("L-9")})
			return err
		}, func(*fixture) []*invites.InviteLink { return nil }},
		// The old owner becomes ADMIN: the link granting ADMIN is beyond that, the other not.
		{"OwnershipTransferred", func(f *fixture) error {
			_, err := s.TransferOwnership(ctx, f.owner.ID, f.p.ID, f.admin.ID)
			return err
		}, func(f *fixture) []*invites.InviteLink { return []*invites.InviteLink{f.ownerLink} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setUp(t)
			if err := tc.act(f); err != nil {
				t.Fatal(err)
			}
			revoked := map[uuid.UUID]bool{}
			for _, l := range tc.revoked(f) {
				revoked[l.ID] = true
			}
			for _, l := range []*invites.InviteLink{f.adminLink, f.ownerLink, f.ownerContLink} {
				if got := linkRow(t, l.ID).RevokedAt != nil; got != revoked[l.ID] {
					t.Errorf("link granting %s by %s: revoked = %v, want %v", l.Role, l.CreatedBy, got, revoked[l.ID])
				}
			}
			if n := count(t, "activity_events", "project_id = ? AND name = ? AND actor_id IS NULL", f.p.ID, invites.EventRevokedInviteLink); n != len(revoked) {
				t.Errorf("%d Revoked Invite Link events without an actor, want %d", n, len(revoked))
			}
		})
	}
}
