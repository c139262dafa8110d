package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const pageFields = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }`

// relayPage is one page of a connection as a client reads it; a cursor is nil when null, to be
// sent back as a variable as it came.
type relayPage struct {
	ids, cursors        []string
	total               int
	hasNext, hasPrev    bool
	startCursor, endCur any
}

// connectionData is pageFields' answer.
type connectionData struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	Edges []struct {
		Cursor string
		Node   struct{ ID string }
	}
}

// TestConnections_BackwardEqualsForward walks every connection forward (first, after) and
// backward (last, before) at several page sizes, over lists with ties in created_at: both walks
// give exactly the full list, in the same order, and the page boundaries meet (the page before
// a forward page's startCursor is the previous forward page).
func TestConnections_BackwardEqualsForward(t *testing.T) {
	h := newHandler(t)
	owner := signUp(t, h, uniqueEmail("pager"))
	project := newProject(t, h, owner, "Paged")
	ownerID := myID(t, h, owner)

	// Seven of each, written directly, several sharing one created_at so that the ID breaks
	// the tie: that is where a backward page could disagree with a forward one.
	prefix := strings.TrimSuffix(uniqueEmail("paged"), "@example.com")
	stmts := []string{
		`INSERT INTO projects (id, name, created_at)
			SELECT gen_random_uuid(), 'P' || n, '2026-01-01'::timestamptz + (n % 3) * interval '1 second' FROM generate_series(1, 6) n`,
		`INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at)
			SELECT gen_random_uuid(), p.id, ?1, 'ADMIN', now(), now() FROM projects p WHERE p.name LIKE 'P_' AND NOT EXISTS
				(SELECT 1 FROM project_members m WHERE m.project_id = p.id)`,
		`WITH u AS (INSERT INTO users (id, email, name, password_hash, created_at)
			SELECT gen_random_uuid(), ?2 || '-' || n || '@example.com', 'Person ' || n, 'x', now() FROM generate_series(1, 6) n RETURNING id, email)
			INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at)
			SELECT gen_random_uuid(), ?0, u.id, 'CONTRIBUTOR', '2026-01-01'::timestamptz + (length(u.email) % 2) * interval '1 second', now() FROM u`,
		`INSERT INTO invites (id, email, project_id, role, inviter_id, token_hash, status, expires_at, created_at, updated_at)
			SELECT gen_random_uuid(), ?2 || '-inv' || n || '@example.com', ?0, 'CONTRIBUTOR', ?1, sha256(n::text::bytea || ?2::bytea), 'PENDING',
				now() + interval '1 day', '2026-01-01'::timestamptz + (n % 2) * interval '1 second', now() FROM generate_series(1, 7) n`,
		`INSERT INTO activity_events (id, project_id, name, actor_id, created_at)
			SELECT gen_random_uuid(), ?0, 'Updated Member', ?1, '2026-01-01'::timestamptz + (n % 3) * interval '1 second' FROM generate_series(1, 7) n`,
	}
	for _, q := range stmts {
		if _, err := pgDB(t).ExecContext(ctxBG, q, project, ownerID, prefix); err != nil {
			t.Fatal(err)
		}
	}

	args := `$f: Int, $a: String, $l: Int, $b: String`
	conn := `(first: $f, after: $a, last: $l, before: $b)`
	// Each query names its connection c, at the top or in the project.
	connections := []struct {
		name  string
		query string
		total int
	}{
		{"projects", `query(` + args + `) { c: projects` + conn + ` { ` + pageFields + ` } }`, 7},
		{"members", `query($p: ID!, ` + args + `) { project(id: $p) { c: members` + conn + ` { ` + pageFields + ` } } }`, 7},
		{"invites", `query($p: ID!, ` + args + `) { project(id: $p) { c: invites` + conn + ` { ` + pageFields + ` } } }`, 7},
		{"activity", `query($p: ID!, ` + args + `) { project(id: $p) { c: activity` + conn + ` { ` + pageFields + ` } } }`, 7},
	}
	for _, c := range connections {
		t.Run(c.name, func(t *testing.T) {
			page := func(vars map[string]any) relayPage {
				t.Helper()
				vars["p"] = project
				var d struct {
					C       *connectionData
					Project *struct{ C *connectionData }
				}
				ok(t, do(t, h, owner, c.query, vars), &d)
				conn := d.C
				if d.Project != nil {
					conn = d.Project.C
				}
				if conn == nil {
					t.Fatalf("no connection c in %+v", d)
				}
				var p relayPage
				for _, e := range conn.Edges {
					p.ids = append(p.ids, e.Node.ID)
					p.cursors = append(p.cursors, e.Cursor)
				}
				p.total = conn.TotalCount
				p.hasNext, p.hasPrev = conn.PageInfo.HasNextPage, conn.PageInfo.HasPreviousPage
				p.startCursor, p.endCur = orNil(conn.PageInfo.StartCursor), orNil(conn.PageInfo.EndCursor)
				if p.total != c.total {
					t.Fatalf("totalCount = %v, want %d", p.total, c.total)
				}
				if len(p.ids) == 0 {
					if p.startCursor != nil || p.endCur != nil {
						t.Errorf("empty page with cursors %v, %v", p.startCursor, p.endCur)
					}
				} else if p.startCursor != p.cursors[0] || p.endCur != p.cursors[len(p.cursors)-1] {
					t.Errorf("startCursor %v, endCursor %v; edges' cursors %v", p.startCursor, p.endCur, p.cursors)
				}
				return p
			}

			// The list in full, and with neither first nor last: the first 50, which is all.
			full := page(map[string]any{"f": 100})
			if len(full.ids) != c.total || full.hasNext || full.hasPrev {
				t.Fatalf("full list: %d items, hasNext %v, hasPrev %v", len(full.ids), full.hasNext, full.hasPrev)
			}
			if d := page(map[string]any{}); !slices.Equal(d.ids, full.ids) {
				t.Errorf("default page %v, want %v", d.ids, full.ids)
			}
			if last := page(map[string]any{"l": 100}); !slices.Equal(last.ids, full.ids) || last.hasNext || last.hasPrev {
				t.Errorf("last: 100 = %v (next %v, prev %v), want %v", last.ids, last.hasNext, last.hasPrev, full.ids)
			}

			for _, n := range []int{1, 2, 3, c.total - 1, c.total, c.total + 1} {
				t.Run(fmt.Sprint("size", n), func(t *testing.T) {
					// Forward.
					var fwd []relayPage
					var walked []string
					after := any(nil)
					for len(fwd) <= c.total {
						p := page(map[string]any{"f": n, "a": after})
						if len(p.ids) > n {
							t.Fatalf("%d items on a page of %d", len(p.ids), n)
						}
						if p.hasPrev != (after != nil) {
							t.Errorf("forward page %d: hasPreviousPage = %v", len(fwd), p.hasPrev)
						}
						fwd, walked = append(fwd, p), append(walked, p.ids...)
						if !p.hasNext {
							break
						}
						after = p.endCur
					}
					if !slices.Equal(walked, full.ids) {
						t.Fatalf("forward walk %v, want %v", walked, full.ids)
					}
					if want := (c.total + n - 1) / n; len(fwd) != want {
						t.Errorf("forward walk took %d pages, want %d", len(fwd), want)
					}

					// Backward, from the end.
					var bwd []relayPage
					walked = nil
					before := any(nil)
					for len(bwd) <= c.total {
						p := page(map[string]any{"l": n, "b": before})
						if len(p.ids) > n {
							t.Fatalf("%d items on a page of %d", len(p.ids), n)
						}
						if p.hasNext != (before != nil) {
							t.Errorf("backward page %d: hasNextPage = %v", len(bwd), p.hasNext)
						}
						bwd, walked = append(bwd, p), append(slices.Clone(p.ids), walked...)
						if !p.hasPrev {
							break
						}
						before = p.startCursor
					}
					if !slices.Equal(walked, full.ids) {
						t.Fatalf("backward walk %v, want %v", walked, full.ids)
					}
					if last := bwd[0].ids; !slices.Equal(last, full.ids[max(0, c.total-n):]) {
						t.Errorf("last %d = %v, want the list's last %d", n, last, n)
					}

					// The boundaries meet: backward from a forward page's start is the page
					// before it, and forward from a backward page's end is the page after it.
					for i := 1; i < len(fwd); i++ {
						p := page(map[string]any{"l": n, "b": fwd[i].startCursor})
						if !slices.Equal(p.ids, fwd[i-1].ids) || p.hasPrev != (i > 1) || !p.hasNext {
							t.Errorf("last %d before forward page %d = %v (prev %v, next %v), want %v", n, i, p.ids, p.hasPrev, p.hasNext, fwd[i-1].ids)
						}
					}
					for i := 1; i < len(bwd); i++ {
						p := page(map[string]any{"f": n, "a": bwd[i].endCur})
						if !slices.Equal(p.ids, bwd[i-1].ids) || !p.hasPrev || p.hasNext != (i > 1) {
							t.Errorf("first %d after backward page %d = %v (prev %v, next %v), want %v", n, i, p.ids, p.hasPrev, p.hasNext, bwd[i-1].ids)
						}
					}
				})
			}

			// Empty pages: first 0 and last 0 say whether items lie beyond.
			if p := page(map[string]any{"f": 0}); len(p.ids) != 0 || !p.hasNext || p.hasPrev {
				t.Errorf("first: 0 = %v (next %v, prev %v)", p.ids, p.hasNext, p.hasPrev)
			}
			if p := page(map[string]any{"l": 0}); len(p.ids) != 0 || !p.hasPrev || p.hasNext {
				t.Errorf("last: 0 = %v (next %v, prev %v)", p.ids, p.hasNext, p.hasPrev)
			}
		})
	}
}

// TestComplexity_BackwardAndNodes: a backward page is priced like a forward one, a negative
// size (refused when it runs) lowers no other field's price, and nodes counts each ID.
func TestComplexity_BackwardAndNodes(t *testing.T) {
	h := newHandler(t)
	token := signUp(t, h, uniqueEmail("priced"))
	project := newProject(t, h, token, "Priced")
	over := func(t *testing.T, q string, vars map[string]any) {
		t.Helper()
		e := wantCode(t, do(t, h, token, q, vars), "BAD_USER_INPUT")
		if e.Extensions.Reason != "COMPLEXITY_LIMIT_EXCEEDED" {
			t.Errorf("error = %+v, want COMPLEXITY_LIMIT_EXCEEDED", e)
		}
	}
	backward := `{ projects(last: 100) { edges { node { members(last: 100) { edges { node { role user { email name } } } } } } } }`
	over(t, backward, nil)
	ok(t, do(t, h, token, strings.ReplaceAll(backward, "last: 100", "last: 10"), nil), nil)

	over(t, `{ a: projects(first: -1000000) { totalCount }
		projects(first: 100) { edges { node { members(first: 100) { edges { node { role user { email name } } } } } } } }`, nil)

	ids := make([]string, 100)
	for i := range ids {
		ids[i] = project
	}
	q := `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Project { members(first: 100) { edges { node { role user { email } } } } } } }`
	over(t, q, map[string]any{"ids": ids})
	var d struct {
		Nodes []struct {
			Members struct {
				Edges []struct {
					Node struct {
						Role string
						User struct{ Email string }
					}
				}
			}
		}
	}
	if gql(t, h, token, q, map[string]any{"ids": ids[:5]}, &d); len(d.Nodes) != 5 {
		t.Errorf("nodes = %+v", d.Nodes)
	}
}
