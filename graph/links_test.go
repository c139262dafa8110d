package graph_test

import (
	"strings"
	"testing"
	"time"
)

const createInviteLink = `mutation($i: CreateInviteLinkInput!) { createInviteLink(input: $i) {
	url link { id role maxUses uses expiresAt allowedEmailDomains status createdAt createdBy { id } project { id } } } }`

// createdLink is createInviteLink's answer.
type createdLink struct {
	CreateInviteLink struct {
		URL  string
		Link struct {
			ID, Role, Status     string
			MaxUses              *int
			Uses                 int
			ExpiresAt, CreatedAt string
			AllowedEmailDomains  []string
			CreatedBy            struct{ ID string }
			Project              struct{ ID string }
		}
	}
}

// TestInviteLinks runs a link's life through the API: created by an admin, previewed by
// anyone with the token, joined, listed, fetched by ID where its project's admins may, and
// revoked; and the contract's codes for what the domain refuses.
func TestInviteLinks(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Linked")
	admin := join(t, h, owner, project, uniqueEmail("admin"), "ADMIN", "")
	contributor := join(t, h, owner, project, uniqueEmail("contrib"), "CONTRIBUTOR", "")

	var c createdLink
	gql(t, h, admin, createInviteLink, map[string]any{"i": map[string]any{
		"projectId": project, "role": "CONTRIBUTOR", "maxUses": 2, "allowedEmailDomains": []string{"@Example.com"},
	}}, &c)
	link := c.CreateInviteLink.Link
	token, found := strings.CutPrefix(c.CreateInviteLink.URL, "https://app.example/join/")
	if !found || len(token) != 43 {
		t.Fatalf("url = %q, want https://app.example/join/<43 characters>", c.CreateInviteLink.URL)
	}
	if link.Role != "CONTRIBUTOR" || link.Status != "ACTIVE" || link.Uses != 0 || link.MaxUses == nil || *link.MaxUses != 2 ||
		len(link.AllowedEmailDomains) != 1 || link.AllowedEmailDomains[0] != "example.com" ||
		link.CreatedBy.ID != myID(t, h, admin) || link.Project.ID != project {
		t.Fatalf("link = %+v", link)
	}

	t.Run("Preview", func(t *testing.T) {
		var d struct {
			InviteLink *struct {
				ProjectName, InviterName, Role, Status string
				ExpiresAt                              string
				AllowedEmailDomains                    []string
			}
		}
		const q = `query($t: String!) { inviteLink(token: $t) { projectName inviterName role status expiresAt allowedEmailDomains } }`
		gql(t, h, "", q, map[string]any{"t": token}, &d)
		if p := d.InviteLink; p == nil || p.ProjectName != "Linked" || p.InviterName != "Member ADMIN" || p.Role != "CONTRIBUTOR" ||
			p.Status != "ACTIVE" || p.ExpiresAt != link.ExpiresAt || len(p.AllowedEmailDomains) != 1 {
			t.Fatalf("preview = %+v", d.InviteLink)
		}
		d.InviteLink = nil
		gql(t, h, "", q, map[string]any{"t": "unknown"}, &d)
		if d.InviteLink != nil {
			t.Fatalf("preview of an unknown token = %+v, want null", d.InviteLink)
		}
	})

	const joinQ = `mutation($t: String!) { joinWithLink(token: $t) { id role user { id } project { id } } }`
	t.Run("Join", func(t *testing.T) {
		wantCode(t, do(t, h, "", joinQ, map[string]any{"t": token}), "UNAUTHENTICATED")
		wantCode(t, do(t, h, signUp(t, h, uniqueEmail("unverified")), joinQ, map[string]any{"t": token}), "EMAIL_NOT_VERIFIED")
		elsewhere := signUpVerified(t, h, strings.Replace(uniqueEmail("other"), "@example.com", "@other.org", 1))
		wantCode(t, do(t, h, elsewhere, joinQ, map[string]any{"t": token}), "EMAIL_DOMAIN_NOT_ALLOWED")
		wantCode(t, do(t, h, elsewhere, joinQ, map[string]any{"t": "unknown"}), "NOT_FOUND")

		joiner := signUpVerified(t, h, uniqueEmail("joiner"))
		var d struct {
			JoinWithLink struct {
				ID, Role string
				User     struct{ ID string }
				Project  struct{ ID string }
			}
		}
		gql(t, h, joiner, joinQ, map[string]any{"t": token}, &d)
		if d.JoinWithLink.Role != "CONTRIBUTOR" || d.JoinWithLink.User.ID != myID(t, h, joiner) || d.JoinWithLink.Project.ID != project {
			t.Fatalf("joinWithLink = %+v", d.JoinWithLink)
		}
		// A member joining again keeps the membership; the owner is a member too.
		gql(t, h, joiner, joinQ, map[string]any{"t": token}, &d)
		gql(t, h, owner, joinQ, map[string]any{"t": token}, &d)
		if d.JoinWithLink.Role != "OWNER" {
			t.Fatalf("the owner's membership = %+v, want OWNER kept", d.JoinWithLink)
		}
		gql(t, h, signUpVerified(t, h, uniqueEmail("second")), joinQ, map[string]any{"t": token}, &d)
		wantCode(t, do(t, h, signUpVerified(t, h, uniqueEmail("third")), joinQ, map[string]any{"t": token}), "INVITE_NOT_PENDING")
	})

	const listQ = `query($p: ID!) { project(id: $p) { inviteLinks(first: 20) { totalCount pageInfo { hasNextPage } edges { cursor node { id status uses } } } } }`
	type listData struct {
		Project struct {
			InviteLinks struct {
				TotalCount int
				PageInfo   struct{ HasNextPage bool }
				Edges      []struct {
					Cursor string
					Node   struct {
						ID, Status string
						Uses       int
					}
				}
			}
		}
	}
	t.Run("List", func(t *testing.T) {
		var d listData
		gql(t, h, owner, listQ, map[string]any{"p": project}, &d)
		l := d.Project.InviteLinks
		if l.TotalCount != 1 || len(l.Edges) != 1 || l.Edges[0].Node.ID != link.ID || l.Edges[0].Node.Status != "USED_UP" || l.Edges[0].Node.Uses != 2 {
			t.Fatalf("inviteLinks = %+v", l)
		}
		wantCode(t, do(t, h, contributor, listQ, map[string]any{"p": project}), "FORBIDDEN")
	})

	t.Run("Node", func(t *testing.T) {
		const q = `query($id: ID!) { node(id: $id) { __typename id ... on InviteLink { role uses maxUses linkStatus: status } } }`
		var d struct {
			Node *struct {
				Typename   string `json:"__typename"`
				ID, Role   string
				Uses       int
				MaxUses    *int
				LinkStatus string
			}
		}
		for _, v := range []struct {
			name, token string
			seen        bool
		}{{"Owner", owner, true}, {"Admin", admin, true}, {"Contributor", contributor, false}, {"Anonymous", "", false}} {
			d.Node = nil
			gql(t, h, v.token, q, map[string]any{"id": link.ID}, &d)
			if (d.Node != nil) != v.seen {
				t.Fatalf("%s: node = %+v, want seen %v", v.name, d.Node, v.seen)
			}
			if v.seen && (d.Node.Typename != "InviteLink" || d.Node.ID != link.ID || d.Node.Uses != 2 || d.Node.LinkStatus != "USED_UP") {
				t.Fatalf("%s: node = %+v", v.name, d.Node)
			}
		}
	})

	t.Run("Revoke", func(t *testing.T) {
		var fresh createdLink
		gql(t, h, owner, createInviteLink, map[string]any{"i": map[string]any{"projectId": project, "role": "ADMIN"}}, &fresh)
		const q = `mutation($id: ID!) { revokeInviteLink(id: $id) { id status } }`
		id := fresh.CreateInviteLink.Link.ID
		wantCode(t, do(t, h, admin, q, map[string]any{"id": id}), "FORBIDDEN")
		wantCode(t, do(t, h, admin, q, map[string]any{"id": "not-an-id"}), "NOT_FOUND")
		var d struct{ RevokeInviteLink struct{ ID, Status string } }
		gql(t, h, owner, q, map[string]any{"id": id}, &d)
		if d.RevokeInviteLink.Status != "REVOKED" {
			t.Fatalf("revokeInviteLink = %+v", d.RevokeInviteLink)
		}
		wantCode(t, do(t, h, owner, q, map[string]any{"id": id}), "INVITE_NOT_PENDING")
		joinToken := strings.TrimPrefix(fresh.CreateInviteLink.URL, "https://app.example/join/")
		wantCode(t, do(t, h, signUpVerified(t, h, uniqueEmail("late")), joinQ, map[string]any{"t": joinToken}), "INVITE_NOT_PENDING")
	})

	t.Run("BadInput", func(t *testing.T) {
		cases := []struct {
			name  string
			input map[string]any
			code  string
			field string
		}{
			{"MaxUsesZero", map[string]any{"maxUses": 0}, "BAD_USER_INPUT", "maxUses"},
			{"ExpiresInThePast", map[string]any{"expiresAt": time.Now().Add(-time.Hour).Format(time.RFC3339)}, "BAD_USER_INPUT", "expiresAt"},
			{"ExpiresBeyond30Days", map[string]any{"expiresAt": time.Now().Add(31 * 24 * time.Hour).Format(time.RFC3339)}, "BAD_USER_INPUT", "expiresAt"},
			{"NotADomain", map[string]any{"allowedEmailDomains": []string{"not a domain"}}, "BAD_USER_INPUT", "allowedEmailDomains"},
			{"RoleAtOwnLevel", map[string]any{"role": "ADMIN"}, "FORBIDDEN", ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := map[string]any{"projectId": project, "role": "CONTRIBUTOR"}
				for k, v := range tc.input {
					in[k] = v
				}
				e := wantCode(t, do(t, h, admin, createInviteLink, map[string]any{"i": in}), tc.code)
				if e.Extensions.Field != tc.field {
					t.Fatalf("field = %q, want %q", e.Extensions.Field, tc.field)
				}
			})
		}
	})
}
