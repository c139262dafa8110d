package graph_test

import (
	"net/http"
	"strings"
	"testing"
)

// newProject creates a project as token's user and returns its ID.
func newProject(t *testing.T, h http.Handler, token, name string) string {
	t.Helper()
	var d struct{ CreateProject struct{ ID string } }
	gql(t, h, token, `mutation($n: String!) { createProject(input: {name: $n}) { id } }`, map[string]any{"n": name}, &d)
	return d.CreateProject.ID
}

const createInvite = `mutation($i: CreateInviteInput!) { createInvite(input: $i) { id email role status deliveryStatus externalId project { id name } inviter { name } } }`

// createdInvite is createInvite's answer.
type createdInvite struct {
	CreateInvite struct {
		ID, Email, Role, Status, DeliveryStatus string
		ExternalID                              *string
		Project                                 struct{ ID, Name string }
		Inviter                                 struct{ Name string }
	}
}

// invite invites email to project with role (and externalID, if any) as token's user and
// returns the invite's link token, read from the outbox.
func invite(t *testing.T, h http.Handler, token, project, email, role, externalID string) string {
	t.Helper()
	in := map[string]any{"email": email, "projectId": project, "role": role}
	if externalID != "" {
		in["externalId"] = externalID
	}
	gql(t, h, token, createInvite, map[string]any{"i": in}, &createdInvite{})
	return lastLinkToken(t, email)
}

// join makes a new account for email that claims an invite with the given role, returning its
// session token.
func join(t *testing.T, h http.Handler, owner, project, email, role, externalID string) string {
	t.Helper()
	link := invite(t, h, owner, project, email, role, externalID)
	var d signUpData
	gql(t, h, "", signUpMutation, map[string]any{"input": map[string]any{"password": "correct horse", "name": "Member " + role, "inviteToken": link}}, &d)
	return d.SignUp.Token
}

