package main

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The GraphQL documents measured. The member page asks both servers for the same data: a
// project's 100 newest members, each with the user's ID, email and name.
const (
	meQuery = `{ me { id email name emailVerified } }`

	membersQuery = `query Members($id: ID!) { project(id: $id) { members(first: 100) { edges { node {
  id role externalId createdAt updatedAt user { id email name } } } } } }`

	// PostGraphile's names for the same tables: projectById, the project_members rows by their
	// foreign key to projects, and each one's user by its foreign key to users.
	postgraphileMembersQuery = `query Members($id: UUID!) { projectById(id: $id) {
  projectMembersByProjectId(first: 100, orderBy: [CREATED_AT_DESC, ID_DESC]) { nodes {
  id role externalId createdAt updatedAt userByUserId { id email name } } } } }`

	invitesQuery = `query Invites($id: ID!, $after: String) { project(id: $id) { invites(first: 100, after: $after) {
  %s edges { node { id email role externalId status deliveryStatus expiresAt createdAt } }
  pageInfo { endCursor hasNextPage } } } }`

	// The same first page of invites from PostGraphile, with the count: the invites by their
	// foreign key to projects, newest first, each with its latest email's status.
	postgraphileInvitesQuery = `query Invites($id: UUID!) { projectById(id: $id) {
  invitesByProjectId(first: 100, orderBy: [CREATED_AT_DESC, ID_DESC]) { totalCount nodes {
  id email role externalId status emailByEmailId { status } expiresAt createdAt }
  pageInfo { endCursor hasNextPage } } } }`

	createInviteMutation = `mutation Create($i: CreateInviteInput!) { createInvite(input: $i) { id status } }`
	acceptInviteMutation = `mutation Accept($i: InviteRefInput!) { acceptInvite(input: $i) { invite { id status } membership { role } } }`
)

// fixture is what the scenarios need from the seeded database.
type fixture struct {
	ours, theirs *process
	members      string // the member page's project, by our API's ID
	membersUUID  string // the same project's row ID, for PostGraphile
	invites      string // the project of 100,000 invites
	invitesUUID  string // the same project's row ID, for PostGraphile
	page50       string // the cursor after the 49th page of 100 invites
	acceptors    int
	created      atomic.Int64 // createInvite requests made
	accepted     atomic.Int64 // acceptInvite requests made
}

// scenario is one kind of request to one server.
type scenario struct {
	name  string
	group string // scenarios of one group are measured in turns, to be compared
	url   string
	next  request
	side  int // in a group: 0 ours, 1 PostGraphile's
}

// groups returns the scenarios whose names contain only (all with ""), in order, those of one
// group together.
func groups(list []scenario, only string) [][]scenario {
	var out [][]scenario
	index := map[string]int{}
	for _, sc := range list {
		if !strings.Contains(sc.name, only) {
			continue
		}
		key := cmp.Or(sc.group, sc.name)
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], sc)
	}
	return out
}

func (f *fixture) scenarios() []scenario {
	same := func(token string, body []byte) request {
		return func() ([]byte, string, bool) { return body, token, true }
	}
	query := func(q string, vars map[string]any) []byte {
		return mustJSON(map[string]any{"query": q, "variables": vars})
	}
	invites := func(count bool, after string) []byte {
		sel := ""
		if count {
			sel = "totalCount"
		}
		vars := map[string]any{"id": f.invites}
		if after != "" {
			vars["after"] = after
		}
		return query(fmt.Sprintf(invitesQuery, sel), vars)
	}
	ours := f.ours.base + "/graphql"
	list := []scenario{
		{"me", "", ours, same(ownerSession, query(meQuery, nil)), 0},
		{"member page (100, with users)", "member page", ours, same(ownerSession, query(membersQuery, map[string]any{"id": f.members})), 0},
	}
	if f.theirs != nil {
		list = append(list, scenario{"member page: PostGraphile", "member page", f.theirs.base + "/graphql",
			same("", query(postgraphileMembersQuery, map[string]any{"id": f.membersUUID})), 1})
	}
	list = append(list,
		scenario{"invites page 1 of 1,000, totalCount", "invites page with totalCount", ours, same(ownerSession, invites(true, "")), 0})
	if f.theirs != nil {
		list = append(list, scenario{"invites page 1 of 1,000, totalCount: PostGraphile", "invites page with totalCount", f.theirs.base + "/graphql",
			same("", query(postgraphileInvitesQuery, map[string]any{"id": f.invitesUUID})), 1})
	}
	list = append(list,
		scenario{"invites page 1 of 1,000", "", ours, same(ownerSession, invites(false, "")), 0},
		scenario{"invites page 50 of 1,000, totalCount", "", ours, same(ownerSession, invites(true, f.page50)), 0},
		scenario{"invites page 50 of 1,000", "", ours, same(ownerSession, invites(false, f.page50)), 0},
		scenario{"createInvite", "", ours, func() ([]byte, string, bool) {
			n := f.created.Add(1)
			return query(createInviteMutation, map[string]any{"i": map[string]any{
				"email": "new-" + strconv.FormatInt(n, 10) + "@loadtest.example", "projectId": f.members, "role": "CONTRIBUTOR",
			}}), ownerSession, true
		}, 0},
		scenario{"acceptInvite", "", ours, func() ([]byte, string, bool) {
			n := f.accepted.Add(1)
			if n > int64(f.acceptors) {
				return nil, "", false
			}
			i := strconv.FormatInt(n, 10)
			return query(acceptInviteMutation, map[string]any{"i": map[string]any{"token": fmt.Sprintf(acceptToken, i)}}),
				fmt.Sprintf(acceptSession, i), true
		}, 0},
	)
	return list
}

