package graph_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAccounts_EndToEnd(t *testing.T) {
	h := newHandler(t)
	email := uniqueEmail("ada")

	// Sign up with untidy input: the email is stored trimmed and in lower case.
	var d signUpData
	gql(t, h, "", signUpMutation, map[string]any{"input": map[string]any{
		"email": "  " + strings.ToUpper(email) + " ", "password": "correct horse", "name": "Ada"}}, &d)
	token := d.SignUp.Token
	if got := d.SignUp.User.Email; got != email {
		t.Errorf("email = %v, want %s", got, email)
	}
	if d.SignUp.User.EmailVerified {
		t.Error("emailVerified true before verification")
	}

	type account struct {
		Email         string
		EmailVerified bool
	}
	me := func(token string) *account {
		t.Helper()
		var d struct{ Me *account }
		gql(t, h, token, `{ me { email emailVerified } }`, nil, &d)
		return d.Me
	}
	if got := me(token); got == nil || got.Email != email {
		t.Errorf("me = %+v, want email %s", got, email)
	}

	var verified struct{ VerifyEmail account }
	gql(t, h, "", `mutation($t: String!) { verifyEmail(token: $t) { email emailVerified } }`, map[string]any{"t": lastLinkToken(t, email)}, &verified)
	if !verified.VerifyEmail.EmailVerified {
		t.Errorf("verifyEmail = %+v", verified)
	}
	if got := me(token); got == nil || !got.EmailVerified {
		t.Error("me.emailVerified false after verification")
	}

	var logIn struct {
		LogIn struct {
			Token string
			User  struct{ Email string }
		}
	}
	gql(t, h, "", `mutation($i: LogInInput!) { logIn(input: $i) { token user { email } } }`,
		map[string]any{"i": map[string]any{"email": email, "password": "correct horse"}}, &logIn)
	second := logIn.LogIn.Token
	if second == token {
		t.Error("logIn returned the sign-up session's token")
	}

	var logOut struct{ LogOut bool }
	if gql(t, h, second, `mutation { logOut }`, nil, &logOut); !logOut.LogOut {
		t.Error("logOut did not answer true")
	}
	if got := me(second); got != nil {
		t.Errorf("me after logOut = %+v, want null", got)
	}
	if got := me(token); got == nil || got.Email != email {
		t.Errorf("the other session ended too: me = %+v", got)
	}
}

func TestAccounts_Errors(t *testing.T) {
	h := newHandler(t)
	taken := uniqueEmail("taken")
	signUp(t, h, taken)
	logIn := `mutation($i: LogInInput!) { logIn(input: $i) { token } }`

	for _, tc := range []struct {
		name, token, query string
		vars               map[string]any
		code, field        string
	}{
		{"BadEmail", "", signUpMutation, map[string]any{"input": map[string]any{"email": "nope", "password": "password", "name": "A"}}, "BAD_USER_INPUT", "email"},
		{"ShortPassword", "", signUpMutation, map[string]any{"input": map[string]any{"email": uniqueEmail("x"), "password": "short", "name": "A"}}, "BAD_USER_INPUT", "password"},
		{"EmptyName", "", signUpMutation, map[string]any{"input": map[string]any{"email": uniqueEmail("x"), "password": "password", "name": ""}}, "BAD_USER_INPUT", "name"},
		{"EmailTakenOtherCase", "", signUpMutation, map[string]any{"input": map[string]any{"email": strings.ToUpper(taken), "password": "password", "name": "A"}}, "EMAIL_TAKEN", ""},
		{"WrongPassword", "", logIn, map[string]any{"i": map[string]any{"email": taken, "password": "wrong password"}}, "INVALID_CREDENTIALS", ""},
		{"UnknownEmail", "", logIn, map[string]any{"i": map[string]any{"email": uniqueEmail("nobody"), "password": "wrong password"}}, "INVALID_CREDENTIALS", ""},
		{"UsedOrUnknownVerification", "", `mutation { verifyEmail(token: "nope") { id } }`, nil, "NOT_FOUND", ""},
		{"LogOutWithoutSession", "", `mutation { logOut }`, nil, "UNAUTHENTICATED", ""},
		{"CreateProjectBadToken", "not-a-session", `mutation { createProject(input: {name: "X"}) { id } }`, nil, "UNAUTHENTICATED", ""},
		{"ProjectsWithoutSession", "", `{ projects { totalCount } }`, nil, "UNAUTHENTICATED", ""},
		{"SyntaxError", "", `{ me { `, nil, "BAD_USER_INPUT", ""},
		{"UnknownField", "", `{ nope }`, nil, "BAD_USER_INPUT", ""},
		{"MissingVariable", "", signUpMutation, nil, "BAD_USER_INPUT", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := wantCode(t, do(t, h, tc.token, tc.query, tc.vars), tc.code)
			if tc.field != "" && e.Extensions.Field != tc.field {
				t.Errorf("field = %q, want %s", e.Extensions.Field, tc.field)
			}
		})
	}

	t.Run("SameMessageForUnknownEmailAndWrongPassword", func(t *testing.T) {
		a := do(t, h, "", logIn, map[string]any{"i": map[string]any{"email": taken, "password": "wrong password"}})
		b := do(t, h, "", logIn, map[string]any{"i": map[string]any{"email": uniqueEmail("nobody"), "password": "wrong password"}})
		if a.Errors[0].Message != b.Errors[0].Message {
			t.Errorf("messages differ: %q vs %q", a.Errors[0].Message, b.Errors[0].Message)
		}
	})

	t.Run("MeIsNullWithoutSession", func(t *testing.T) {
		for _, token := range []string{"", "expired-or-bogus"} {
			var d struct{ Me *struct{ ID string } }
			if gql(t, h, token, `{ me { id } }`, nil, &d); d.Me != nil {
				t.Errorf("me = %+v, want null", d.Me)
			}
		}
	})

	t.Run("BodyTooLarge", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"`+strings.Repeat(" ", 5<<20)+`{ me { id } }"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "BAD_USER_INPUT") {
			t.Errorf("status %d body %s", rec.Code, rec.Body)
		}
	})
}