func TestInvites_EndToEnd(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Apollo")
	admin := join(t, h, owner, project, uniqueEmail("admin"), "ADMIN", "")

	invitee := uniqueEmail("invitee")
	var created createdInvite
	gql(t, h, admin, createInvite, map[string]any{"i": map[string]any{"email": "  " + strings.ToUpper(invitee), "projectId": project, "role": "CONTRIBUTOR", "externalId": " S-1001 "}}, &created)
	inv := created.CreateInvite
	if inv.Email != invitee || inv.Role != "CONTRIBUTOR" || inv.Status != "PENDING" || inv.DeliveryStatus != "QUEUED" || inv.ExternalID == nil || *inv.ExternalID != "S-1001" {
		t.Errorf("invite = %+v", inv)
	}
	token := lastLinkToken(t, invitee)

	// The public preview, before sign-in.
	type invitation struct {
		Email, ProjectID, ProjectName, InviterName, Role, Status string
		AccountExists                                            bool
	}
	preview := func(token string) *invitation {
		t.Helper()
		var d struct{ Invitation *invitation }
		gql(t, h, "", `query($t: String!) { invitation(token: $t) { email projectId projectName inviterName role status accountExists } }`, map[string]any{"t": token}, &d)
		return d.Invitation
	}
	want := invitation{Email: invitee, ProjectID: project, ProjectName: "Apollo", InviterName: "Member ADMIN", Role: "CONTRIBUTOR", Status: "PENDING", AccountExists: false}
	if got := preview(token); got == nil || *got != want {
		t.Errorf("invitation = %+v, want %+v", got, want)
	}
	if got := preview("unknown"); got != nil {
		t.Errorf("invitation(unknown) = %+v, want null", got)
	}

	// Sign up with the token: a member with the invite's role and external ID.
	var signedUp signUpData
	gql(t, h, "", signUpMutation, map[string]any{"input": map[string]any{"password": "correct horse", "name": "Ivy", "inviteToken": token}}, &signedUp)
	ivy := signedUp.SignUp.Token
	if !signedUp.SignUp.User.EmailVerified || signedUp.SignUp.User.Email != invitee {
		t.Errorf("signUp = %+v", signedUp)
	}
	members := `query($p: ID!) { project(id: $p) { viewerRole members { totalCount edges { node { role externalId user { email } } } } } }`
	var d struct {
		Project struct {
			ViewerRole string
			Members    struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Role       string
						ExternalID *string
						User       struct{ Email string }
					}
				}
			}
		}
	}
	gql(t, h, ivy, members, map[string]any{"p": project}, &d)
	if d.Project.ViewerRole != "CONTRIBUTOR" {
		t.Errorf("viewerRole = %v", d.Project.ViewerRole)
	}
	found := false
	for _, e := range d.Project.Members.Edges {
		if e.Node.User.Email == invitee {
			found = true
			if e.Node.ExternalID == nil || *e.Node.ExternalID != "S-1001" {
				t.Errorf("own externalId = %v, want S-1001", e.Node.ExternalID)
			}
		} else if e.Node.ExternalID != nil {
			t.Errorf("a CONTRIBUTOR sees another member's externalId: %+v", e)
		}
	}
	if !found || d.Project.Members.TotalCount != 3 {
		t.Errorf("members = %+v", d)
	}
	if got := preview(token); got == nil || got.Status != "ACCEPTED" {
		t.Errorf("preview after claim = %+v", got)
	}

	// The activity, newest first, for an ADMIN; a CONTRIBUTOR may not see it.
	activity := `query($p: ID!) { project(id: $p) { activity(first: 100) { edges { node { name email actor { email } invite { id } } } } } }`
	var log struct {
		Project struct {
			Activity struct {
				Edges []struct {
					Node struct {
						Name, Email string
						Actor       *struct{ Email string }
						Invite      *struct{ ID string }
					}
				}
			}
		}
	}
	gql(t, h, admin, activity, map[string]any{"p": project}, &log)
	var names []string
	for _, e := range log.Project.Activity.Edges {
		names = append(names, e.Node.Name)
	}
	joined := strings.Join(names, "|")
	for _, name := range []string{"Joined Project", "Claimed User Invite", "Invited to Project (Invitee)", "Invited to Project", "User Invited", "Created User Invite"} {
		if !strings.Contains(joined, name) {
			t.Errorf("activity lacks %q: %v", name, names)
		}
	}
	if !strings.HasPrefix(joined, "Joined Project|Claimed User Invite") && !strings.HasPrefix(joined, "Claimed User Invite|Joined Project") {
		t.Errorf("activity is not newest first: %v", names)
	}
	wantCode(t, do(t, h, ivy, activity, map[string]any{"p": project}), "FORBIDDEN")
}

