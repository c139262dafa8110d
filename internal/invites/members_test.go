package invites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

var allRoles = []invites.Role{invites.RolePending, invites.RoleContributor, invites.RoleAdmin, invites.RoleOwner}

// TestService_Authority runs the authority rule through every service method it governs: for
// each kind of actor and each target role, the call succeeds iff CanActOn allows it (a
// non-member gets NOT_FOUND), and a refused call writes nothing.
func TestService_Authority(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)

	actors := []struct {
		name string
		role invites.Role // "" for a non-member
	}{{"NonMember", ""}, {"PENDING", invites.RolePending}, {"CONTRIBUTOR", invites.RoleContributor}, {"ADMIN", invites.RoleAdmin}, {"OWNER", invites.RoleOwner}}

	for _, actor := range actors {
		t.Run(actor.name, func(t *testing.T) {
			owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
			p := mustProject(t, s, owner.ID, "Matrix "+actor.name)
			var me *invites.User
			if actor.role == "" {
				me = mustVerifiedUser(t, s, uniqueEmail("outsider"))
			} else {
				me = mustMember(t, s, owner.ID, p.ID, actor.role)
			}
			// wantCode is the code a call that needs authority over roles gets: "" when allowed.
			wantCodeFor := func(roles ...invites.Role) invites.Code {
				if actor.role == "" {
					return invites.NotFound
				}
				for _, r := range roles {
					if !invites.CanActOn(actor.role, r) {
						return invites.Forbidden
					}
				}
				return ""
			}
			// check runs call and compares its outcome with want; a refused call must leave
			// the project as it was.
			check := func(t *testing.T, want invites.Code, call func() error) bool {
				t.Helper()
				before := projectState(t, p.ID)
				err := call()
				if want == "" {
					if err != nil {
						t.Fatalf("got %v, want success", err)
					}
					return true
				}
				wantCode(t, err, want)
				if after := projectState(t, p.ID); after != before {
					t.Errorf("refused call wrote:\n before %s\n after  %s", before, after)
				}
				return false
			}

			for _, target := range allRoles {
				t.Run("CreateInvite/"+string(target), func(t *testing.T) {
					email := uniqueEmail("invitee")
					ok := check(t, wantCodeFor(target), func() error {
						_, err := s.CreateInvite(ctx, me.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: ptr(target)})
						return err
					})
					if n := count(t, "invites", "project_id = ? AND email = ? AND status = 'PENDING' AND role = ?", p.ID, email, target); (n == 1) != ok {
						t.Errorf("pending invites as %s = %d, success = %v", target, n, ok)
					}
					if n := count(t, "emails", "recipient = ?", email); (n == 1) != ok {
						t.Errorf("emails queued = %d, success = %v", n, ok)
					}
				})

				if target != invites.RolePending {
					t.Run("Promote/"+string(target), func(t *testing.T) {
						from := allRoles[roleIndex(target)-1]
						m := mustMember(t, s, owner.ID, p.ID, from)
						if m.ID == me.ID {
							t.Fatal("fixture: the target is the actor")
						}
						ok := check(t, wantCodeFor(from, target), func() error {
							_, err := s.UpdateMember(ctx, me.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: m.ID, Role: ptr(target)})
							return err
						})
						wantRole := from
						if ok {
							wantRole = target
						}
						if got := memberRow(t, p.ID, m.ID).Role; got != wantRole {
							t.Errorf("role = %s, want %s", got, wantRole)
						}
					})
				}

				if target != invites.RoleOwner {
					t.Run("Demote/"+string(target), func(t *testing.T) {
						from := allRoles[roleIndex(target)+1]
						m := mustMember(t, s, owner.ID, p.ID, from) // the owner for OWNER
						want := wantCodeFor(from, target)
						if m.ID == me.ID && want == "" {
							t.Fatal("fixture: an allowed change of one's own role")
						}
						ok := check(t, want, func() error {
							_, err := s.UpdateMember(ctx, me.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: m.ID, Role: ptr(target)})
							return err
						})
						wantRole := from
						if ok {
							wantRole = target
						}
						if got := memberRow(t, p.ID, m.ID).Role; got != wantRole {
							t.Errorf("role = %s, want %s", got, wantRole)
						}
					})
				}

				t.Run("RemoveMember/"+string(target), func(t *testing.T) {
					m := mustMember(t, s, owner.ID, p.ID, target)
					ok := check(t, wantCodeFor(target), func() error {
						return s.RemoveMember(ctx, me.ID, p.ID, m.ID)
					})
					if gone := memberRow(t, p.ID, m.ID) == nil; gone != ok {
						t.Errorf("member removed = %v, success = %v", gone, ok)
					}
				})

				if target != invites.RoleOwner { // no invite grants OWNER: the database refuses one
					t.Run("RevokeInvite/"+string(target), func(t *testing.T) {
						inv := mustInvite(t, s, owner.ID, uniqueEmail("invitee"), &p.ID, target, "")
						ok := check(t, wantCodeFor(target), func() error {
							_, err := s.RevokeInvite(ctx, me.ID, inv.ID)
							return err
						})
						wantStatus := invites.StatusPending
						if ok {
							wantStatus = invites.StatusRevoked
						}
						if got := inviteRow(t, inv.ID).Status; got != wantStatus {
							t.Errorf("status = %s, want %s", got, wantStatus)
						}
					})
				}
			}
		})
	}
}