func TestProjects_EndToEnd(t *testing.T) {
	h := newHandler(t)
	owner := signUp(t, h, uniqueEmail("owner"))
	outsider := signUp(t, h, uniqueEmail("outsider"))

	create := `mutation($n: String!) { createProject(input: {name: $n}) { id name viewerRole createdAt } }`
	var ids []string
	for _, name := range []string{"Apollo", "Gemini", "Mercury"} {
		var d struct {
			CreateProject struct{ ID, Name, ViewerRole, CreatedAt string }
		}
		gql(t, h, owner, create, map[string]any{"n": name}, &d)
		if d.CreateProject.ViewerRole != "OWNER" {
			t.Errorf("viewerRole = %v, want OWNER", d.CreateProject.ViewerRole)
		}
		ids = append(ids, d.CreateProject.ID)
	}

	project := func(token, id string) *struct{ ID, Name, ViewerRole string } {
		t.Helper()
		var d struct {
			Project *struct{ ID, Name, ViewerRole string }
		}
		gql(t, h, token, `query($id: ID!) { project(id: $id) { id name viewerRole } }`, map[string]any{"id": id}, &d)
		return d.Project
	}
	if got := project(owner, ids[0]); got == nil || got.Name != "Apollo" {
		t.Errorf("project = %+v, want Apollo", got)
	}
	for _, tc := range []struct{ token, id string }{{outsider, ids[0]}, {"", ids[0]}, {owner, "not-a-uuid"}, {owner, "00000000-0000-0000-0000-000000000000"}} {
		if got := project(tc.token, tc.id); got != nil {
			t.Errorf("project(%s) for %q = %+v, want null", tc.id, tc.token, got)
		}
	}

	projects := `query($first: Int, $after: String) { projects(first: $first, after: $after) { totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`
	type page struct {
		Projects struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct{ Name string }
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	var d page
	gql(t, h, owner, projects, map[string]any{"first": 2}, &d)
	if d.Projects.TotalCount != 3 || !d.Projects.PageInfo.HasNextPage {
		t.Fatalf("first page = %+v", d)
	}
	if edges := d.Projects.Edges; len(edges) != 2 || edges[0].Node.Name != "Mercury" {
		t.Errorf("first page = %+v, want Mercury first", edges)
	}
	gql(t, h, owner, projects, map[string]any{"first": 2, "after": d.Projects.PageInfo.EndCursor}, &d)
	if edges := d.Projects.Edges; len(edges) != 1 || edges[0].Node.Name != "Apollo" || d.Projects.PageInfo.HasNextPage {
		t.Errorf("second page = %+v, want Apollo and no more", d)
	}
	var outsiders page
	if gql(t, h, outsider, projects, nil, &outsiders); outsiders.Projects.TotalCount != 0 {
		t.Errorf("outsider's totalCount = %v", outsiders.Projects.TotalCount)
	}
	e := wantCode(t, do(t, h, owner, projects, map[string]any{"first": 101}), "BAD_USER_INPUT")
	if e.Extensions.Field != "first" {
		t.Errorf("field = %q, want first", e.Extensions.Field)
	}
	wantCode(t, do(t, h, owner, projects, map[string]any{"first": 1, "after": "bogus"}), "BAD_USER_INPUT")
	wantCode(t, do(t, h, owner, create, map[string]any{"n": "  "}), "BAD_USER_INPUT")
}

// passwordResetTokenValid is public and uses nothing up (internal/invites tests a real link's
// life); an unknown token is simply false, not an error.
func TestAccounts_PasswordResetTokenValid(t *testing.T) {
	h := newHandler(t)
	var d struct{ PasswordResetTokenValid bool }
	gql(t, h, "", `query($t: String!) { passwordResetTokenValid(token: $t) }`, map[string]any{"t": "no-such-token"}, &d)
	if d.PasswordResetTokenValid {
		t.Error("passwordResetTokenValid(unknown) = true, want false")
	}
}
