package invites_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// mustLink creates an invite link and returns it with its token.
func mustLink(t *testing.T, s *invites.Service, actor uuid.UUID, in invites.CreateInviteLinkInput) (*invites.InviteLink, string) {
	t.Helper()
	out, err := s.CreateInviteLink(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("CreateInviteLink: %v", err)
	}
	const prefix = "https://app.example/join/"
	if !strings.HasPrefix(out.URL, prefix) {
		t.Fatalf("URL = %q, want %s<token>", out.URL, prefix)
	}
	return out.Link, strings.TrimPrefix(out.URL, prefix)
}

// linkRow reads a link as stored.
func linkRow(t *testing.T, id uuid.UUID) *invites.InviteLink {
	t.Helper()
	l := new(invites.InviteLink)
	if err := pgDB(t).NewSelect().Model(l).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatalf("invite link %s: %v", id, err)
	}
	return l
}

// linkState describes the project's links, for checking that a refused call wrote nothing.
func linkState(t *testing.T, projectID uuid.UUID) string {
	t.Helper()
	var state string
	err := pgDB(t).NewRaw(`SELECT coalesce(string_agg(id::text || ':' || uses || ':' || coalesce(revoked_at::text, '') || ':' || updated_at::text, ',' ORDER BY id), '')
		FROM invite_links WHERE project_id = ?`, projectID).Scan(context.Background(), &state)
	if err != nil {
		t.Fatal(err)
	}
	return projectState(t, projectID) + " | " + state
}