func roleIndex(r invites.Role) int {
	for i, x := range allRoles {
		if x == r {
			return i
		}
	}
	panic("unknown role " + r)
}

func TestService_Members(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Members")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	pending := mustMember(t, s, owner.ID, p.ID, invites.RolePending)
	contribEmail, otherEmail := uniqueEmail("contrib"), uniqueEmail("contrib")
	mustInvite(t, s, owner.ID, contribEmail, &p.ID, invites.RoleContributor, "C-1")
	contrib := mustSignUpWithToken(t, s, contribEmail).User
	mustInvite(t, s, owner.ID, otherEmail, &p.ID, invites.RoleContributor, "C-2")
	other := mustSignUpWithToken(t, s, otherEmail).User
	externalIDs := func(page *invites.Page[*invites.Member]) map[uuid.UUID]string {
		got := map[uuid.UUID]string{}
		for _, m := range page.Items {
			got[m.UserID] = ""
			if m.ExternalID != nil {
				got[m.UserID] = *m.ExternalID
			}
		}
		return got
	}

	t.Run("OK", func(t *testing.T) {
		page, err := s.Members(ctx, contrib.ID, &invites.Project{ID: p.ID}, invites.MemberFilter{}, invites.PageArgs{First: new(10)})
		if err != nil {
			t.Fatal(err)
		}
		if page.TotalCount != 5 || len(page.Items) != 5 {
			t.Fatalf("members = %d (total %d), want 5", len(page.Items), page.TotalCount)
		}
		// Each member comes with their account, read in the page's statement, without the
		// password hash that nothing shown needs.
		for _, m := range page.Items {
			if m.User == nil || m.User.ID != m.UserID || m.User.Email == "" || m.User.PasswordHash != "" {
				t.Fatalf("member %s carries user %+v, want their account without its hash", m.UserID, m.User)
			}
		}
		// A CONTRIBUTOR sees their own external ID and no one else's.
		got := externalIDs(page)
		if got[contrib.ID] != "C-1" || got[other.ID] != "" {
			t.Errorf("contributor sees external IDs %v, want only their own C-1", got)
		}
		page, err = s.Members(ctx, admin.ID, &invites.Project{ID: p.ID}, invites.MemberFilter{}, invites.PageArgs{First: new(10)})
		if err != nil {
			t.Fatal(err)
		}
		if got := externalIDs(page); got[contrib.ID] != "C-1" || got[other.ID] != "C-2" {
			t.Errorf("admin sees external IDs %v, want C-1 and C-2", got)
		}
	})

	t.Run("RoleFilter", func(t *testing.T) {
		page, err := s.Members(ctx, admin.ID, &invites.Project{ID: p.ID}, invites.MemberFilter{Role: ptr(invites.RoleContributor)}, invites.PageArgs{First: new(10)})
		if err != nil {
			t.Fatal(err)
		}
		if page.TotalCount != 2 || len(page.Items) != 2 {
			t.Fatalf("contributors = %d (total %d), want 2", len(page.Items), page.TotalCount)
		}
		for _, m := range page.Items {
			if m.Role != invites.RoleContributor {
				t.Errorf("filtered list holds a %s", m.Role)
			}
		}
		_, err = s.Members(ctx, admin.ID, &invites.Project{ID: p.ID}, invites.MemberFilter{Role: ptr(invites.Role("ROOT"))}, invites.PageArgs{First: new(10)})
		wantCode(t, err, invites.BadUserInput)
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := s.Members(ctx, pending.ID, &invites.Project{ID: p.ID}, invites.MemberFilter{}, invites.PageArgs{First: new(10)})
		wantCode(t, err, invites.Forbidden)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		outsider := mustSignUp(t, s, uniqueEmail("outsider")).User
		_, err := s.Members(ctx, outsider.ID, &invites.Project{ID: p.ID}, invites.MemberFilter{}, invites.PageArgs{First: new(10)})
		wantCode(t, err, invites.NotFound)
	})

	// The role read with the project, as the viewer read it, decides without another read:
	// what each viewer's own read of the project gives them.
	t.Run("RoleReadWithProject", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			viewer uuid.UUID
			want   invites.Code
		}{{"Contributor", contrib.ID, ""}, {"Pending", pending.ID, invites.Forbidden}} {
			t.Run(tc.name, func(t *testing.T) {
				seen, err := s.Project(ctx, tc.viewer, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				page, err := s.Members(ctx, tc.viewer, seen, invites.MemberFilter{}, invites.PageArgs{First: new(10)})
				if tc.want != "" {
					wantCode(t, err, tc.want)
					return
				}
				if err != nil || len(page.Items) != 5 || externalIDs(page)[other.ID] != "" {
					t.Fatalf("page %v, %v: want 5 members, with only the contributor's own external ID", page, err)
				}
			})
		}
		// A role carried with the project is the one taken: PENDING is refused even for the
		// owner's ID, which shows that no other read decided.
		pendingView := &invites.Project{ID: p.ID, ViewerRole: ptr(invites.RolePending)}
		_, err := s.Members(ctx, owner.ID, pendingView, invites.MemberFilter{}, invites.PageArgs{First: new(10)})
		wantCode(t, err, invites.Forbidden)
	})
}

