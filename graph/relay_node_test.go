package graph_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

const nodeQuery = `query($id: ID!) { node(id: $id) {
	__typename id
	... on User { email }
	... on Project { name viewerRole assignableRoles }
	... on ProjectUser { role externalId user { id } }
	... on UserInvite { email status }
	... on ActivityEvent { name }
	... on ProjectDomain { domain }
	... on JoinRequest { requestStatus: status }
} }`

// nodeData is a node of nodeQuery: the fields of every type it asks for, those of its
// __typename set.
type nodeData struct {
	Typename        string `json:"__typename"`
	ID              string
	Email           string
	Name            string
	ViewerRole      string
	AssignableRoles []string
	Role            string
	ExternalID      *string
	User            *struct{ ID string }
	Status          string
	Domain          string
	RequestStatus   string
}

// TestNode fetches each type by ID as each kind of viewer: the rules are those of the rest of
// the API (a project by its members, members by CONTRIBUTOR and above, invites and events by
// ADMIN and above, an invite also by its invitee), and anything else reads as null.
func TestNode(t *testing.T) {
	h := newHandler(t)
	ownerEmail := uniqueEmail("owner")
	owner := signUpVerified(t, h, ownerEmail)
	project := newProject(t, h, owner, "Nodes")
	admin := join(t, h, owner, project, uniqueEmail("admin"), "ADMIN", "")
	contributor := join(t, h, owner, project, uniqueEmail("contrib"), "CONTRIBUTOR", "")
	pending := join(t, h, owner, project, uniqueEmail("pending"), "PENDING", "")
	strangerEmail := uniqueEmail("stranger")
	stranger := signUpVerified(t, h, strangerEmail)
	newProject(t, h, stranger, "Elsewhere")

	// A pending invite to the stranger, who sees it as its invitee (myInvites).
	var created createdInvite
	gql(t, h, owner, createInvite, map[string]any{"i": map[string]any{"email": strangerEmail, "projectId": project, "role": "CONTRIBUTOR"}}, &created)
	inviteID := created.CreateInvite.ID

	// A domain of the project, and the stranger's request to join it through an approval link.
	var added struct{ AddProjectDomain struct{ ID string } }
	gql(t, h, owner, `mutation($p: ID!) { addProjectDomain(projectId: $p, domain: "nodes-example.com") { id } }`, map[string]any{"p": project}, &added)
	domainID := added.AddProjectDomain.ID
	var link createdLink
	gql(t, h, owner, createInviteLink, map[string]any{"i": map[string]any{"projectId": project, "role": "CONTRIBUTOR", "requiresApproval": true}}, &link)
	var asked struct{ RequestToJoin struct{ ID string } }
	gql(t, h, stranger, `mutation($t: String!) { requestToJoin(input: {linkToken: $t}) { id } }`,
		map[string]any{"t": strings.TrimPrefix(link.CreateInviteLink.URL, "https://app.example/join/")}, &asked)
	requestID := asked.RequestToJoin.ID

	ownerID, contributorID, strangerID := myID(t, h, owner), myID(t, h, contributor), myID(t, h, stranger)
	ok(t, do(t, h, owner, `mutation($p: ID!, $u: ID!) { updateMember(input: {projectId: $p, userId: $u, externalId: "O-1"}) { id } }`,
		map[string]any{"p": project, "u": ownerID}), nil)
	var d struct {
		Project struct {
			Members struct {
				Edges []struct {
					Node struct {
						ID   string
						User struct{ ID string }
					}
				}
			}
			Activity struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	gql(t, h, owner, `query($p: ID!) { project(id: $p) {
		members(first: 100) { edges { node { id user { id } } } }
		activity(first: 1) { edges { node { id } } } } }`, map[string]any{"p": project}, &d)
	var ownerMembership string
	for _, e := range d.Project.Members.Edges {
		if e.Node.User.ID == ownerID {
			ownerMembership = e.Node.ID
		}
	}
	if len(d.Project.Activity.Edges) != 1 {
		t.Fatalf("activity = %+v, want one event", d.Project.Activity)
	}
	eventID := d.Project.Activity.Edges[0].Node.ID
	node := func(t *testing.T, token, id string) *nodeData {
		t.Helper()
		var d struct{ Node *nodeData }
		gql(t, h, token, nodeQuery, map[string]any{"id": id}, &d)
		return d.Node
	}

	objects := []struct {
		name, id, typename string
		// seen by: owner, admin, contributor, pending, stranger
		seen [5]bool
	}{
		// The owner is the inviter of the pending member's (claimed) invite and of the
		// stranger's: an invitee sees who invited them.
		{"Owner", ownerID, "User", [5]bool{true, true, true, true, true}},
		{"Contributor", contributorID, "User", [5]bool{true, true, true, false, false}},
		{"Project", project, "Project", [5]bool{true, true, true, true, false}},
		{"Membership", ownerMembership, "ProjectUser", [5]bool{true, true, true, false, false}},
		{"Invite", inviteID, "UserInvite", [5]bool{true, true, false, false, true}},
		{"Event", eventID, "ActivityEvent", [5]bool{true, true, false, false, false}},
		{"Domain", domainID, "ProjectDomain", [5]bool{true, true, false, false, false}},
		// A request to join: its project's ADMIN and above, and the person who made it.
		{"JoinRequest", requestID, "JoinRequest", [5]bool{true, true, false, false, true}},
	}
	viewers := []struct{ name, token string }{{"Owner", owner}, {"Admin", admin}, {"Contributor", contributor}, {"Pending", pending}, {"Stranger", stranger}}
	for _, o := range objects {
		for i, v := range viewers {
			t.Run(o.name+"/As"+v.name, func(t *testing.T) {
				n := node(t, v.token, o.id)
				if !o.seen[i] {
					if n != nil {
						t.Fatalf("node = %+v, want null", n)
					}
					return
				}
				if n == nil || n.Typename != o.typename || n.ID != o.id {
					t.Fatalf("node = %+v, want the %s %s", n, o.typename, o.id)
				}
			})
		}
		t.Run(o.name+"/Anonymous", func(t *testing.T) {
			if n := node(t, "", o.id); n != nil {
				t.Errorf("node = %+v, want null", n)
			}
		})
	}

	t.Run("EveryoneSeesThemselves", func(t *testing.T) {
		if n := node(t, stranger, strangerID); n == nil || n.Typename != "User" || n.Email != strangerEmail {
			t.Errorf("node = %+v", n)
		}
	})

	t.Run("Fields", func(t *testing.T) {
		// A membership's external ID: seen by ADMIN and above and the member, as in members.
		for _, v := range []struct {
			token string
			want  any
		}{{owner, "O-1"}, {admin, "O-1"}, {contributor, nil}} {
			n := node(t, v.token, ownerMembership)
			if n == nil || n.Role != "OWNER" || orNil(n.ExternalID) != v.want || n.User == nil || n.User.ID != ownerID {
				t.Errorf("membership = %+v, want externalId %v", n, v.want)
			}
		}
		if n := node(t, contributor, project); n == nil || n.Name != "Nodes" || n.ViewerRole != "CONTRIBUTOR" {
			t.Errorf("project = %+v", n)
		}
		if n := node(t, stranger, inviteID); n == nil || n.Email != strangerEmail || n.Status != "PENDING" {
			t.Errorf("invite = %+v", n)
		}
		if n := node(t, admin, domainID); n == nil || n.Domain != "nodes-example.com" {
			t.Errorf("domain = %+v", n)
		}
		if n := node(t, stranger, requestID); n == nil || n.RequestStatus != "PENDING" {
			t.Errorf("request to join = %+v", n)
		}
	})

	t.Run("NotOurs", func(t *testing.T) {
		garbage := []string{"", "nope", "0", "00000000-0000-0000-0000-000000000000", uuid.NewString(),
			strings.ToUpper(project), "{" + project + "}", "urn:uuid:" + project, strings.ReplaceAll(project, "-", ""),
			base64.RawURLEncoding.EncodeToString([]byte("Project:" + project)), project + " ", strings.Repeat("x", 10000)}
		for _, id := range garbage {
			if n := node(t, owner, id); n != nil {
				t.Errorf("node(%.40q) = %+v, want null", id, n)
			}
		}
	})

	t.Run("Nodes", func(t *testing.T) {
		q := `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`
		type ref struct {
			Typename string `json:"__typename"`
			ID       string
		}
		nodes := func(token string, ids []string) []*ref {
			t.Helper()
			var d struct{ Nodes []*ref }
			gql(t, h, token, q, map[string]any{"ids": ids}, &d)
			return d.Nodes
		}
		in := []string{inviteID, "nope", project, eventID, uuid.NewString(), ownerID, project}
		list := nodes(owner, in)
		want := []string{"UserInvite", "", "Project", "ActivityEvent", "", "User", "Project"} // "": null
		if len(list) != len(want) {
			t.Fatalf("nodes = %v", list)
		}
		for i, n := range list {
			if want[i] == "" {
				if n != nil {
					t.Errorf("nodes[%d] = %+v, want null", i, n)
				}
			} else if n == nil || n.Typename != want[i] || n.ID != in[i] {
				t.Errorf("nodes[%d] = %+v, want the %s %s", i, n, want[i], in[i])
			}
		}
		// The contributor sees the project and the user, not the invite or the event.
		for i, n := range nodes(contributor, in) {
			if got, visible := n != nil, i == 2 || i == 5 || i == 6; got != visible {
				t.Errorf("contributor: nodes[%d] = %+v", i, n)
			}
		}
		if got := nodes(owner, []string{}); len(got) != 0 {
			t.Errorf("nodes([]) = %+v", got)
		}
		many := make([]string, 101)
		for i := range many {
			many[i] = project
		}
		e := wantCode(t, do(t, h, owner, q, map[string]any{"ids": many}), "BAD_USER_INPUT")
		if e.Extensions.Field != "ids" {
			t.Errorf("101 ids: %+v, want field ids", e)
		}
		if got := nodes(owner, many[:100]); len(got) != 100 || got[99] == nil || got[99].ID != project {
			t.Errorf("100 ids: %d nodes", len(got))
		}
	})

	t.Run("IDsAreAcceptedBack", func(t *testing.T) {
		// What node hands out is what the mutations take.
		n := node(t, owner, inviteID)
		if n == nil {
			t.Fatal("node(invite) = null")
		}
		var d struct{ RevokeInvite struct{ ID, Status string } }
		gql(t, h, owner, `mutation($id: ID!) { revokeInvite(id: $id) { id status } }`, map[string]any{"id": n.ID}, &d)
		if d.RevokeInvite.Status != "REVOKED" || d.RevokeInvite.ID != inviteID {
			t.Errorf("revokeInvite = %+v", d)
		}
	})
}

// TestProject_AssignableRoles: what each role may grant, lowest first, as the authority rule
// says; the same through project and node.
func TestProject_AssignableRoles(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Roles")
	tokens := map[string]string{"OWNER": owner}
	for _, role := range []string{"ADMIN", "CONTRIBUTOR", "PENDING"} {
		tokens[role] = join(t, h, owner, project, uniqueEmail(strings.ToLower(role)), role, "")
	}
	want := map[string][]string{
		"OWNER":       {"PENDING", "CONTRIBUTOR", "ADMIN"},
		"ADMIN":       {"PENDING", "CONTRIBUTOR"},
		"CONTRIBUTOR": {},
		"PENDING":     {},
	}
	for role, token := range tokens {
		t.Run(role, func(t *testing.T) {
			for _, q := range []string{
				`query($p: ID!) { x: project(id: $p) { viewerRole assignableRoles } }`,
				`query($p: ID!) { x: node(id: $p) { ... on Project { viewerRole assignableRoles } } }`,
			} {
				var d struct {
					X struct {
						ViewerRole      string
						AssignableRoles []string
					}
				}
				gql(t, h, token, q, map[string]any{"p": project}, &d)
				got := d.X.AssignableRoles
				if d.X.ViewerRole != role || !slices.Equal(got, want[role]) {
					t.Errorf("%s: assignableRoles = %v, want %v", role, got, want[role])
				}
			}
		})
	}
	// An ADMIN may invite as each role listed and as no other.
	for _, role := range []string{"PENDING", "CONTRIBUTOR", "ADMIN", "OWNER"} {
		r := do(t, h, tokens["ADMIN"], createInvite, map[string]any{"i": map[string]any{"email": uniqueEmail("as"), "projectId": project, "role": role}})
		if allowed := slices.Contains(want["ADMIN"], role); allowed != (len(r.Errors) == 0) {
			t.Errorf("ADMIN inviting as %s: errors %v, want allowed %v", role, r.Errors, allowed)
		}
	}
}

// TestConnections_ArgumentErrors: the arguments a connection refuses, with the argument named,
// on every connection.
func TestConnections_ArgumentErrors(t *testing.T) {
	h := newHandler(t)
	owner := signUp(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Args")
	cur := base64.RawURLEncoding.EncodeToString([]byte("1:" + uuid.NewString()))
	bad := base64.RawURLEncoding.EncodeToString([]byte("-9223372036854775808:" + uuid.NewString()))
	tests := []struct{ args, field string }{
		{`first: 1, last: 1`, "last"},
		{`after: "` + cur + `", before: "` + cur + `"`, "before"},
		{`first: 101`, "first"},
		{`last: 101`, "last"},
		{`first: -1`, "first"},
		{`last: -5`, "last"},
		{`after: "` + bad + `"`, "after"},
		{`last: 2, before: "` + bad + `"`, "before"},
		{`after: "garbage"`, "after"},
	}
	for _, list := range []string{"members", "invites", "activity", "projects"} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s(%s)", list, tt.args), func(t *testing.T) {
				q := `query($p: ID!) { project(id: $p) { ` + list + `(` + tt.args + `) { totalCount } } }`
				vars := map[string]any{"p": project}
				if list == "projects" {
					q, vars = `{ projects(`+tt.args+`) { totalCount } }`, nil
				}
				e := wantCode(t, do(t, h, owner, q, vars), "BAD_USER_INPUT")
				if e.Extensions.Field != tt.field {
					t.Errorf("error %+v, want field %s", e, tt.field)
				}
				if strings.Contains(e.Message, "SQLSTATE") || strings.Contains(e.Message, "displacement") {
					t.Errorf("message %q carries the database's words", e.Message)
				}
			})
		}
	}
}
