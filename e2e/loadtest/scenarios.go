package main

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
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