func TestInvites_Visibility(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Gemini")
	contributor := join(t, h, owner, project, uniqueEmail("contrib"), "CONTRIBUTOR", "C-1")
	pending := join(t, h, owner, project, uniqueEmail("pending"), "PENDING", "")
	outsider := signUpVerified(t, h, uniqueEmail("outsider"))

	q := func(field string) string {
		return `query($p: ID!) { project(id: $p) { ` + field + ` { totalCount } } }`
	}
	for _, tc := range []struct {
		name, token, field, code string
	}{
		{"PendingMembers", pending, "members", "FORBIDDEN"},
		{"ContributorMembers", contributor, "members", ""},
		{"ContributorInvites", contributor, "invites", "FORBIDDEN"},
		{"ContributorActivity", contributor, "activity", "FORBIDDEN"},
		{"OwnerInvites", owner, "invites", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, h, tc.token, q(tc.field), map[string]any{"p": project})
			if tc.code == "" {
				ok(t, r, nil)
			} else {
				wantCode(t, r, tc.code)
			}
		})
	}
	var outsiders struct {
		Project *struct{ Members struct{ TotalCount int } }
	}
	if gql(t, h, outsider, q("members"), map[string]any{"p": project}, &outsiders); outsiders.Project != nil {
		t.Errorf("an outsider sees the project: %+v", outsiders.Project)
	}

	t.Run("InviteeSeesProjectThroughInvite", func(t *testing.T) {
		email := uniqueEmail("later")
		token := signUp(t, h, email)
		invite(t, h, owner, project, email, "CONTRIBUTOR", "")
		// Unverified: the invites are not yet proven to be theirs.
		var my struct {
			MyInvites []struct {
				ID, Role string
				Project  struct{ ID, Name, ViewerRole string }
				Inviter  struct{ Name string }
			}
		}
		if gql(t, h, token, `{ myInvites { id role project { id name viewerRole } inviter { name } } }`, nil, &my); len(my.MyInvites) != 0 {
			t.Fatalf("myInvites before verification = %+v", my.MyInvites)
		}
		// Verify through the verification link (the newest email to them is the invite, so
		// read the verification link from its own kind).
		var link string
		if err := pgDB(t).NewSelect().TableExpr("emails").Column("link").Where("recipient = ? AND kind = 'verification'", email).Scan(ctxBG, &link); err != nil {
			t.Fatal(err)
		}
		ok(t, do(t, h, "", `mutation($t: String!) { verifyEmail(token: $t) { id } }`, map[string]any{"t": link[strings.LastIndexByte(link, '/')+1:]}), nil)
		// verifyEmail claimed it: the project is theirs now.
		var d struct{ Project *struct{ ViewerRole string } }
		if gql(t, h, token, `query($p: ID!) { project(id: $p) { viewerRole } }`, map[string]any{"p": project}, &d); d.Project == nil || d.Project.ViewerRole != "CONTRIBUTOR" {
			t.Errorf("project after verification = %+v, want viewerRole CONTRIBUTOR", d.Project)
		}
	})

	t.Run("MyInvitesShowsProjectNameOnly", func(t *testing.T) {
		email := uniqueEmail("acc")
		tok := join(t, h, owner, newProject(t, h, owner, "Other"), email, "CONTRIBUTOR", "")
		invite(t, h, owner, project, email, "CONTRIBUTOR", "")
		var my struct {
			MyInvites []struct {
				ID      string
				Project struct {
					ID, Name   string
					ViewerRole *string
				}
				Inviter struct{ Name string }
			}
		}
		gql(t, h, tok, `{ myInvites { id project { id name viewerRole } inviter { name } } }`, nil, &my)
		list := my.MyInvites
		if len(list) != 1 || list[0].Project.Name != "Gemini" || list[0].Project.ViewerRole != nil {
			t.Fatalf("myInvites = %+v", list)
		}
		var seen struct{ Project *struct{ ID string } }
		if gql(t, h, tok, `query($p: ID!) { project(id: $p) { id } }`, map[string]any{"p": project}, &seen); seen.Project != nil {
			t.Error("an invitee sees the project through project(id)")
		}
		// Accept in the app by ID.
		var accepted struct {
			AcceptInvite struct {
				Invite     struct{ Status string }
				Membership struct{ Role string }
			}
		}
		gql(t, h, tok, `mutation($id: ID!) { acceptInvite(input: {inviteId: $id}) { invite { status } membership { role } } }`, map[string]any{"id": list[0].ID}, &accepted)
		if accepted.AcceptInvite.Invite.Status != "ACCEPTED" || accepted.AcceptInvite.Membership.Role != "CONTRIBUTOR" {
			t.Errorf("acceptInvite = %+v", accepted)
		}
	})
}

