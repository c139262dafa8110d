package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/invites/invites/internal/pgtest"
)

// TestNoNPlusOne counts the SQL statements of a page of members with their users, and of a page
// of invites with their inviters, invitees and projects: the dataloaders make them the same for
// 10 items as for 100, and no more than they are today.
func TestNoNPlusOne(t *testing.T) {
	plain := newHandler(t)
	owner := signUpVerified(t, plain, uniqueEmail("owner"))
	project := newProject(t, plain, owner, "Crowded")
	ownerID := myID(t, plain, owner)

	// 100 members and 100 invites (half of them claimed by a member), written directly: the
	// API's own paths are tested elsewhere, and this test is about reading.
	prefix := strings.TrimSuffix(uniqueEmail("crowd"), "@example.com")
	_, err := pgDB(t).ExecContext(ctxBG, `
		WITH u AS (
			INSERT INTO users (id, email, name, password_hash, created_at)
			SELECT gen_random_uuid(), ? || '-' || n || '@example.com', 'Person ' || n, 'x', now() - n * interval '1 second'
			FROM generate_series(1, 100) n RETURNING id, email)
		INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at)
		SELECT gen_random_uuid(), ?, u.id, 'CONTRIBUTOR', now(), now() FROM u`, prefix, project)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pgDB(t).ExecContext(ctxBG, `
		INSERT INTO invites (id, email, project_id, role, inviter_id, invitee_id, token_hash, status, expires_at, created_at, updated_at)
		SELECT gen_random_uuid(), 'invited-' || u.email, ?, 'CONTRIBUTOR', ?,
			CASE WHEN row_number() OVER () % 2 = 0 THEN u.id END, gen_random_bytes(32), 'PENDING', now() + interval '1 day', now(), now()
		FROM users u WHERE u.email LIKE ? || '-%'`, project, ownerID, prefix)
	if err != nil && strings.Contains(err.Error(), "gen_random_bytes") {
		_, err = pgDB(t).ExecContext(ctxBG, `
			INSERT INTO invites (id, email, project_id, role, inviter_id, invitee_id, token_hash, status, expires_at, created_at, updated_at)
			SELECT gen_random_uuid(), 'invited-' || u.email, ?, 'CONTRIBUTOR', ?,
				CASE WHEN row_number() OVER () % 2 = 0 THEN u.id END, sha256(u.id::text::bytea), 'PENDING', now() + interval '1 day', now(), now()
			FROM users u WHERE u.email LIKE ? || '-%'`, project, ownerID, prefix)
	}
	if err != nil {
		t.Fatal(err)
	}

	db, counter := pgtest.CountingDB(t)
	h := newHandlerOn(t, db)
	// The statements: the session; the project with the viewer's role, which authorises the
	// page; the page (the members' users in it); and each loader that the items need (the
	// members' and invites' project, the inviters and invitees).
	for _, tc := range []struct {
		name, query, list string
		statements        int
	}{
		{"MembersWithUsers", `query($p: ID!, $n: Int) { project(id: $p) { members(first: $n) { edges { node { role user { email name } project { name } } } } } }`, "members", 4},
		{"InvitesWithInviterInviteeProject", `query($p: ID!, $n: Int) { project(id: $p) { invites(first: $n) { edges { node { email inviter { name } invitee { name } project { name viewerRole } } } } } }`, "invites", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts := map[int]int{}
			for _, n := range []int{10, 100} {
				counter.Reset()
				var d struct {
					Project map[string]struct{ Edges []json.RawMessage }
				}
				ok(t, do(t, h, owner, tc.query, map[string]any{"p": project, "n": n}), &d)
				if got := len(d.Project[tc.list].Edges); got != n {
					t.Fatalf("%d items, want %d", got, n)
				}
				counts[n] = counter.Count()
			}
			t.Logf("statements: %d for 10 items, %d for 100", counts[10], counts[100])
			if counts[100] > tc.statements {
				t.Errorf("%d statements for a page of 100, want at most %d:\n%s", counts[100], tc.statements, strings.Join(counter.Statements(), "\n"))
			}
			if counts[10] != counts[100] {
				t.Errorf("statements grow with the page: %d for 10, %d for 100:\n%s", counts[10], counts[100], strings.Join(counter.Statements(), "\n"))
			}
		})
	}
}