func TestLinkService_CreateInviteLink(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Links")

	t.Run("OK", func(t *testing.T) {
		out, err := s.CreateInviteLink(ctx, owner.ID, invites.CreateInviteLinkInput{
			ProjectID: p.ID, Role: invites.RoleContributor, MaxUses: ptr(3),
			AllowedEmailDomains: []string{" @Example.COM ", "school.edu", "example.com"},
		})
		if err != nil {
			t.Fatal(err)
		}
		l := out.Link
		token := strings.TrimPrefix(out.URL, "https://app.example/join/")
		if len(token) != 43 { // 32 bytes in unpadded base64url
			t.Fatalf("token %q has %d characters, want 43", token, len(token))
		}
		stored := linkRow(t, l.ID)
		if h := sha256.Sum256([]byte(token)); !bytes.Equal(stored.TokenHash, h[:]) {
			t.Fatal("the stored token hash is not the SHA-256 of the URL's token")
		}
		if want := clk.Now().Add(7 * 24 * time.Hour).Truncate(time.Microsecond); !stored.ExpiresAt.Equal(want) {
			t.Fatalf("expiresAt = %v, want INVITE_TTL from now, %v", stored.ExpiresAt, want)
		}
		if got, want := stored.AllowedEmailDomains, []string{"example.com", "school.edu"}; !slices.Equal(got, want) {
			t.Fatalf("domains = %q, want %q", got, want)
		}
		if l.Status != invites.LinkActive || l.Uses != 0 || *l.MaxUses != 3 || l.CreatedBy != owner.ID || l.Role != invites.RoleContributor {
			t.Fatalf("link = %+v", l)
		}
		if n := count(t, "activity_events", "project_id = ? AND name = ? AND actor_id = ?", p.ID, invites.EventCreatedInviteLink, owner.ID); n != 1 {
			t.Fatalf("%d Created Invite Link events, want 1", n)
		}
	})

	t.Run("ExpiresAtGiven", func(t *testing.T) {
		at := clk.Now().Add(30 * 24 * time.Hour)
		l, _ := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RolePending, ExpiresAt: &at})
		if !linkRow(t, l.ID).ExpiresAt.Equal(at.Truncate(time.Microsecond)) {
			t.Fatalf("expiresAt = %v, want %v", l.ExpiresAt, at)
		}
	})

	t.Run("DefaultAtMost30Days", func(t *testing.T) {
		long, clk := newService(t, func(c *config.Domain) { c.InviteTTL = 90 * 24 * time.Hour })
		o := mustVerifiedUser(t, long, uniqueEmail("owner"))
		lp := mustProject(t, long, o.ID, "Long TTL")
		l, _ := mustLink(t, long, o.ID, invites.CreateInviteLinkInput{ProjectID: lp.ID, Role: invites.RoleContributor})
		if want := clk.Now().Add(invites.MaxInviteLinkTTL).Truncate(time.Microsecond); !l.ExpiresAt.Equal(want) {
			t.Fatalf("expiresAt = %v, want 30 days from now, %v", l.ExpiresAt, want)
		}
	})

	badInput := []struct {
		name  string
		in    func(in *invites.CreateInviteLinkInput)
		field string
	}{
		{"RoleUnknown", func(in *invites.CreateInviteLinkInput) { in.Role = "BOSS" }, "role"},
		{"MaxUsesZero", func(in *invites.CreateInviteLinkInput) { in.MaxUses = ptr(0) }, "maxUses"},
		{"MaxUsesNegative", func(in *invites.CreateInviteLinkInput) { in.MaxUses = ptr(-4) }, "maxUses"},
		{"ExpiresInThePast", func(in *invites.CreateInviteLinkInput) { in.ExpiresAt = ptr(clk.Now().Add(-time.Minute)) }, "expiresAt"},
		{"ExpiresNow", func(in *invites.CreateInviteLinkInput) { in.ExpiresAt = ptr(clk.Now()) }, "expiresAt"},
		{"ExpiresBeyond30Days", func(in *invites.CreateInviteLinkInput) {
			in.ExpiresAt = ptr(clk.Now().Add(invites.MaxInviteLinkTTL + time.Second))
		}, "expiresAt"},
		{"DomainWithoutDot", func(in *invites.CreateInviteLinkInput) { in.AllowedEmailDomains = []string{"localhost"} }, "allowedEmailDomains"},
		{"DomainIsAnEmail", func(in *invites.CreateInviteLinkInput) { in.AllowedEmailDomains = []string{"ann@example.com"} }, "allowedEmailDomains"},
		{"DomainEmpty", func(in *invites.CreateInviteLinkInput) { in.AllowedEmailDomains = []string{"example.com", " "} }, "allowedEmailDomains"},
		{"DomainWithSpace", func(in *invites.CreateInviteLinkInput) { in.AllowedEmailDomains = []string{"exa mple.com"} }, "allowedEmailDomains"},
		{"DomainLabelHyphen", func(in *invites.CreateInviteLinkInput) { in.AllowedEmailDomains = []string{"-example.com"} }, "allowedEmailDomains"},
		{"DomainEmptyLabel", func(in *invites.CreateInviteLinkInput) { in.AllowedEmailDomains = []string{"example..com"} }, "allowedEmailDomains"},
		{"DomainInvisible", func(in *invites.CreateInviteLinkInput) { in.AllowedEmailDomains = []string{"exa\u200bmple.com"} }, "allowedEmailDomains"},
		{"TooManyDomains", func(in *invites.CreateInviteLinkInput) {
			for i := range 51 {
				in.AllowedEmailDomains = append(in.AllowedEmailDomains, "d"+strings.Repeat("x", i)+".com")
			}
		}, "allowedEmailDomains"},
	}
	for _, tc := range badInput {
		t.Run("BadUserInput/"+tc.name, func(t *testing.T) {
			in := invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor}
			tc.in(&in)
			before := linkState(t, p.ID)
			_, err := s.CreateInviteLink(ctx, owner.ID, in)
			wantField(t, err, tc.field)
			if after := linkState(t, p.ID); after != before {
				t.Fatalf("a refused call changed the project:\n%s\n%s", before, after)
			}
		})
	}

	// The authority rule on the link's role: every actor against every role.
	actors := []invites.Role{"", invites.RolePending, invites.RoleContributor, invites.RoleAdmin, invites.RoleOwner}
	for _, actor := range actors {
		name := string(actor)
		if actor == "" {
			name = "NonMember"
		}
		me := owner
		switch actor {
		case "":
			me = mustVerifiedUser(t, s, uniqueEmail("outsider"))
		case invites.RoleOwner:
		default:
			me = mustMember(t, s, owner.ID, p.ID, actor)
		}
		for _, role := range []invites.Role{invites.RolePending, invites.RoleContributor, invites.RoleAdmin, invites.RoleOwner} {
			t.Run("Authority/"+name+"/"+string(role), func(t *testing.T) {
				want := invites.Code("")
				switch {
				case actor == "":
					want = invites.NotFound
				case !invites.CanActOn(actor, role):
					want = invites.Forbidden
				}
				before := linkState(t, p.ID)
				_, err := s.CreateInviteLink(ctx, me.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: role})
				if want == "" {
					if err != nil {
						t.Fatalf("got %v, want success", err)
					}
					return
				}
				wantCode(t, err, want)
				if after := linkState(t, p.ID); after != before {
					t.Fatalf("a refused call changed the project:\n%s\n%s", before, after)
				}
			})
		}
	}

	t.Run("NoSuchProject", func(t *testing.T) {
		_, err := s.CreateInviteLink(ctx, owner.ID, invites.CreateInviteLinkInput{ProjectID: uuid.New(), Role: invites.RoleContributor})
		wantCode(t, err, invites.NotFound)
	})
}

