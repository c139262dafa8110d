package invites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

func TestService_Nodes(t *testing.T) {
	s, _ := newService(t, nil)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Nodes")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	contrib := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	pending := mustMember(t, s, owner.ID, p.ID, invites.RolePending)
	stranger := mustVerifiedUser(t, s, uniqueEmail("stranger"))
	inv := mustInvite(t, s, owner.ID, stranger.Email, &p.ID, invites.RoleContributor, "S-1")
	serviceInvite := mustInvite(t, s, contrib.ID, uniqueEmail("friend"), nil, "", "")
	ownerExternal := "O-1"
	if _, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: owner.ID, ExternalID: &ownerExternal}); err != nil {
		t.Fatal(err)
	}
	ownerMember := memberRow(t, p.ID, owner.ID)
	events, err := s.Activity(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.PageArgs{First: new(1)})
	if err != nil || len(events.Items) != 1 {
		t.Fatalf("Activity: %v", err)
	}
	event := events.Items[0]

	objects := []struct {
		name string
		id   uuid.UUID
		// seen by owner, admin, contributor, pending, stranger
		seen [5]bool
	}{
		{"OwnerUser", owner.ID, [5]bool{true, true, true, true, true}},
		{"ContributorUser", contrib.ID, [5]bool{true, true, true, false, false}},
		// Invited but not yet claimed: the invite names an email, not the account.
		{"StrangerUser", stranger.ID, [5]bool{false, false, false, false, true}},
		{"Project", p.ID, [5]bool{true, true, true, true, false}},
		{"Membership", ownerMember.ID, [5]bool{true, true, true, false, false}},
		{"ProjectInvite", inv.ID, [5]bool{true, true, false, false, true}},
		{"ServiceInvite", serviceInvite.ID, [5]bool{false, false, true, false, false}},
		{"Event", event.ID, [5]bool{true, true, false, false, false}},
	}
	viewers := []*invites.User{owner, admin, contrib, pending, stranger}
	names := []string{"Owner", "Admin", "Contributor", "Pending", "Stranger"}
	for _, o := range objects {
		for i, v := range viewers {
			t.Run(o.name+"/As"+names[i], func(t *testing.T) {
				got, err := s.Nodes(ctx, v, []string{o.id.String()})
				if err != nil {
					t.Fatal(err)
				}
				if (got[0] != nil) != o.seen[i] {
					t.Fatalf("Nodes = %#v, want seen %v", got[0], o.seen[i])
				}
			})
		}
		t.Run(o.name+"/Anonymous", func(t *testing.T) {
			if got, err := s.Nodes(ctx, nil, []string{o.id.String()}); err != nil || got[0] != nil {
				t.Errorf("Nodes = %#v, %v; want nil", got[0], err)
			}
		})
	}

	t.Run("TypesAndFields", func(t *testing.T) {
		ids := []string{owner.ID.String(), p.ID.String(), ownerMember.ID.String(), inv.ID.String(), event.ID.String(), "nope", strings.ToUpper(p.ID.String()), uuid.NewString()}
		got, err := s.Nodes(ctx, owner, ids)
		if err != nil || len(got) != len(ids) {
			t.Fatalf("Nodes = %v, %v", got, err)
		}
		if u, ok := got[0].(*invites.User); !ok || u.ID != owner.ID {
			t.Errorf("[0] = %#v, want the owner", got[0])
		}
		if pr, ok := got[1].(*invites.Project); !ok || pr.ID != p.ID || pr.ViewerRole == nil || *pr.ViewerRole != invites.RoleOwner {
			t.Errorf("[1] = %#v, want the project with viewer role OWNER", got[1])
		}
		if m, ok := got[2].(*invites.Member); !ok || m.ID != ownerMember.ID || m.ExternalID == nil || *m.ExternalID != "O-1" {
			t.Errorf("[2] = %#v, want the owner's membership with its external ID", got[2])
		}
		if i, ok := got[3].(*invites.Invite); !ok || i.ID != inv.ID || i.Status != invites.StatusPending {
			t.Errorf("[3] = %#v, want the pending invite", got[3])
		}
		if e, ok := got[4].(*invites.Event); !ok || e.ID != event.ID {
			t.Errorf("[4] = %#v, want the event", got[4])
		}
		for i := 5; i < len(ids); i++ {
			if got[i] != nil {
				t.Errorf("Nodes(%q) = %#v, want nil", ids[i], got[i])
			}
		}
	})

	t.Run("ExternalIDHiddenBelowAdmin", func(t *testing.T) {
		got, err := s.Nodes(ctx, contrib, []string{ownerMember.ID.String()})
		if m, ok := got[0].(*invites.Member); err != nil || !ok || m.ExternalID != nil {
			t.Errorf("contributor sees %#v, %v; want the membership with no external ID", got[0], err)
		}
	})

	t.Run("TooMany", func(t *testing.T) {
		_, err := s.Nodes(ctx, owner, make([]string, invites.MaxNodes+1))
		wantCode(t, err, invites.BadUserInput)
		if got, err := s.Nodes(ctx, owner, make([]string, invites.MaxNodes)); err != nil || len(got) != invites.MaxNodes {
			t.Errorf("Nodes(%d blank IDs) = %d, %v", invites.MaxNodes, len(got), err)
		}
	})
}
