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

// TestBulkInvite_ResultsReadTheirReferencesOnce: a bulk invite's results marshal one after
// another (lists.go), so each reference their fields load must have been expected: the
// statements of an upload are the same for 10 rows as for 100, with every existing member's
// user (an account of its own for each row) and every new invite's inviter asked for.
func TestBulkInvite_ResultsReadTheirReferencesOnce(t *testing.T) {
	db, counter := pgtest.CountingDB(t)
	h := newHandlerOn(t, db)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	query := `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) { results {
		... on NewInvitation { invite { email inviter { name } project { name } } }
		... on ExistingMember { member { user { name } project { name } } } } } }`
	counts := map[int]int{}
	for _, n := range []int{10, 100} {
		project := newProject(t, h, owner, "Bulk")
		prefix := strings.TrimSuffix(uniqueEmail("bulk"), "@example.com")
		// Members of their own for n rows, written directly; n more rows are new invitations.
		_, err := pgDB(t).ExecContext(ctxBG, `
			WITH u AS (
				INSERT INTO users (id, email, name, password_hash, created_at)
				SELECT gen_random_uuid(), format('%s-%s@example.com', ?::text, lpad(n::text, 5, '0')), 'Person ' || n, 'x', now()
				FROM generate_series(0, ? - 1) n RETURNING id)
			INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at)
			SELECT gen_random_uuid(), ?, u.id, 'CONTRIBUTOR', now(), now() FROM u`, prefix, n, project)
		if err != nil {
			t.Fatal(err)
		}
		counter.Reset()
		r := upload(t, h, owner, query, map[string]any{"projectId": project}, bulkCSV(prefix, 2*n, 0))
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		if got := strings.Count(string(r.Data), `"user":{"name":"Person `); got != n {
			t.Fatalf("%d existing members with their user, want %d: %.300s", got, n, r.Data)
		}
		if got := strings.Count(string(r.Data), `"inviter":{"name"`); got != n {
			t.Fatalf("%d new invitations with their inviter, want %d: %.300s", got, n, r.Data)
		}
		// River's wake-up of the email workers is rate-limited by time, so it is left out.
		for _, st := range counter.Statements() {
			if !strings.Contains(st, "-- name: PGNotifyMany") {
				counts[n]++
			}
		}
	}
	if counts[10] != counts[100] {
		t.Errorf("statements grow with the rows: %d for 10, %d for 100:\n%s", counts[10], counts[100], strings.Join(counter.Statements(), "\n"))
	}
}
