package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Issue 19, finding 1: what one user can make grows no answer and no table without end.

const e2eCreateEndpoint = `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }`

// overLimit reports whether errs is the refusal of a count cap on field.
func overLimit(errs e2eErrors, field string) bool {
	return errs.code() == "BAD_USER_INPUT" && errs[0].Extensions.Reason == "LIMIT_EXCEEDED" && errs[0].Extensions.Field == field
}

// rawAnswer posts a GraphQL query with a bearer token and returns the answer's body as sent.
func rawAnswer(t *testing.T, base, token, query string, vars map[string]any) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An account that has not even verified its email makes a project and registers endpoints
// with the longest URL, 40 at once: 20 (WEBHOOK_ENDPOINT_LIMIT's default) are kept, so the
// listing stays under 50 KiB; a query that would list every project's endpoints with 100
// deliveries each is refused before it runs; an event filter names each type once.
func TestWebhookEndpoints_Bounded(t *testing.T) {
	c := e2eClient{t, startServer(t, map[string]string{})}
	owner := c.signUp(map[string]any{"email": e2eEmail("hooks"), "password": "correct horse", "name": "Hook"}).SignUp.Token
	project := c.createProject(owner, "Hooks")
	longest := "https://93.184.216.34/" + strings.Repeat("a", 2048-len("https://93.184.216.34/"))

	const tries = 40
	errs := make([]e2eErrors, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			errs[i], _ = postJSON(c.base+"/graphql", owner, e2eCreateEndpoint,
				map[string]any{"i": map[string]any{"projectId": project, "url": longest}}, nil, nil)
		})
	}
	wg.Wait()
	created := 0
	for _, e := range errs {
		switch {
		case len(e) == 0:
			created++
		case !overLimit(e, "projectId"):
			t.Fatalf("a create over the cap: %+v, want BAD_USER_INPUT on projectId with reason LIMIT_EXCEEDED", e)
		}
	}
	if created != 20 {
		t.Errorf("%d of %d endpoints accepted, want 20", created, tries)
	}

	listing := rawAnswer(t, c.base, owner, `query($p: ID!) { project(id: $p) { webhookEndpoints { id url events enabled createdAt
		deliveries(first: 10) { totalCount edges { node { id } } } } } }`, map[string]any{"p": project})
	if n := strings.Count(string(listing), `"url":`); n != 20 || len(listing) > 50<<10 {
		t.Errorf("the listing holds %d endpoints in %d bytes, want 20 in at most 50 KiB", n, len(listing))
	}

	every := `{ projects(first: 100) { edges { node { webhookEndpoints { url deliveries(first: 100) { edges { node { id eventType status } } } } } } } }`
	if e := c.try(owner, every, nil, nil); e.code() != "BAD_USER_INPUT" || e[0].Extensions.Reason != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("every project's endpoints with 100 deliveries each: %+v, want COMPLEXITY_LIMIT_EXCEEDED", e)
	}

	other := c.createProject(owner, "Filters")
	for _, events := range [][]string{{"invite.created", "invite.created"}, {"member.joined", "invite.exploded"}} {
		e := c.try(owner, e2eCreateEndpoint, map[string]any{"i": map[string]any{"projectId": other, "url": "https://93.184.216.34/h", "events": events}}, nil)
		if e.code() != "BAD_USER_INPUT" || e[0].Extensions.Field != "events" {
			t.Errorf("events %v: %+v, want BAD_USER_INPUT on events", events, e)
		}
	}
}

// Projects per owner, invite links per project and sessions per account are capped too
// (PROJECT_LIMIT, INVITE_LINK_LIMIT, SESSION_LIMIT; set low here).
func TestServer_CreationCaps(t *testing.T) {
	c := e2eClient{t, startServer(t, map[string]string{"PROJECT_LIMIT": "2", "INVITE_LINK_LIMIT": "2", "SESSION_LIMIT": "2"})}
	email := e2eEmail("maker")
	first := c.signUp(map[string]any{"email": email, "password": "correct horse", "name": "Maker"}).SignUp.Token

	project := c.createProject(first, "One")
	c.createProject(first, "Two")
	if e := c.try(first, `mutation { createProject(input: {name: "Three"}) { id } }`, nil, nil); !overLimit(e, "") {
		t.Errorf("a third project: %+v, want BAD_USER_INPUT with reason LIMIT_EXCEEDED", e)
	}

	link := map[string]any{"i": map[string]any{"projectId": project, "role": "CONTRIBUTOR"}}
	for range 2 {
		c.do(first, e2eCreateLink, link, nil)
	}
	if e := c.try(first, e2eCreateLink, link, nil); !overLimit(e, "projectId") {
		t.Errorf("a third invite link: %+v, want BAD_USER_INPUT on projectId with reason LIMIT_EXCEEDED", e)
	}

	// Two log-ins more: the sign-up's session, the oldest, has ended; the newest two work.
	forgetLoopbackFailures(t)
	var tokens []string
	for range 2 {
		var d struct{ LogIn struct{ Token string } }
		c.do("", e2eLogIn, map[string]any{"e": email, "p": "correct horse"}, &d)
		tokens = append(tokens, d.LogIn.Token)
	}
	if e := c.try(first, `{ projects(first: 1) { totalCount } }`, nil, nil); e.code() != "UNAUTHENTICATED" {
		t.Errorf("the oldest session after two log-ins: %+v, want UNAUTHENTICATED", e)
	}
	for _, tok := range tokens {
		if c.me(tok) == "" {
			t.Error("a session among the newest two has ended")
		}
	}
}
