package graph_test

import (
	"net/http"
	"strings"
	"testing"
)

// newProject creates a project as token's user and returns its ID.
func newProject(t *testing.T, h http.Handler, token, name string) string {
	t.Helper()
	d := ok(t, do(t, h, token, `mutation($n: String!) { createProject(input: {name: $n}) { id } }`, map[string]any{"n": name}))
	return get(d, "createProject", "id").(string)
}

const createInvite = `mutation($i: CreateInviteInput!) { createInvite(input: $i) { id email role status deliveryStatus externalId project { id name } inviter { name } } }`

// invite invites email to project with role (and externalID, if any) as token's user and
// returns the invite's link token, read from the outbox.
func invite(t *testing.T, h http.Handler, token, project, email, role, externalID string) string {
	t.Helper()
	in := map[string]any{"email": email, "projectId": project, "role": role}
	if externalID != "" {
		in["externalId"] = externalID
	}
	ok(t, do(t, h, token, createInvite, map[string]any{"i": in}))
	return lastLinkToken(t, email)
}

// join makes a new account for email that claims an invite with the given role, returning its
// session token.
func join(t *testing.T, h http.Handler, owner, project, email, role, externalID string) string {
	t.Helper()
	link := invite(t, h, owner, project, email, role, externalID)
	d := ok(t, do(t, h, "", signUpMutation, map[string]any{"input": map[string]any{"password": "correct horse", "name": "Member " + role, "inviteToken": link}}))
	return get(d, "signUp", "token").(string)
}