func TestLinkService_JoinWithLink(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Join")
	newLink := func(t *testing.T, in invites.CreateInviteLinkInput) (*invites.InviteLink, string) {
		t.Helper()
		in.ProjectID = p.ID
		if in.Role == "" {
			in.Role = invites.RoleContributor
		}
		return mustLink(t, s, owner.ID, in)
	}
	uses := func(t *testing.T, l *invites.InviteLink) int { t.Helper(); return linkRow(t, l.ID).Uses }

	t.Run("OK", func(t *testing.T) {
		l, token := newLink(t, invites.CreateInviteLinkInput{})
		u := mustSignUp(t, s, uniqueEmail("joiner")).User // unverified: no domains, so none needed
		m, err := s.JoinWithLink(ctx, u, token)
		if err != nil {
			t.Fatal(err)
		}
		if m.Role != invites.RoleContributor || m.UserID != u.ID || m.ProjectID != p.ID {
			t.Fatalf("membership = %+v", m)
		}
		wantMember(t, p.ID, u.ID, invites.RoleContributor, "")
		if got := uses(t, l); got != 1 {
			t.Fatalf("uses = %d, want 1", got)
		}
		for _, name := range []string{invites.EventJoinedWithInviteLink, invites.EventJoinedProject} {
			// The event keeps the role the link granted, which the activity says.
			if n := count(t, "activity_events", "project_id = ? AND name = ? AND actor_id = ? AND email = ? AND role = 'CONTRIBUTOR'", p.ID, name, u.ID, u.Email); n != 1 {
				t.Fatalf("%d %q events granting CONTRIBUTOR, want 1", n, name)
			}
		}
	})

	t.Run("MemberAlready", func(t *testing.T) {
		l, token := newLink(t, invites.CreateInviteLinkInput{Role: invites.RolePending, MaxUses: ptr(1)})
		admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		before := linkState(t, p.ID)
		m, err := s.JoinWithLink(ctx, admin, token)
		if err != nil {
			t.Fatal(err)
		}
		if m.Role != invites.RoleAdmin {
			t.Fatalf("role = %s, want ADMIN kept", m.Role)
		}
		if after := linkState(t, p.ID); after != before || uses(t, l) != 0 {
			t.Fatalf("a member's join changed something:\n%s\n%s", before, after)
		}
	})

	t.Run("UnknownToken", func(t *testing.T) {
		u := mustSignUp(t, s, uniqueEmail("joiner")).User
		_, err := s.JoinWithLink(ctx, u, "not-a-token")
		wantCode(t, err, invites.NotFound)
	})

	t.Run("UsedUp", func(t *testing.T) {
		l, token := newLink(t, invites.CreateInviteLinkInput{MaxUses: ptr(1)})
		if _, err := s.JoinWithLink(ctx, mustSignUp(t, s, uniqueEmail("first")).User, token); err != nil {
			t.Fatal(err)
		}
		late := mustSignUp(t, s, uniqueEmail("late")).User
		before := linkState(t, p.ID)
		_, err := s.JoinWithLink(ctx, late, token)
		wantCode(t, err, invites.InviteNotPending)
		if after := linkState(t, p.ID); after != before || uses(t, l) != 1 || memberRow(t, p.ID, late.ID) != nil {
			t.Fatalf("a refused join changed the project:\n%s\n%s", before, after)
		}
	})

	t.Run("Revoked", func(t *testing.T) {
		l, token := newLink(t, invites.CreateInviteLinkInput{})
		if _, err := s.RevokeInviteLink(ctx, owner.ID, l.ID); err != nil {
			t.Fatal(err)
		}
		u := mustSignUp(t, s, uniqueEmail("joiner")).User
		_, err := s.JoinWithLink(ctx, u, token)
		wantCode(t, err, invites.InviteNotPending)
		if memberRow(t, p.ID, u.ID) != nil {
			t.Fatal("joined through a revoked link")
		}
	})

	t.Run("Expired", func(t *testing.T) {
		expires := clk.Now().Add(time.Hour)
		_, token := newLink(t, invites.CreateInviteLinkInput{ExpiresAt: &expires})
		u := mustSignUp(t, s, uniqueEmail("joiner")).User
		clk.Advance(time.Hour)
		_, err := s.JoinWithLink(ctx, u, token)
		wantCode(t, err, invites.InviteExpired)
		if memberRow(t, p.ID, u.ID) != nil {
			t.Fatal("joined through an expired link")
		}
	})

	domains := []struct {
		name     string
		email    string
		verified bool
		want     invites.Code
	}{
		{"VerifiedAtDomain", "ann@school.edu", true, ""},
		{"VerifiedAtSecondDomain", "bob@example.com", true, ""},
		{"UnverifiedAtDomain", "cid@school.edu", false, invites.EmailNotVerified},
		{"VerifiedElsewhere", "dee@other.org", true, invites.EmailDomainNotAllowed},
		{"VerifiedAtSubdomain", "eve@mail.school.edu", true, invites.EmailDomainNotAllowed},
		{"UnverifiedElsewhere", "fay@other.org", false, invites.EmailDomainNotAllowed},
	}
	for _, tc := range domains {
		t.Run("Domains/"+tc.name, func(t *testing.T) {
			l, token := newLink(t, invites.CreateInviteLinkInput{AllowedEmailDomains: []string{"@School.edu", "example.com"}})
			local, domain, _ := strings.Cut(tc.email, "@")
			email := uniqueEmail(local)
			email = strings.TrimSuffix(email, "@example.com") + "@" + domain
			var u *invites.User
			if tc.verified {
				u = mustVerifiedUser(t, s, email)
			} else {
				u = mustSignUp(t, s, email).User
			}
			before := linkState(t, p.ID)
			_, err := s.JoinWithLink(ctx, u, token)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				wantMember(t, p.ID, u.ID, invites.RoleContributor, "")
				return
			}
			wantCode(t, err, tc.want)
			if after := linkState(t, p.ID); after != before || uses(t, l) != 0 {
				t.Fatalf("a refused join changed the project:\n%s\n%s", before, after)
			}
		})
	}

	// Each join checks the creator again: demoted, removed or gone, the link is revoked.
	creatorChanges := []struct {
		name   string
		change func(t *testing.T, creator *invites.User)
	}{
		{"Demoted", func(t *testing.T, creator *invites.User) {
			if _, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: creator.ID, Role: ptr(invites.RoleContributor)}); err != nil {
				t.Fatal(err)
			}
		}},
		{"Removed", func(t *testing.T, creator *invites.User) {
			if err := s.RemoveMember(ctx, owner.ID, p.ID, creator.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"Left", func(t *testing.T, creator *invites.User) {
			if err := s.LeaveProject(ctx, creator.ID, p.ID); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range creatorChanges {
		t.Run("CreatorLostAuthority/"+tc.name, func(t *testing.T) {
			admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
			l, token := mustLink(t, s, admin.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor})
			tc.change(t, admin)
			u := mustSignUp(t, s, uniqueEmail("joiner")).User
			_, err := s.JoinWithLink(ctx, u, token)
			wantCode(t, err, invites.InviteNotPending)
			stored := linkRow(t, l.ID)
			if stored.RevokedAt == nil || stored.Uses != 0 || memberRow(t, p.ID, u.ID) != nil {
				t.Fatalf("link = %+v, member = %v: want revoked, unused, no membership", stored, memberRow(t, p.ID, u.ID))
			}
			if n := count(t, "activity_events", "project_id = ? AND name = ? AND actor_id IS NULL", p.ID, invites.EventRevokedInviteLink); n < 1 {
				t.Fatal("no Revoked Invite Link event without an actor")
			}
			_, err = s.JoinWithLink(ctx, u, token)
			wantCode(t, err, invites.InviteNotPending)
		})
	}
}

// TestLinkService_JoinWithLink_Concurrent: 20 people joining at once through a link with
// maxUses 5 make exactly 5 memberships.
func TestLinkService_JoinWithLink_Concurrent(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Crowd")
	l, token := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor, MaxUses: ptr(5)})
	users := make([]*invites.User, 20)
	for i := range users {
		users[i] = mustSignUp(t, s, uniqueEmail("crowd")).User
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, len(users))
	for i, u := range users {
		wg.Go(func() {
			<-start
			_, errs[i] = s.JoinWithLink(ctx, u, token)
		})
	}
	close(start)
	wg.Wait()
	joined := 0
	for _, err := range errs {
		switch invites.ErrorCode(err) {
		case invites.InviteNotPending:
		case invites.Internal:
			if err != nil {
				t.Fatalf("join: %v", err)
			}
			joined++
		default:
			t.Fatalf("join: %v", err)
		}
	}
	members := count(t, "project_members", "project_id = ? AND role = ?", p.ID, invites.RoleContributor)
	if joined != 5 || members != 5 || linkRow(t, l.ID).Uses != 5 {
		t.Fatalf("%d joins succeeded, %d memberships, uses %d; want 5, 5, 5", joined, members, linkRow(t, l.ID).Uses)
	}
}

