package graph_test

import (
	"testing"

	"github.com/invites/invites/internal/invites"
)

// TestServiceProject_Invisible: the service project (docs/scaling.md), which owns invites to
// the service alone, is no project to anyone: an invite to the service answers project null,
// and the service project's ID reads as unknown wherever a project is named.
func TestServiceProject_Invisible(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	newProject(t, h, owner, "Visible")
	service := invites.ServiceProjectID.String()

	var created struct {
		CreateInvite struct {
			ID      string
			Project *struct{ ID string }
		}
	}
	gql(t, h, owner, `mutation($i: CreateInviteInput!) { createInvite(input: $i) { id project { id } } }`,
		map[string]any{"i": map[string]any{"email": uniqueEmail("guest")}}, &created)
	if created.CreateInvite.ID == "" || created.CreateInvite.Project != nil {
		t.Errorf("an invite to the service alone: %+v, want project null", created.CreateInvite)
	}

	var d struct {
		Node     *nodeData
		Nodes    []*nodeData
		Project  *struct{ ID string }
		Projects struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	gql(t, h, owner, `query($id: ID!) { node(id: $id) { __typename id } nodes(ids: [$id]) { __typename id }
		project(id: $id) { id } projects { edges { node { id } } } }`, map[string]any{"id": service}, &d)
	if d.Node != nil || len(d.Nodes) != 1 || d.Nodes[0] != nil || d.Project != nil {
		t.Errorf("node, nodes and project of the service project's ID = %+v, %+v, %+v; want null", d.Node, d.Nodes, d.Project)
	}
	if len(d.Projects.Edges) != 1 || d.Projects.Edges[0].Node.ID == service {
		t.Errorf("projects = %+v, want the owner's one project", d.Projects.Edges)
	}

	for _, m := range []struct{ name, query string }{
		{"createInvite", `mutation($id: ID!) { createInvite(input: {email: "x@example.com", projectId: $id, role: CONTRIBUTOR}) { id } }`},
		{"createInviteLink", `mutation($id: ID!) { createInviteLink(input: {projectId: $id, role: CONTRIBUTOR}) { url } }`},
		{"requestToJoin", `mutation($id: ID!) { requestToJoin(input: {projectId: $id}) { id } }`},
	} {
		t.Run(m.name, func(t *testing.T) {
			wantCode(t, do(t, h, owner, m.query, map[string]any{"id": service}), "NOT_FOUND")
		})
	}
}
