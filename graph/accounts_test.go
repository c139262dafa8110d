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
	d := ok(t, do(t, h, "", signUpMutation, map[string]any{"input": map[string]any{
		"email": "  " + strings.ToUpper(email) + " ", "password": "correct horse", "name": "Ada"}}))
	token := get(d, "signUp", "token").(string)
	if got := get(d, "signUp", "user", "email"); got != email {
		t.Errorf("email = %v, want %s", got, email)
	}
	if get(d, "signUp", "user", "emailVerified") != false {
		t.Error("emailVerified true before verification")
	}

	me := `{ me { email emailVerified } }`
	if got := get(ok(t, do(t, h, token, me, nil)), "me", "email"); got != email {
		t.Errorf("me.email = %v", got)
	}

	d = ok(t, do(t, h, "", `mutation($t: String!) { verifyEmail(token: $t) { email emailVerified } }`, map[string]any{"t": lastLinkToken(t, email)}))
	if get(d, "verifyEmail", "emailVerified") != true {
		t.Errorf("verifyEmail = %v", d)
	}
	if get(ok(t, do(t, h, token, me, nil)), "me", "emailVerified") != true {
		t.Error("me.emailVerified false after verification")
	}

	d = ok(t, do(t, h, "", `mutation($i: LogInInput!) { logIn(input: $i) { token user { email } } }`,
		map[string]any{"i": map[string]any{"email": email, "password": "correct horse"}}))
	second := get(d, "logIn", "token").(string)
	if second == token {
		t.Error("logIn returned the sign-up session's token")
	}

	if get(ok(t, do(t, h, second, `mutation { logOut }`, nil)), "logOut") != true {
		t.Error("logOut did not answer true")
	}
	if got := get(ok(t, do(t, h, second, me, nil)), "me"); got != nil {
		t.Errorf("me after logOut = %v, want null", got)
	}
	if got := get(ok(t, do(t, h, token, me, nil)), "me", "email"); got != email {
		t.Errorf("the other session ended too: me = %v", got)
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
			if tc.field != "" && e.Extensions["field"] != tc.field {
				t.Errorf("field = %v, want %s", e.Extensions["field"], tc.field)
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
			if got := get(ok(t, do(t, h, token, `{ me { id } }`, nil)), "me"); got != nil {
				t.Errorf("me = %v, want null", got)
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
		d := ok(t, do(t, h, owner, create, map[string]any{"n": name}))
		if get(d, "createProject", "viewerRole") != "OWNER" {
			t.Errorf("viewerRole = %v, want OWNER", get(d, "createProject", "viewerRole"))
		}
		ids = append(ids, get(d, "createProject", "id").(string))
	}

	project := `query($id: ID!) { project(id: $id) { id name viewerRole } }`
	if got := get(ok(t, do(t, h, owner, project, map[string]any{"id": ids[0]})), "project", "name"); got != "Apollo" {
		t.Errorf("project.name = %v", got)
	}
	for _, tc := range []struct{ token, id string }{{outsider, ids[0]}, {"", ids[0]}, {owner, "not-a-uuid"}, {owner, "00000000-0000-0000-0000-000000000000"}} {
		if got := get(ok(t, do(t, h, tc.token, project, map[string]any{"id": tc.id})), "project"); got != nil {
			t.Errorf("project(%s) for %q = %v, want null", tc.id, tc.token, got)
		}
	}

	projects := `query($first: Int, $after: String) { projects(first: $first, after: $after) { totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`
	d := ok(t, do(t, h, owner, projects, map[string]any{"first": 2}))
	if get(d, "projects", "totalCount") != float64(3) || get(d, "projects", "pageInfo", "hasNextPage") != true {
		t.Fatalf("first page = %v", d)
	}
	edges := get(d, "projects", "edges").([]any)
	if len(edges) != 2 || get(edges[0], "node", "name") != "Mercury" {
		t.Errorf("first page = %v, want Mercury first", edges)
	}
	d = ok(t, do(t, h, owner, projects, map[string]any{"first": 2, "after": get(d, "projects", "pageInfo", "endCursor")}))
	edges = get(d, "projects", "edges").([]any)
	if len(edges) != 1 || get(edges[0], "node", "name") != "Apollo" || get(d, "projects", "pageInfo", "hasNextPage") != false {
		t.Errorf("second page = %v, want Apollo and no more", d)
	}
	if got := get(ok(t, do(t, h, outsider, projects, nil)), "projects", "totalCount"); got != float64(0) {
		t.Errorf("outsider's totalCount = %v", got)
	}
	e := wantCode(t, do(t, h, owner, projects, map[string]any{"first": 101}), "BAD_USER_INPUT")
	if e.Extensions["field"] != "first" {
		t.Errorf("field = %v, want first", e.Extensions["field"])
	}
	wantCode(t, do(t, h, owner, projects, map[string]any{"first": 1, "after": "bogus"}), "BAD_USER_INPUT")
	wantCode(t, do(t, h, owner, create, map[string]any{"n": "  "}), "BAD_USER_INPUT")
}