// prepare finds the seeded projects through the API, walks to the 50th page of invites, and
// checks that each read answers what it should, so that the figures measure real answers.
func prepare(ctx context.Context, ours, theirs *process, db *sql.DB, acceptors int) (*fixture, error) {
	f := &fixture{ours: ours, theirs: theirs, acceptors: acceptors}
	for name, id := range map[string]*string{membersName: &f.membersUUID, invitesName: &f.invitesUUID} {
		if err := db.QueryRowContext(ctx, "SELECT id FROM projects WHERE name = $1", name).Scan(id); err != nil {
			return nil, err
		}
	}
	c := newClient(1)
	var projects struct {
		Projects struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	if err := call(ctx, c, ours.base, ownerSession, `{ projects(first: 10) { edges { node { id name } } } }`, nil, &projects); err != nil {
		return nil, err
	}
	for _, e := range projects.Projects.Edges {
		switch e.Node.Name {
		case membersName:
			f.members = e.Node.ID
		case invitesName:
			f.invites = e.Node.ID
		}
	}
	if f.members == "" || f.invites == "" {
		return nil, fmt.Errorf("the owner's projects do not include the seeded ones: %+v", projects)
	}

	type invitePage struct {
		Project struct {
			Invites struct {
				TotalCount *int
				Edges      []json.RawMessage
				PageInfo   struct{ EndCursor string }
			}
		}
	}
	var after any
	for page := 1; page < 50; page++ {
		var p invitePage
		if err := call(ctx, c, ours.base, ownerSession, fmt.Sprintf(invitesQuery, ""), map[string]any{"id": f.invites, "after": after}, &p); err != nil {
			return nil, err
		}
		if len(p.Project.Invites.Edges) != 100 {
			return nil, fmt.Errorf("invites page %d has %d invites, want 100", page, len(p.Project.Invites.Edges))
		}
		after = p.Project.Invites.PageInfo.EndCursor
	}
	f.page50 = after.(string)
	var p invitePage
	if err := call(ctx, c, ours.base, ownerSession, fmt.Sprintf(invitesQuery, "totalCount"), map[string]any{"id": f.invites, "after": f.page50}, &p); err != nil {
		return nil, err
	}
	if len(p.Project.Invites.Edges) != 100 || p.Project.Invites.TotalCount == nil || *p.Project.Invites.TotalCount != seedInvites {
		return nil, fmt.Errorf("invites page 50: %d invites of %v, want 100 of %d", len(p.Project.Invites.Edges), p.Project.Invites.TotalCount, seedInvites)
	}

	var members struct {
		Project struct {
			Members struct {
				Edges []struct {
					Node struct{ User struct{ Email string } }
				}
			}
		}
	}
	if err := call(ctx, c, ours.base, ownerSession, membersQuery, map[string]any{"id": f.members}, &members); err != nil {
		return nil, err
	}
	if n := len(members.Project.Members.Edges); n != seedMembers || members.Project.Members.Edges[0].Node.User.Email == "" {
		return nil, fmt.Errorf("member page: %d members, want %d with their users", n, seedMembers)
	}
	if theirs != nil {
		var pg struct {
			ProjectByID struct {
				ProjectMembersByProjectID struct {
					Nodes []struct{ UserByUserID struct{ Email string } }
				}
			}
		}
		if err := call(ctx, c, theirs.base, "", postgraphileMembersQuery, map[string]any{"id": f.membersUUID}, &pg); err != nil {
			return nil, fmt.Errorf("PostGraphile: %w", err)
		}
		if n := len(pg.ProjectByID.ProjectMembersByProjectID.Nodes); n != seedMembers || pg.ProjectByID.ProjectMembersByProjectID.Nodes[0].UserByUserID.Email == "" {
			return nil, fmt.Errorf("PostGraphile's member page: %d members, want %d with their users", n, seedMembers)
		}
		var inv struct {
			ProjectByID struct {
				InvitesByProjectID struct {
					TotalCount int
					Nodes      []json.RawMessage
				}
			}
		}
		if err := call(ctx, c, theirs.base, "", postgraphileInvitesQuery, map[string]any{"id": f.invitesUUID}, &inv); err != nil {
			return nil, fmt.Errorf("PostGraphile: %w", err)
		}
		if got := inv.ProjectByID.InvitesByProjectID; len(got.Nodes) != 100 || got.TotalCount != seedInvites {
			return nil, fmt.Errorf("PostGraphile's invites page: %d invites of %d, want 100 of %d", len(got.Nodes), got.TotalCount, seedInvites)
		}
	}
	return f, nil
}

// call runs one GraphQL request and decodes its data into out; any error in the answer is one.
func call(ctx context.Context, c *http.Client, base, token, q string, vars map[string]any, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	status, body, err := post(ctx, c, base+"/graphql", mustJSON(map[string]any{"query": q, "variables": vars}), token)
	if err != nil {
		return err
	}
	var answer struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(body, &answer); err != nil || status != http.StatusOK || len(answer.Errors) > 0 {
		return fmt.Errorf("%s: %d %.500s", q, status, body)
	}
	return json.Unmarshal(answer.Data, out)
}
