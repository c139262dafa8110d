package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/invites/invites/internal/pgtest"
)

// TestConnection_CountsOnlyWhatIsSelected: totalCount, and the flag behind the cursor a page
// starts from, cost a statement (together) only when the query selects them, through
// fragments too; what is selected reads as with everything selected.
func TestConnection_CountsOnlyWhatIsSelected(t *testing.T) {
	plain := newHandler(t)
	owner := signUpVerified(t, plain, uniqueEmail("owner"))
	project := newProject(t, plain, owner, "Counted")
	ownerID := myID(t, plain, owner)
	seedCrowd(t, project, ownerID, 4) // 5 members with the owner, 4 invites

	db, counter := pgtest.CountingDB(t)
	h := newHandlerOn(t, db)
	var first struct {
		Project struct {
			Members struct{ Edges []struct{ Cursor string } }
		}
	}
	gql(t, h, owner, `query($p: ID!) { project(id: $p) { members(first: 1) { edges { cursor } } } }`, map[string]any{"p": project}, &first)
	after := first.Project.Members.Edges[0].Cursor

	const prefix = `query($p: ID!, $a: String) { project(id: $p) { members(first: 2, after: $a) { edges { cursor } `
	tests := []struct {
		name      string
		selection string
		extra     int // statements beyond the page's
	}{
		{"Neither", `pageInfo { hasNextPage endCursor }`, 0},
		{"Total", `totalCount pageInfo { hasNextPage }`, 1},
		{"FlagBehind", `pageInfo { hasPreviousPage }`, 1},
		{"FlagBehindInFragment", `pageInfo { ...Flags }`, 1},
		{"Both", `totalCount pageInfo { ...Flags }`, 1},
	}
	counts := map[string]int{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			counter.Reset()
			query := prefix + tc.selection + ` } } }`
			if strings.Contains(tc.selection, "...Flags") {
				query += ` fragment Flags on PageInfo { hasPreviousPage hasNextPage }`
			}
			// Pointers: a field the query does not select stays nil.
			var d struct {
				Project struct {
					Members struct {
						Edges      []struct{ Cursor string }
						TotalCount *int
						PageInfo   struct {
							HasPreviousPage *bool
							HasNextPage     *bool
							EndCursor       *string
						}
					}
				}
			}
			ok(t, do(t, h, owner, query, map[string]any{"p": project, "a": after}), &d)
			counts[tc.name] = counter.Count()
			conn := d.Project.Members
			if n := len(conn.Edges); n != 2 {
				t.Errorf("%d edges, want 2", n)
			}
			if conn.TotalCount != nil && *conn.TotalCount != 5 {
				t.Errorf("totalCount = %v, want 5", *conn.TotalCount)
			}
			if prev := conn.PageInfo.HasPreviousPage; prev != nil && !*prev {
				t.Errorf("hasPreviousPage = false after the first member, want true")
			}
			if next := conn.PageInfo.HasNextPage; next != nil && !*next {
				t.Errorf("hasNextPage = false with 2 of 5 members after the first, want true")
			}
		})
	}
	for _, tc := range tests {
		if got, want := counts[tc.name], counts["Neither"]+tc.extra; got != want {
			t.Errorf("%s: %d statements, want %d (%d for the page alone)", tc.name, got, want, counts["Neither"])
		}
	}
}

// TestInlineLists_StatementsDoNotGrow: the lists that marshal their items inline read only
// loaders their resolver primed, so a longer list costs no more statements (an unprimed
// loader would query once per item, with no other goroutine to batch with).
func TestInlineLists_StatementsDoNotGrow(t *testing.T) {
	plain := newHandler(t)
	invitee := uniqueEmail("invitee")
	inviteeToken := signUpVerified(t, plain, invitee)
	db, counter := pgtest.CountingDB(t)
	h := newHandlerOn(t, db)
	queries := map[string]string{
		"MyInvites": `{ myInvites { id role project { id name viewerRole } inviter { name } invitee { email } } }`,
		"Projects":  `{ projects(first: 10) { edges { cursor node { id name viewerRole } } } }`,
	}
	counts := map[string][]int{}
	for n := 1; n <= 3; n++ {
		// One more inviter, project and invite; and one more project of the invitee's.
		owner := signUpVerified(t, plain, uniqueEmail("owner"))
		project := newProject(t, plain, owner, "Inviting")
		invite(t, plain, owner, project, invitee, "CONTRIBUTOR", "")
		newProject(t, plain, inviteeToken, "Mine")
		for name, q := range queries {
			counter.Reset()
			var d struct {
				MyInvites []json.RawMessage
				Projects  struct{ Edges []json.RawMessage }
			}
			r := do(t, h, inviteeToken, q, nil)
			counts[name] = append(counts[name], counter.Count())
			ok(t, r, &d)
			if name == "MyInvites" && len(d.MyInvites) != n {
				t.Fatalf("%d invites, want %d", len(d.MyInvites), n)
			}
			if name == "Projects" && len(d.Projects.Edges) != n {
				t.Fatalf("%d projects, want %d", len(d.Projects.Edges), n)
			}
		}
	}
	for name, c := range counts {
		if c[0] != c[1] || c[1] != c[2] {
			t.Errorf("%s: statements %v for 1, 2, 3 items, want the same", name, c)
		}
	}
}
