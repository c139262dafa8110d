package invites_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// TestPages_ScanAsBun: the member and invite pages read their rows by hand, in an order of
// columns of their own; each item holds what bun reads of the same row, field for field, so
// that a column added to Member or Invite and not to the page's scan fails here.
func TestPages_ScanAsBun(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Scan")
	mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	// Invites of several shapes: with and without an external ID, claimed, revoked.
	mustInvite(t, s, owner.ID, uniqueEmail("plain"), &p.ID, invites.RoleContributor, "")
	mustInvite(t, s, owner.ID, uniqueEmail("ext"), &p.ID, invites.RoleAdmin, "EXT-1")
	claimedEmail := uniqueEmail("claimed")
	mustInvite(t, s, owner.ID, claimedEmail, &p.ID, invites.RoleContributor, "EXT-2")
	mustSignUpWithToken(t, s, claimedEmail)
	revoked := mustInvite(t, s, owner.ID, uniqueEmail("revoked"), &p.ID, invites.RoleContributor, "")
	if _, err := s.RevokeInvite(ctx, owner.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}

	invitePage, err := s.ProjectInvites(ctx, owner.ID, p, invites.InviteFilter{}, invites.PageArgs{First: ptr(100)})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]uuid.UUID, len(invitePage.Items))
	for i, inv := range invitePage.Items {
		ids[i] = inv.ID
	}
	byBun, err := s.ReferencedInvites(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	// mustMember's invite, accepted, is a fifth.
	if len(invitePage.Items) != 5 || len(byBun) != 5 {
		t.Fatalf("%d invites on the page, %d read by bun; want 5", len(invitePage.Items), len(byBun))
	}
	for _, inv := range invitePage.Items {
		if want := byBun[inv.ID]; !reflect.DeepEqual(inv, want) {
			t.Errorf("invite page item\n%+v\nbun reads\n%+v", *inv, *want)
		}
	}

	memberPage, err := s.Members(ctx, owner.ID, p, invites.MemberFilter{}, invites.PageArgs{First: ptr(100)})
	if err != nil {
		t.Fatal(err)
	}
	nodeIDs := make([]string, len(memberPage.Items))
	for i, m := range memberPage.Items {
		nodeIDs[i] = m.ID.String()
	}
	nodes, err := s.Nodes(ctx, owner, nodeIDs)
	if err != nil {
		t.Fatal(err)
	}
	if len(memberPage.Items) != 3 {
		t.Fatalf("%d members on the page, want 3", len(memberPage.Items))
	}
	for i, m := range memberPage.Items {
		want, _ := nodes[i].(*invites.Member)
		if want == nil {
			t.Fatalf("member %s: bun read %v", m.ID, nodes[i])
		}
		got := *m
		got.User = nil // bun's read has no user: the page's own join is checked in TestService_Members
		if !reflect.DeepEqual(&got, want) {
			t.Errorf("member page item\n%+v\nbun reads\n%+v", got, *want)
		}
	}
}
