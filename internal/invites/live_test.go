package invites_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// The reads behind live updates: ADMIN and above only (NOT_FOUND for a stranger, FORBIDDEN
// below), only the project's own IDs, in order, as the viewer would read them now (an invite
// past its expiry reads EXPIRED).
func TestService_Watched(t *testing.T) {
	s, clock := newService(t, nil)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Watched")
	other := mustProject(t, s, owner.ID, "Other")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	contributor := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	stranger := mustVerifiedUser(t, s, uniqueEmail("stranger"))

	inv1 := mustInvite(t, s, owner.ID, uniqueEmail("one"), &p.ID, invites.RoleContributor, "E1")
	inv2 := mustInvite(t, s, owner.ID, uniqueEmail("two"), &p.ID, invites.RoleAdmin, "")
	elsewhere := mustInvite(t, s, owner.ID, uniqueEmail("else"), &other.ID, invites.RoleContributor, "")
	ids := []uuid.UUID{inv2.ID, elsewhere.ID, inv1.ID, uuid.New()}

	code := func(err error) invites.Code {
		if err == nil {
			return ""
		}
		return invites.ErrorCode(err)
	}
	for _, tc := range []struct {
		name   string
		viewer uuid.UUID
		want   invites.Code
	}{
		{"owner", owner.ID, ""},
		{"admin", admin.ID, ""},
		{"contributor", contributor.ID, invites.Forbidden},
		{"stranger", stranger.ID, invites.NotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, check := range []struct {
				what string
				ids  []uuid.UUID
			}{{"authority only", nil}, {"with IDs", ids}} {
				got, err := s.WatchedInvites(ctx, tc.viewer, p.ID, check.ids)
				if code(err) != tc.want || (tc.want != "" && got != nil) {
					t.Fatalf("WatchedInvites %s: %v, %v; want code %q", check.what, got, err, tc.want)
				}
				events, err := s.WatchedEvents(ctx, tc.viewer, p.ID, nil)
				if code(err) != tc.want || events != nil {
					t.Fatalf("WatchedEvents %s: %v, %v; want code %q", check.what, events, err, tc.want)
				}
				if tc.want == "" && check.ids == nil && got != nil {
					t.Errorf("WatchedInvites without IDs read %d invites", len(got))
				}
			}
		})
	}

	got, err := s.WatchedInvites(ctx, admin.ID, p.ID, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != inv1.ID || got[1].ID != inv2.ID {
		t.Fatalf("WatchedInvites = %v, want the project's two invites, oldest first", got)
	}
	if got[0].Status != invites.StatusPending || *got[0].ExternalID != "E1" || got[0].DeliveryStatus != "QUEUED" {
		t.Errorf("WatchedInvites[0] = %+v, want PENDING, E1, QUEUED", got[0])
	}
	clock.Advance(8 * 24 * time.Hour)
	if got, _ := s.WatchedInvites(ctx, admin.ID, p.ID, []uuid.UUID{inv1.ID}); len(got) != 1 || got[0].Status != invites.StatusExpired || got[0].ExternalID != nil {
		t.Errorf("WatchedInvites past the expiry = %+v, want EXPIRED without external ID", got)
	}

	// The events: by their IDs, this project's only.
	page, err := s.Activity(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.PageArgs{})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("Activity: %v, %v", page, err)
	}
	otherPage, _ := s.Activity(ctx, owner.ID, &invites.Project{ID: other.ID}, invites.PageArgs{})
	eventIDs := []uuid.UUID{page.Items[0].ID, otherPage.Items[0].ID}
	events, err := s.WatchedEvents(ctx, admin.ID, p.ID, eventIDs)
	if err != nil || len(events) != 1 || events[0].ID != page.Items[0].ID || events[0].Name != page.Items[0].Name {
		t.Errorf("WatchedEvents = %v, %v; want only %s", events, err, page.Items[0].ID)
	}
}

// TestService_LiveStandings: the fan-out's one statement per change gives each still valid
// session its user and that user's role in the project (none for a stranger); a session
// logged out, or unknown, is missing. LiveInvites reads only the project's own IDs, oldest
// first.
func TestService_LiveStandings(t *testing.T) {
	s, _ := newService(t, nil)
	ctx := context.Background()
	ownerEmail, strangerEmail := uniqueEmail("owner"), uniqueEmail("stranger")
	owner := mustVerifiedUser(t, s, ownerEmail)
	stranger := mustVerifiedUser(t, s, strangerEmail)
	p := mustProject(t, s, owner.ID, "Standings")
	other := mustProject(t, s, owner.ID, "Other")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	logIn := func(email string) string {
		t.Helper()
		sess, err := s.LogIn(ctx, newClient(), email, "correct horse")
		if err != nil {
			t.Fatalf("LogIn(%s): %v", email, err)
		}
		return sess.Token
	}
	ownerToken, adminToken, strangerToken, endedToken := logIn(ownerEmail), logIn(admin.Email), logIn(strangerEmail), logIn(ownerEmail)
	if err := s.LogOut(ctx, endedToken); err != nil {
		t.Fatal(err)
	}
	keys := []string{invites.SessionKey(ownerToken), invites.SessionKey(adminToken), invites.SessionKey(strangerToken),
		invites.SessionKey(endedToken), invites.SessionKey("unknown")}
	got, err := s.LiveStandings(ctx, p.ID, keys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]invites.Standing{
		keys[0]: {User: owner.ID, Role: invites.RoleOwner},
		keys[1]: {User: admin.ID, Role: invites.RoleAdmin},
		keys[2]: {User: stranger.ID},
	}
	if len(got) != len(want) {
		t.Errorf("%d standings, want %d: %v", len(got), len(want), got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("standing %+v, want %+v", got[k], w)
		}
	}

	inv1 := mustInvite(t, s, owner.ID, uniqueEmail("one"), &p.ID, invites.RoleContributor, "")
	inv2 := mustInvite(t, s, owner.ID, uniqueEmail("two"), &p.ID, invites.RoleContributor, "")
	elsewhere := mustInvite(t, s, owner.ID, uniqueEmail("else"), &other.ID, invites.RoleContributor, "")
	list, err := s.LiveInvites(ctx, p.ID, []uuid.UUID{inv2.ID, elsewhere.ID, inv1.ID})
	if err != nil || len(list) != 2 || list[0].ID != inv1.ID || list[1].ID != inv2.ID {
		t.Errorf("LiveInvites: %v, %v; want the project's two, oldest first", list, err)
	}
}
