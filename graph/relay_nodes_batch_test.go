package graph_test

import (
	"strings"
	"testing"

	"github.com/invites/invites/internal/pgtest"
)

// TestNodes_NoNPlusOne counts the SQL statements of nodes with what their selection names (a
// membership's user and project, an invite's inviter, invitee and project, an event's actor
// and invite, a request to join's person, decider and project): the same for 10 IDs as for 100.
func TestNodes_NoNPlusOne(t *testing.T) {
	plain := newHandler(t)
	owner := signUp(t, plain, uniqueEmail("owner"))
	project := newProject(t, plain, owner, "Many nodes")
	ownerID := myID(t, plain, owner)
	prefix := strings.TrimSuffix(uniqueEmail("node"), "@example.com")
	for _, q := range []string{
		`WITH u AS (INSERT INTO users (id, email, name, password_hash, created_at)
			SELECT gen_random_uuid(), ?2 || '-' || n || '@example.com', 'Person ' || n, 'x', now() FROM generate_series(1, 100) n RETURNING id)
			INSERT INTO project_members (id, project_id, user_id, role, created_at, updated_at)
			SELECT gen_random_uuid(), ?0, u.id, 'CONTRIBUTOR', now(), now() FROM u`,
		`INSERT INTO invites (id, email, project_id, role, inviter_id, invitee_id, token_hash, status, expires_at, created_at, updated_at)
			SELECT gen_random_uuid(), 'invited-' || u.email, ?0, 'CONTRIBUTOR', ?1, u.id, sha256(u.id::text::bytea), 'PENDING',
				now() + interval '1 day', now(), now() FROM users u WHERE u.email LIKE ?2 || '-%'`,
		`INSERT INTO activity_events (id, project_id, name, actor_id, invite_id, created_at)
			SELECT gen_random_uuid(), ?0, 'Updated Member', i.invitee_id, i.id, now() FROM invites i WHERE i.project_id = ?0`,
		`INSERT INTO join_requests (id, project_id, user_id, asked_role, status, decided_by, decided_at, expires_at, created_at, updated_at)
			SELECT gen_random_uuid(), ?0, u.id, 'CONTRIBUTOR', 'DENIED', ?1, now(), now() + interval '30 days', now(), now()
			FROM users u WHERE u.email LIKE ?2 || '-%'`,
	} {
		if _, err := pgDB(t).ExecContext(ctxBG, q, project, ownerID, prefix); err != nil {
			t.Fatal(err)
		}
	}
	var members, invs, events, requests []string
	for _, l := range []struct {
		table string
		ids   *[]string
	}{{"project_members", &members}, {"invites", &invs}, {"activity_events", &events}, {"join_requests", &requests}} {
		err := pgDB(t).NewSelect().TableExpr(l.table).Column("id").Where("project_id = ?", project).Limit(100).Scan(ctxBG, l.ids)
		if err != nil || len(*l.ids) != 100 {
			t.Fatalf("%s: %d ids, %v", l.table, len(*l.ids), err)
		}
	}

	// All four types in turn, so that 10 IDs hold each type as 100 do.
	var mixed []string
	for i := 0; len(mixed) < 100; i++ {
		mixed = append(mixed, []string{members[i], invs[i], events[i], requests[i]}[i%4])
	}

	db, counter := pgtest.CountingDB(t)
	h := newHandlerOn(t, db)
	q := `query($ids: [ID!]!) { nodes(ids: $ids) { id
		... on ProjectUser { role user { email } project { name } }
		... on UserInvite { email inviter { name } invitee { name } invitedTo: project { viewerRole } }
		... on ActivityEvent { name actor { name } invite { email } }
		... on JoinRequest { requestStatus: status asker: user { email } decidedBy { name } requestedTo: project { name } }
	} }`
	for _, tc := range []struct {
		name string
		ids  []string
	}{{"Members", members}, {"Invites", invs}, {"Events", events}, {"JoinRequests", requests}, {"Mixed", mixed}} {
		t.Run(tc.name, func(t *testing.T) {
			counts := map[int]int{}
			for _, n := range []int{10, 100} {
				counter.Reset()
				var d struct {
					Nodes []struct {
						ID, Role, Email, Name string
						User                  *struct{ Email string }
						Project               *struct{ Name string }
						Inviter, Invitee      *struct{ Name string }
						InvitedTo             *struct{ ViewerRole *string }
						Actor                 *struct{ Name string }
						Invite                *struct{ Email string }
						Asker                 *struct{ Email string }
						DecidedBy             *struct{ Name string }
						RequestedTo           *struct{ Name string }
						RequestStatus         string
					}
				}
				gql(t, h, owner, q, map[string]any{"ids": tc.ids[:n]}, &d)
				for i, node := range d.Nodes {
					if node.ID != tc.ids[i] {
						t.Fatalf("nodes[%d] = %+v, want %s", i, node, tc.ids[i])
					}
				}
				counts[n] = counter.Count()
			}
			t.Logf("statements: %d for 10 IDs, %d for 100", counts[10], counts[100])
			if counts[10] != counts[100] {
				t.Errorf("statements grow with the IDs: %d for 10, %d for 100:\n%s", counts[10], counts[100], strings.Join(counter.Statements(), "\n"))
			}
		})
	}
}