func TestInvites_EndToEnd(t *testing.T) {
	h := newHandler(t)
	owner := signUpVerified(t, h, uniqueEmail("owner"))
	project := newProject(t, h, owner, "Apollo")
	admin := join(t, h, owner, project, uniqueEmail("admin"), "ADMIN", "")

	invitee := uniqueEmail("invitee")
	d := ok(t, do(t, h, admin, createInvite, map[string]any{"i": map[string]any{"email": "  " + strings.ToUpper(invitee), "projectId": project, "role": "CONTRIBUTOR", "externalId": " S-1001 "}}))
	inv := get(d, "createInvite").(map[string]any)
	if inv["email"] != invitee || inv["role"] != "CONTRIBUTOR" || inv["status"] != "PENDING" || inv["deliveryStatus"] != "QUEUED" || inv["externalId"] != "S-1001" {
		t.Errorf("invite = %v", inv)
	}
	token := lastLinkToken(t, invitee)

	// The public preview, before sign-in.
	preview := `query($t: String!) { invitation(token: $t) { email projectName inviterName role status accountExists } }`
	d = ok(t, do(t, h, "", preview, map[string]any{"t": token}))
	want := map[string]any{"email": invitee, "projectName": "Apollo", "inviterName": "Member ADMIN", "role": "CONTRIBUTOR", "status": "PENDING", "accountExists": false}
	for k, v := range want {
		if got := get(d, "invitation", k); got != v {
			t.Errorf("invitation.%s = %v, want %v", k, got, v)
		}
	}
	if got := get(ok(t, do(t, h, "", preview, map[string]any{"t": "unknown"})), "invitation"); got != nil {
		t.Errorf("invitation(unknown) = %v, want null", got)
	}

	// Sign up with the token: a member with the invite's role and external ID.
	d = ok(t, do(t, h, "", signUpMutation, map[string]any{"input": map[string]any{"password": "correct horse", "name": "Ivy", "inviteToken": token}}))
	ivy := get(d, "signUp", "token").(string)
	if get(d, "signUp", "user", "emailVerified") != true || get(d, "signUp", "user", "email") != invitee {
		t.Errorf("signUp = %v", d)
	}
	members := `query($p: ID!) { project(id: $p) { viewerRole members { totalCount edges { node { role externalId user { email } } } } } }`
	d = ok(t, do(t, h, ivy, members, map[string]any{"p": project}))
	if get(d, "project", "viewerRole") != "CONTRIBUTOR" {
		t.Errorf("viewerRole = %v", get(d, "project", "viewerRole"))
	}
	found := false
	for _, e := range get(d, "project", "members", "edges").([]any) {
		if get(e, "node", "user", "email") == invitee {
			found = true
			if get(e, "node", "externalId") != "S-1001" {
				t.Errorf("own externalId = %v, want S-1001", get(e, "node", "externalId"))
			}
		} else if get(e, "node", "externalId") != nil {
			t.Errorf("a CONTRIBUTOR sees another member's externalId: %v", e)
		}
	}
	if !found || get(d, "project", "members", "totalCount") != float64(3) {
		t.Errorf("members = %v", d)
	}
	if got := get(ok(t, do(t, h, "", preview, map[string]any{"t": token})), "invitation", "status"); got != "ACCEPTED" {
		t.Errorf("preview after claim = %v", got)
	}

	// The activity, newest first, for an ADMIN; a CONTRIBUTOR may not see it.
	activity := `query($p: ID!) { project(id: $p) { activity(first: 100) { edges { node { name email actor { email } invite { id } } } } } }`
	d = ok(t, do(t, h, admin, activity, map[string]any{"p": project}))
	var names []string
	for _, e := range get(d, "project", "activity", "edges").([]any) {
		names = append(names, get(e, "node", "name").(string))
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
				ok(t, r)
			} else {
				wantCode(t, r, tc.code)
			}
		})
	}
	if got := get(ok(t, do(t, h, outsider, q("members"), map[string]any{"p": project})), "project"); got != nil {
		t.Errorf("an outsider sees the project: %v", got)
	}

	t.Run("InviteeSeesProjectThroughInvite", func(t *testing.T) {
		email := uniqueEmail("later")
		token := signUp(t, h, email)
		invite(t, h, owner, project, email, "CONTRIBUTOR", "")
		// Unverified: the invites are not yet proven to be theirs.
		my := `{ myInvites { id role project { id name viewerRole } inviter { name } } }`
		if got := get(ok(t, do(t, h, token, my, nil)), "myInvites").([]any); len(got) != 0 {
			t.Fatalf("myInvites before verification = %v", got)
		}
		// Verify through the verification link (the newest email to them is the invite, so
		// read the verification link from its own kind).
		var link string
		if err := pgDB(t).NewSelect().TableExpr("emails").Column("link").Where("recipient = ? AND kind = 'verification'", email).Scan(ctxBG, &link); err != nil {
			t.Fatal(err)
		}
		ok(t, do(t, h, "", `mutation($t: String!) { verifyEmail(token: $t) { id } }`, map[string]any{"t": link[strings.LastIndexByte(link, '/')+1:]}))
		// verifyEmail claimed it: the project is theirs now.
		if got := get(ok(t, do(t, h, token, `query($p: ID!) { project(id: $p) { viewerRole } }`, map[string]any{"p": project})), "project", "viewerRole"); got != "CONTRIBUTOR" {
			t.Errorf("viewerRole after verification = %v", got)
		}
	})

	t.Run("MyInvitesShowsProjectNameOnly", func(t *testing.T) {
		email := uniqueEmail("acc")
		tok := join(t, h, owner, newProject(t, h, owner, "Other"), email, "CONTRIBUTOR", "")
		invite(t, h, owner, project, email, "CONTRIBUTOR", "")
		d := ok(t, do(t, h, tok, `{ myInvites { id project { id name viewerRole } inviter { name } } }`, nil))
		list := get(d, "myInvites").([]any)
		if len(list) != 1 || get(list[0], "project", "name") != "Gemini" || get(list[0], "project", "viewerRole") != nil {
			t.Fatalf("myInvites = %v", list)
		}
		r := do(t, h, tok, `query($p: ID!) { project(id: $p) { id } }`, map[string]any{"p": project})
		if get(ok(t, r), "project") != nil {
			t.Error("an invitee sees the project through project(id)")
		}
		// Accept in the app by ID.
		id := get(list[0], "id").(string)
		d = ok(t, do(t, h, tok, `mutation($id: ID!) { acceptInvite(input: {inviteId: $id}) { invite { status } membership { role } } }`, map[string]any{"id": id}))
		if get(d, "acceptInvite", "invite", "status") != "ACCEPTED" || get(d, "acceptInvite", "membership", "role") != "CONTRIBUTOR" {
			t.Errorf("acceptInvite = %v", d)
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
			if tc.field != "" && e.Extensions["field"] != tc.field {
				t.Errorf("field = %v, want %s", e.Extensions["field"], tc.field)
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