func TestLinkService_RevokeInviteLink(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Revoke")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	contrib := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	outsider := mustVerifiedUser(t, s, uniqueEmail("outsider"))

	t.Run("OK", func(t *testing.T) {
		l, _ := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor})
		// Another admin than its creator may revoke it: whoever could create it now.
		got, err := s.RevokeInviteLink(ctx, admin.ID, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != invites.LinkRevoked || linkRow(t, l.ID).RevokedAt == nil {
			t.Fatalf("status = %s, want REVOKED", got.Status)
		}
		if n := count(t, "activity_events", "project_id = ? AND name = ? AND actor_id = ?", p.ID, invites.EventRevokedInviteLink, admin.ID); n != 1 {
			t.Fatalf("%d Revoked Invite Link events by the admin, want 1", n)
		}
		_, err = s.RevokeInviteLink(ctx, admin.ID, l.ID)
		wantCode(t, err, invites.InviteNotPending)
	})

	t.Run("ExpiredReadsExpired", func(t *testing.T) {
		at := clk.Now().Add(time.Minute)
		l, _ := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor, ExpiresAt: &at})
		clk.Advance(time.Minute)
		page, err := s.ProjectInviteLinks(ctx, owner.ID, p.ID, invites.PageArgs{First: ptr(1)})
		if err != nil || page.Items[0].ID != l.ID || page.Items[0].Status != invites.LinkExpired {
			t.Fatalf("newest link = %+v, %v; want %s EXPIRED", page.Items[0], err, l.ID)
		}
	})

	refused := []struct {
		name  string
		actor uuid.UUID
		role  invites.Role
		want  invites.Code
	}{
		{"AdminOnAdminLink", admin.ID, invites.RoleAdmin, invites.Forbidden},
		{"Contributor", contrib.ID, invites.RolePending, invites.Forbidden},
		{"Outsider", outsider.ID, invites.RolePending, invites.NotFound},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: tc.role})
			before := linkState(t, p.ID)
			_, err := s.RevokeInviteLink(ctx, tc.actor, l.ID)
			wantCode(t, err, tc.want)
			if after := linkState(t, p.ID); after != before {
				t.Fatalf("a refused call changed the project:\n%s\n%s", before, after)
			}
		})
	}

	t.Run("Unknown", func(t *testing.T) {
		_, err := s.RevokeInviteLink(ctx, owner.ID, uuid.New())
		wantCode(t, err, invites.NotFound)
	})
}