// mustSignUpWithToken signs up email through the newest invite link emailed to it.
func mustSignUpWithToken(t *testing.T, s *invites.Service, email string) *invites.Session {
	t.Helper()
	sess, err := s.SignUp(context.Background(), invites.SignUpInput{InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Invitee"})
	if err != nil {
		t.Fatalf("SignUp with the invite of %s: %v", email, err)
	}
	return sess
}

func TestService_UpdateMember(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Updates")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	contrib := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	setID := func(actor, user uuid.UUID, id string) (*invites.Member, error) {
		return s.UpdateMember(ctx, actor, invites.UpdateMemberInput{ProjectID: p.ID, UserID: user, ExternalID: &id})
	}

	t.Run("OK", func(t *testing.T) {
		m, err := setID(admin.ID, contrib.ID, "  S-100 ")
		if err != nil {
			t.Fatal(err)
		}
		if m.ExternalID == nil || *m.ExternalID != "S-100" {
			t.Errorf("external ID = %v, want S-100 trimmed", m.ExternalID)
		}
		if got := memberRow(t, p.ID, contrib.ID).ExternalID; got == nil || *got != "S-100" {
			t.Errorf("stored external ID = %v, want S-100", got)
		}
		// Role and external ID at once.
		m, err = s.UpdateMember(ctx, admin.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: contrib.ID, Role: ptr(invites.RolePending), ExternalID: ptr("S-101")})
		if err != nil {
			t.Fatal(err)
		}
		if m.Role != invites.RolePending || *m.ExternalID != "S-101" {
			t.Errorf("member = %s %v, want PENDING S-101", m.Role, *m.ExternalID)
		}
		if _, err := s.UpdateMember(ctx, admin.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: contrib.ID, Role: ptr(invites.RoleContributor)}); err != nil {
			t.Fatal(err)
		}
		if got := memberRow(t, p.ID, contrib.ID).ExternalID; got == nil || *got != "S-101" {
			t.Errorf("a role change alone changed the external ID to %v", got)
		}
		page, err := s.Activity(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.PageArgs{First: new(1)})
		if err != nil {
			t.Fatal(err)
		}
		if names := eventNames(page.Items); len(names) != 1 || names[0] != invites.EventUpdatedMember {
			t.Errorf("newest event = %v, want %q", names, invites.EventUpdatedMember)
		}
	})

	t.Run("ClearExternalID", func(t *testing.T) {
		if _, err := setID(admin.ID, contrib.ID, "S-200"); err != nil {
			t.Fatal(err)
		}
		m, err := setID(admin.ID, contrib.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if m.ExternalID != nil || memberRow(t, p.ID, contrib.ID).ExternalID != nil {
			t.Error(`externalId "" did not clear the external ID`)
		}
	})

	t.Run("OwnExternalID", func(t *testing.T) {
		for _, u := range []*invites.User{admin, owner} {
			if _, err := setID(u.ID, u.ID, "SELF-"+u.ID.String()); err != nil {
				t.Errorf("setting one's own external ID: %v", err)
			}
		}
	})

	t.Run("ErrExternalIDTaken", func(t *testing.T) {
		other := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
		if _, err := setID(admin.ID, other.ID, "HELD-1"); err != nil {
			t.Fatal(err)
		}
		_, err := setID(admin.ID, contrib.ID, "HELD-1")
		wantCode(t, err, invites.ExternalIDTaken)
		mustInvite(t, s, admin.ID, uniqueEmail("invitee"), &p.ID, invites.RoleContributor, "HELD-2")
		before := projectState(t, p.ID)
		_, err = setID(admin.ID, contrib.ID, "HELD-2")
		wantCode(t, err, invites.ExternalIDTaken)
		if after := projectState(t, p.ID); after != before {
			t.Errorf("refused update wrote:\n before %s\n after  %s", before, after)
		}
		// Setting the ID a member holds on that member again is no conflict.
		if _, err := setID(admin.ID, other.ID, "HELD-1"); err != nil {
			t.Errorf("re-setting a member's own external ID: %v", err)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		for _, u := range []*invites.User{owner, admin, contrib} {
			_, err := s.UpdateMember(ctx, u.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: u.ID, Role: ptr(invites.RolePending)})
			wantCode(t, err, invites.Forbidden)
		}
		_, err := setID(contrib.ID, contrib.ID, "MINE")
		wantCode(t, err, invites.Forbidden)
	})

	t.Run("ErrBadUserInput", func(t *testing.T) {
		for _, in := range []invites.UpdateMemberInput{
			{ProjectID: p.ID, UserID: contrib.ID},
			{ProjectID: p.ID, UserID: contrib.ID, Role: ptr(invites.Role("ROOT"))},
			{ProjectID: p.ID, UserID: contrib.ID, ExternalID: ptr(strings.Repeat("x", 65))},
			{ProjectID: p.ID, UserID: contrib.ID, ExternalID: ptr("a\nb")},
		} {
			_, err := s.UpdateMember(ctx, admin.ID, in)
			wantCode(t, err, invites.BadUserInput)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		outsider := mustSignUp(t, s, uniqueEmail("outsider")).User
		_, err := setID(admin.ID, outsider.ID, "X")
		wantCode(t, err, invites.NotFound)
		_, err = s.UpdateMember(ctx, admin.ID, invites.UpdateMemberInput{ProjectID: uuid.New(), UserID: contrib.ID, ExternalID: ptr("Y")})
		wantCode(t, err, invites.NotFound)
	})
}

func TestService_LeaveProject(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Leaving")

	t.Run("OK", func(t *testing.T) {
		for _, role := range []invites.Role{invites.RolePending, invites.RoleContributor, invites.RoleAdmin} {
			m := mustMember(t, s, owner.ID, p.ID, role)
			if err := s.LeaveProject(ctx, m.ID, p.ID); err != nil {
				t.Fatalf("%s leaving: %v", role, err)
			}
			if memberRow(t, p.ID, m.ID) != nil {
				t.Errorf("%s still a member after leaving", role)
			}
		}
		if n := count(t, "activity_events", "project_id = ? AND name = ?", p.ID, invites.EventLeftProject); n != 3 {
			t.Errorf("%q events = %d, want 3", invites.EventLeftProject, n)
		}
	})

	t.Run("ErrLastOwner", func(t *testing.T) {
		wantCode(t, s.LeaveProject(ctx, owner.ID, p.ID), invites.LastOwner)
		if memberRow(t, p.ID, owner.ID) == nil {
			t.Error("the owner left")
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		outsider := mustSignUp(t, s, uniqueEmail("outsider")).User
		wantCode(t, s.LeaveProject(ctx, outsider.ID, p.ID), invites.NotFound)
	})
}

func TestService_TransferOwnership(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)

	t.Run("OK", func(t *testing.T) {
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Transfer")
		admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		got, err := s.TransferOwnership(ctx, owner.ID, p.ID, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if *got.ViewerRole != invites.RoleAdmin {
			t.Errorf("old owner's role = %s, want ADMIN", *got.ViewerRole)
		}
		if memberRow(t, p.ID, admin.ID).Role != invites.RoleOwner || memberRow(t, p.ID, owner.ID).Role != invites.RoleAdmin {
			t.Error("roles did not swap")
		}
		if n := count(t, "project_members", "project_id = ? AND role = 'OWNER'", p.ID); n != 1 {
			t.Errorf("owners = %d, want 1", n)
		}
		if n := count(t, "activity_events", "project_id = ? AND name = ?", p.ID, invites.EventTransferredOwnership); n != 1 {
			t.Errorf("%q events = %d, want 1", invites.EventTransferredOwnership, n)
		}
	})

	t.Run("ErrBadUserInput", func(t *testing.T) {
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Transfer")
		contrib := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
		before := projectState(t, p.ID)
		_, err := s.TransferOwnership(ctx, owner.ID, p.ID, contrib.ID)
		wantCode(t, err, invites.BadUserInput)
		if after := projectState(t, p.ID); after != before {
			t.Errorf("refused transfer wrote:\n before %s\n after  %s", before, after)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Transfer")
		admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		other := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		before := projectState(t, p.ID)
		_, err := s.TransferOwnership(ctx, admin.ID, p.ID, other.ID)
		wantCode(t, err, invites.Forbidden)
		if after := projectState(t, p.ID); after != before {
			t.Errorf("refused transfer wrote:\n before %s\n after  %s", before, after)
		}
	})
}