func TestInvites_Errors(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Mercury")
	admin := join(t, h, owner, project, uniqueEmail("admin"), "ADMIN", "")
	member := uniqueEmail("member")
	join(t, h, owner, project, member, "CONTRIBUTOR", "M-1")
	invited := uniqueEmail("invited")
	invite(t, h, owner, project, invited, "CONTRIBUTOR", "I-1")

	ci := func(in map[string]any) map[string]any { return map[string]any{"i": in} }
	for _, tc := range []struct {
		name, token string
		in          map[string]any
		code, field string
	}{
		{"Unauthenticated", "", map[string]any{"email": uniqueEmail("x")}, "UNAUTHENTICATED", ""},
		{"BadEmail", owner, map[string]any{"email": "bad", "projectId": project, "role": "CONTRIBUTOR"}, "BAD_USER_INPUT", "email"},
		{"RoleWithoutProject", owner, map[string]any{"email": uniqueEmail("x"), "role": "CONTRIBUTOR"}, "BAD_USER_INPUT", "role"},
		{"ProjectWithoutRole", owner, map[string]any{"email": uniqueEmail("x"), "projectId": project}, "BAD_USER_INPUT", "role"},
		{"LongExternalID", owner, map[string]any{"email": uniqueEmail("x"), "projectId": project, "role": "PENDING", "externalId": strings.Repeat("x", 65)}, "BAD_USER_INPUT", "externalId"},
		{"ControlExternalID", owner, map[string]any{"email": uniqueEmail("x"), "projectId": project, "role": "PENDING", "externalId": "a\u0007b"}, "BAD_USER_INPUT", "externalId"},
		{"AdminInvitesAdmin", admin, map[string]any{"email": uniqueEmail("x"), "projectId": project, "role": "ADMIN"}, "FORBIDDEN", ""},
		{"OwnerInvitesOwner", owner, map[string]any{"email": uniqueEmail("x"), "projectId": project, "role": "OWNER"}, "FORBIDDEN", ""},
		{"NoSuchProject", owner, map[string]any{"email": uniqueEmail("x"), "projectId": "00000000-0000-0000-0000-000000000001", "role": "PENDING"}, "NOT_FOUND", ""},
		{"MalformedProjectID", owner, map[string]any{"email": uniqueEmail("x"), "projectId": "nope", "role": "PENDING"}, "NOT_FOUND", ""},
		{"AlreadyMember", owner, map[string]any{"email": strings.ToUpper(member), "projectId": project, "role": "PENDING"}, "ALREADY_MEMBER", ""},
		{"AlreadyInvited", admin, map[string]any{"email": invited, "projectId": project, "role": "PENDING"}, "ALREADY_INVITED", ""},
		{"ExternalIDOfMember", owner, map[string]any{"email": uniqueEmail("x"), "projectId": project, "role": "PENDING", "externalId": "M-1"}, "EXTERNAL_ID_TAKEN", ""},
		{"ExternalIDOfInvite", owner, map[string]any{"email": uniqueEmail("x"), "projectId": project, "role": "PENDING", "externalId": "I-1"}, "EXTERNAL_ID_TAKEN", ""},
		{"ServiceInviteForAccount", owner, map[string]any{"email": member}, "EMAIL_TAKEN", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := countRows(t, "invites")
			e := wantCode(t, do(t, h, tc.token, createInvite, ci(tc.in)), tc.code)
			if tc.field != "" && e.Extensions.Field != tc.field {
				t.Errorf("field = %q, want %s", e.Extensions.Field, tc.field)
			}
			if after := countRows(t, "invites"); after != before {
				t.Errorf("a refused invite wrote %d rows", after-before)
			}
		})
	}

	ref := `mutation($i: InviteRefInput!) { acceptInvite(input: $i) { invite { id } } }`
	wantCode(t, do(t, h, admin, ref, map[string]any{"i": map[string]any{}}), "BAD_USER_INPUT")
	wantCode(t, do(t, h, admin, ref, map[string]any{"i": map[string]any{"token": "x", "inviteId": "y"}}), "BAD_USER_INPUT")
	wantCode(t, do(t, h, admin, ref, map[string]any{"i": map[string]any{"token": "unknown"}}), "NOT_FOUND")
	wantCode(t, do(t, h, "", ref, map[string]any{"i": map[string]any{"token": "unknown"}}), "UNAUTHENTICATED")
	wantCode(t, do(t, h, owner, `mutation { leaveProject(projectId: "`+project+`") }`, nil), "LAST_OWNER")
}