func TestLinkService_InviteLinkPreview(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Preview Project")
	l, token := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RolePending, AllowedEmailDomains: []string{"example.com"}})

	got, err := s.InviteLinkPreview(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	want := invites.InviteLinkPreview{ProjectID: p.ID, ProjectName: "Preview Project", InviterName: owner.Name, Role: invites.RolePending,
		Status: invites.LinkActive, ExpiresAt: l.ExpiresAt, AllowedEmailDomains: []string{"example.com"}}
	if got.ProjectID != want.ProjectID || got.ProjectName != want.ProjectName || got.InviterName != want.InviterName || got.Role != want.Role ||
		got.Status != want.Status || !got.ExpiresAt.Equal(want.ExpiresAt) || !slices.Equal(got.AllowedEmailDomains, want.AllowedEmailDomains) {
		t.Fatalf("preview = %+v, want %+v", got, want)
	}
	clk.Advance(8 * 24 * time.Hour)
	if got, err := s.InviteLinkPreview(ctx, token); err != nil || got.Status != invites.LinkExpired {
		t.Fatalf("preview after expiry = %+v, %v; want EXPIRED", got, err)
	}
	_, err = s.InviteLinkPreview(ctx, "unknown")
	wantCode(t, err, invites.NotFound)
}

func TestLinkService_ProjectInviteLinks(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Listing")
	contrib := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	var ids []uuid.UUID
	for range 5 {
		l, _ := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor})
		ids = append([]uuid.UUID{l.ID}, ids...) // newest first
		clk.Advance(time.Second)
	}
	first, err := s.ProjectInviteLinks(ctx, owner.ID, p.ID, invites.PageArgs{First: ptr(2)})
	if err != nil {
		t.Fatal(err)
	}
	if first.TotalCount != 5 || !first.HasNextPage || first.HasPreviousPage || first.Items[0].ID != ids[0] || first.Items[1].ID != ids[1] {
		t.Fatalf("first page = %+v", first)
	}
	next, err := s.ProjectInviteLinks(ctx, owner.ID, p.ID, invites.PageArgs{First: ptr(10), After: first.Cursors[1]})
	if err != nil || len(next.Items) != 3 || next.Items[0].ID != ids[2] || next.HasNextPage || !next.HasPreviousPage {
		t.Fatalf("next page = %+v, %v", next, err)
	}
	back, err := s.ProjectInviteLinks(ctx, owner.ID, p.ID, invites.PageArgs{Last: ptr(2), Before: next.Cursors[0]})
	if err != nil || len(back.Items) != 2 || back.Items[0].ID != ids[0] || back.Items[1].ID != ids[1] || back.HasPreviousPage || !back.HasNextPage {
		t.Fatalf("backward page = %+v, %v", back, err)
	}
	_, err = s.ProjectInviteLinks(ctx, owner.ID, p.ID, invites.PageArgs{First: ptr(1), After: "bogus"})
	wantField(t, err, "after")
	_, err = s.ProjectInviteLinks(ctx, contrib.ID, p.ID, invites.PageArgs{})
	wantCode(t, err, invites.Forbidden)
	_, err = s.ProjectInviteLinks(ctx, mustVerifiedUser(t, s, uniqueEmail("outsider")).ID, p.ID, invites.PageArgs{})
	wantCode(t, err, invites.NotFound)
}

