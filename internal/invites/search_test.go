package invites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// setInviteName gives an invite the invitee name a bulk invite's row would.
func setInviteName(t *testing.T, id uuid.UUID, name string) {
	t.Helper()
	if _, err := pgDB(t).NewRaw("UPDATE invites SET name = ? WHERE id = ?", name, id).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func inviteIDs(list []*invites.Invite) []uuid.UUID {
	ids := make([]uuid.UUID, len(list))
	for i, inv := range list {
		ids[i] = inv.ID
	}
	return ids
}

func TestService_ProjectInvitesSearch(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Search")
	other := mustProject(t, s, owner.ID, "Elsewhere")
	ada := mustInvite(t, s, owner.ID, uniqueEmail("ada-lovelace"), &p.ID, invites.RoleContributor, "S-1001")
	grace := mustInvite(t, s, owner.ID, uniqueEmail("g"), &p.ID, invites.RoleContributor, "S-2002")
	setInviteName(t, grace.ID, "Grace Hopper")
	odd := mustInvite(t, s, owner.ID, uniqueEmail("odd"), &p.ID, invites.RoleContributor, `50%_off\x`)
	mustInvite(t, s, owner.ID, uniqueEmail("ada-lovelace"), &other.ID, invites.RoleContributor, "S-1001")
	if _, err := s.RevokeInvite(ctx, owner.ID, grace.ID); err != nil {
		t.Fatal(err)
	}
	revoked := invites.StatusRevoked
	tests := []struct {
		name   string
		filter invites.InviteFilter
		want   []uuid.UUID
	}{
		{"email, in part", invites.InviteFilter{Search: "lovelace"}, []uuid.UUID{ada.ID}},
		{"name, any case", invites.InviteFilter{Search: "hOPPER"}, []uuid.UUID{grace.ID}},
		{"external ID, trimmed", invites.InviteFilter{Search: "  s-100 "}, []uuid.UUID{ada.ID}},
		{"wildcards are literal", invites.InviteFilter{Search: `%_`}, []uuid.UUID{odd.ID}},
		{"backslash is literal", invites.InviteFilter{Search: `\x`}, []uuid.UUID{odd.ID}},
		{"control characters dropped", invites.InviteFilter{Search: "love\x00lace"}, []uuid.UUID{ada.ID}},
		{"no match across fields", invites.InviteFilter{Search: "example.comGrace"}, nil},
		{"blank: no search", invites.InviteFilter{Search: " \t"}, []uuid.UUID{odd.ID, grace.ID, ada.ID}},
		{"with a status", invites.InviteFilter{Search: "hopper", Status: &revoked}, []uuid.UUID{grace.ID}},
		{"an ended invite holds no external ID", invites.InviteFilter{Search: "S-2002"}, nil},
		{"no match", invites.InviteFilter{Search: "nobody"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.ProjectInvites(ctx, owner.ID, &invites.Project{ID: p.ID}, tc.filter, invites.PageArgs{First: ptr(10)})
			if err != nil {
				t.Fatal(err)
			}
			if got := inviteIDs(page.Items); !equalIDs(got, tc.want) || page.TotalCount != len(tc.want) {
				t.Errorf("got %v (total %d), want %v", got, page.TotalCount, tc.want)
			}
		})
	}
	t.Run("ErrTooLong", func(t *testing.T) {
		_, err := s.ProjectInvites(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.InviteFilter{Search: strings.Repeat("a", 321)}, invites.PageArgs{})
		wantCode(t, err, invites.BadUserInput)
	})
}

func equalIDs(got, want []uuid.UUID) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestService_MembersSearch(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Search members")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	c1 := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	c2 := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	for _, m := range []struct {
		id  uuid.UUID
		ext string
	}{{c1.ID, "E-77"}, {c2.ID, "E-88"}} {
		if _, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: m.id, ExternalID: ptr(m.ext)}); err != nil {
			t.Fatal(err)
		}
	}
	contributor := invites.RoleContributor
	tests := []struct {
		name   string
		viewer uuid.UUID
		filter invites.MemberFilter
		want   []uuid.UUID // user IDs, newest member first
	}{
		{"admin, by external ID", admin.ID, invites.MemberFilter{Search: "e-77"}, []uuid.UUID{c1.ID}},
		{"admin, by email", admin.ID, invites.MemberFilter{Search: strings.ToUpper(c2.Email)}, []uuid.UUID{c2.ID}},
		{"by name, any case", admin.ID, invites.MemberFilter{Search: "member CONTRIB"}, []uuid.UUID{c2.ID, c1.ID}},
		{"with a role", admin.ID, invites.MemberFilter{Search: "member", Role: &contributor}, []uuid.UUID{c2.ID, c1.ID}},
		{"contributor: another's external ID is not searched", c1.ID, invites.MemberFilter{Search: "E-88"}, nil},
		{"contributor: their own external ID is", c1.ID, invites.MemberFilter{Search: "E-77"}, []uuid.UUID{c1.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.Members(ctx, tc.viewer, &invites.Project{ID: p.ID}, tc.filter, invites.PageArgs{First: ptr(10)})
			if err != nil {
				t.Fatal(err)
			}
			got := make([]uuid.UUID, len(page.Items))
			for i, m := range page.Items {
				got[i] = m.UserID
			}
			if !equalIDs(got, tc.want) || page.TotalCount != len(tc.want) {
				t.Errorf("got %v (total %d), want %v", got, page.TotalCount, tc.want)
			}
		})
	}
}

// TestService_InviteSearchPlan holds the search to its index at the scale SPEC §14 names: with
// 100,000 invites in one project, the count and the page of a rare term read invites_search_idx
// rather than every invite of the project.
func TestService_InviteSearchPlan(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 100,000 invites")
	}
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Big")
	db := pgDB(t)
	_, err := db.ExecContext(ctx, `INSERT INTO invites (id, email, project_id, role, inviter_id, token_hash, status, expires_at, created_at, updated_at, name)
		SELECT gen_random_uuid(), 'seed-' || n || '@example.com', ?, 'CONTRIBUTOR', ?, sha256(('plan-' || n)::bytea), 'PENDING',
			now() + interval '7 days', now() - n * interval '1 second', now(), CASE WHEN n % 20000 = 0 THEN 'Rare Name' END
		FROM generate_series(1, 100000) AS n`, p.ID, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE invites"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT count(*) FROM invites AS i WHERE " + invites.InviteSearchSQL,
		"SELECT i.id FROM invites AS i WHERE " + invites.InviteSearchSQL + " ORDER BY i.created_at DESC, i.id DESC LIMIT 51",
	} {
		rows, err := db.DB.QueryContext(ctx, "EXPLAIN "+q, p.ID, "%rare name%")
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, line)
		}
		rows.Close()
		if text := strings.Join(lines, "\n"); !strings.Contains(text, "invites_search_idx") {
			t.Errorf("plan of %s does not read invites_search_idx:\n%s", q, text)
		}
	}
	page, err := s.ProjectInvites(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.InviteFilter{Search: "RARE name"}, invites.PageArgs{First: ptr(10)})
	if err != nil || page.TotalCount != 5 {
		t.Fatalf("search = %v, %v; want 5 invites", page, err)
	}
}