// TestLinkService_Nodes: an invite link is seen by ADMIN and above of its project.
func TestLinkService_Nodes(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Link nodes")
	l, _ := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor, MaxUses: ptr(2)})
	viewers := []struct {
		name string
		user *invites.User
		seen bool
	}{
		{"Owner", owner, true},
		{"Admin", mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin), true},
		{"Contributor", mustMember(t, s, owner.ID, p.ID, invites.RoleContributor), false},
		{"Pending", mustMember(t, s, owner.ID, p.ID, invites.RolePending), false},
		{"Stranger", mustVerifiedUser(t, s, uniqueEmail("stranger")), false},
	}
	for _, v := range viewers {
		t.Run(v.name, func(t *testing.T) {
			got, err := s.Nodes(ctx, v.user, []string{l.ID.String()})
			if err != nil {
				t.Fatal(err)
			}
			if (got[0] != nil) != v.seen {
				t.Fatalf("seen = %v, want %v", got[0] != nil, v.seen)
			}
			if v.seen {
				link, ok := got[0].(*invites.InviteLink)
				if !ok || link.ID != l.ID || link.Status != invites.LinkActive || *link.MaxUses != 2 {
					t.Fatalf("node = %#v", got[0])
				}
			}
		})
	}
	if got, err := s.Nodes(ctx, nil, []string{l.ID.String()}); err != nil || got[0] != nil {
		t.Fatalf("anonymous: %v, %v; want nil", got[0], err)
	}
}
