package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

// keyedRequest posts a JSON GraphQL request as token's user with an Idempotency-Key.
func keyedRequest(t *testing.T, base, token, key, query string, vars map[string]any) httpAnswer {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return rawRequest(t, http.MethodPost, base+"/graphql", map[string]string{
		"Content-Type": "application/json", "Authorization": "Bearer " + token, "Idempotency-Key": key}, body, false)
}

// replayed reports whether a is a stored answer sent again.
func (a httpAnswer) replayed() bool { return a.header.Get("Idempotent-Replayed") == "true" }

// errorCode is the first error's extensions.code in a's body, "" when there is none.
func (a httpAnswer) errorCode(t *testing.T) string {
	t.Helper()
	var r struct{ Errors e2eErrors }
	if err := json.Unmarshal(a.body, &r); err != nil {
		t.Fatalf("answer %d is not JSON: %s", a.status, a.body)
	}
	return r.Errors.code()
}

// invitesTo counts the invites to email.
func invitesTo(t *testing.T, email string) int {
	t.Helper()
	n, err := pgtest.DB(t).NewSelect().TableExpr("invites").Where("email = ?", email).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestServer_RetrySafely: a person whose connection failed sends their mutation again with
// the same Idempotency-Key, and it runs once.
func TestServer_RetrySafely(t *testing.T) {
	smtp := smtptest.Start(t)
	base := startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h"})
	c := e2eClient{t, base}
	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := c.createProject(owner, "Retries")
	t.Run("Invite", func(t *testing.T) { retryInvite(t, smtp, base, owner, project) })
	t.Run("InviteAtOnce", func(t *testing.T) { retryInviteAtOnce(t, base, owner, project) })
	t.Run("BulkUpload", func(t *testing.T) { retryBulkUpload(t, base, owner, project) })
}

// retryInvite: a createInvite sent again with its key makes one invite and one email, and
// answers the same; another invite with the key is refused.
func retryInvite(t *testing.T, smtp *smtptest.Server, base, owner, project string) {

	invitee := e2eEmail("invitee")
	input := map[string]any{"i": map[string]any{"email": invitee, "projectId": project, "role": "CONTRIBUTOR"}}
	key := uuid.NewString()
	first := keyedRequest(t, base, owner, key, e2eCreateInvite, input)
	if first.status != http.StatusOK || first.errorCode(t) != "" || first.replayed() {
		t.Fatalf("first createInvite: %d %s", first.status, first.body)
	}
	retry := keyedRequest(t, base, owner, key, e2eCreateInvite, input)
	if retry.status != first.status || !bytes.Equal(retry.body, first.body) || !retry.replayed() {
		t.Fatalf("retry: %d %s (replayed %v), want the first answer %s", retry.status, retry.body, retry.replayed(), first.body)
	}
	if n := invitesTo(t, invitee); n != 1 {
		t.Errorf("%d invites after a retry, want 1", n)
	}
	waitEmailRow(t, invitee, "SENT", mailWait) // fails on a second emails row
	if got := len(smtp.Received(invitee)); got != 1 {
		t.Errorf("%d emails sent to the invitee, want 1", got)
	}

	// The same key with another body: 422, and nothing made.
	other := e2eEmail("other")
	reused := keyedRequest(t, base, owner, key, e2eCreateInvite,
		map[string]any{"i": map[string]any{"email": other, "projectId": project, "role": "CONTRIBUTOR"}})
	if reused.status != http.StatusUnprocessableEntity || reused.errorCode(t) != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("another body with the key: %d %s, want 422 IDEMPOTENCY_KEY_REUSED", reused.status, reused.body)
	}
	if n := invitesTo(t, other); n != 0 {
		t.Errorf("the refused request made %d invites", n)
	}
}

// retryInviteAtOnce: a client that sends its request again before the first has answered
// (two tabs, an eager retry) makes one invite: each other request is told that the first still
// runs (409), or, once it has answered, gets its answer, as their retries do.
func retryInviteAtOnce(t *testing.T, base, owner, project string) {
	for range 3 {
		invitee := e2eEmail("invitee")
		input := map[string]any{"i": map[string]any{"email": invitee, "projectId": project, "role": "CONTRIBUTOR"}}
		key := uuid.NewString()
		const n = 6
		answers := make([]httpAnswer, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range answers {
			wg.Go(func() {
				<-start
				answers[i] = keyedRequest(t, base, owner, key, e2eCreateInvite, input)
			})
		}
		close(start)
		wg.Wait()
		ran, runAnswer := 0, []byte(nil)
		for _, a := range answers {
			switch {
			case a.status == http.StatusOK && !a.replayed():
				ran, runAnswer = ran+1, a.body
			case a.status == http.StatusConflict:
				if a.errorCode(t) != "IDEMPOTENCY_KEY_IN_USE" || a.header.Get("Retry-After") == "" {
					t.Errorf("409 %s (Retry-After %q), want IDEMPOTENCY_KEY_IN_USE and a Retry-After", a.body, a.header.Get("Retry-After"))
				}
			case !a.replayed():
				t.Errorf("answer %d %s, want the run's, a replay of it, or 409", a.status, a.body)
			}
		}
		if got := invitesTo(t, invitee); ran != 1 || got != 1 {
			t.Fatalf("%d of %d requests at once ran, making %d invites; want 1 and 1", ran, n, got)
		}
		// Those told to wait retry, and get the run's answer.
		if later := keyedRequest(t, base, owner, key, e2eCreateInvite, input); !later.replayed() || !bytes.Equal(later.body, runAnswer) {
			t.Errorf("a retry after the run: %d %s, want its answer replayed", later.status, later.body)
		}
	}
}

// retryBulkUpload: a CSV upload sent again with its key, in a new multipart body (another
// boundary), is answered from the first; another file with the key is refused.
func retryBulkUpload(t *testing.T, base, owner, project string) {
	const bulk = `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) { summary { total newInvitations existingInvitations } } }`
	operations := `{"query":` + quoteJSON(bulk) + `,"variables":{"input":{"projectId":` + quoteJSON(project) + `,"csv":null}}}`
	people := []string{e2eEmail("ann"), e2eEmail("bob")}
	key := uuid.NewString()
	send := func(csv string) httpAnswer {
		body, contentType := multipartBody([2]string{"operations", operations}, [2]string{"map", `{"0":["variables.input.csv"]}`}, [2]string{"0", csv})
		return rawRequest(t, http.MethodPost, base+"/graphql", map[string]string{
			"Content-Type": contentType, "Authorization": "Bearer " + owner, "Idempotency-Key": key}, body, false)
	}
	csv := "email\n" + strings.Join(people, "\n") + "\n"
	first := send(csv)
	if first.status != http.StatusOK || !strings.Contains(string(first.body), `"newInvitations":2`) || first.replayed() {
		t.Fatalf("first upload: %d %s", first.status, first.body)
	}
	retry := send(csv)
	if !retry.replayed() || !bytes.Equal(retry.body, first.body) {
		t.Fatalf("retried upload: %d %s (replayed %v), want the first answer %s", retry.status, retry.body, retry.replayed(), first.body)
	}
	for _, p := range people {
		if n := invitesTo(t, p); n != 1 {
			t.Errorf("%d invites to %s, want 1", n, p)
		}
	}
	if other := send(csv + e2eEmail("cyd") + "\n"); other.status != http.StatusUnprocessableEntity || other.errorCode(t) != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("another file with the key: %d %s, want 422 IDEMPOTENCY_KEY_REUSED", other.status, other.body)
	}
}

// TestCORS_IdempotencyKey: the web app's page on another origin may send the header, and read
// whether an answer was replayed and when to retry.
func TestCORS_IdempotencyKey(t *testing.T) {
	base := startServer(t, map[string]string{"APP_URL": "https://app.example"})
	preflight := rawRequest(t, http.MethodOptions, base+"/graphql", map[string]string{"Origin": "https://app.example",
		"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, idempotency-key"}, nil, false)
	if allowed := strings.ToLower(preflight.header.Get("Access-Control-Allow-Headers")); !strings.Contains(allowed, "idempotency-key") {
		t.Errorf("preflight: Access-Control-Allow-Headers %q, want Idempotency-Key among them", allowed)
	}
	post := rawRequest(t, http.MethodPost, base+"/graphql", map[string]string{"Origin": "https://app.example",
		"Content-Type": "application/json"}, []byte(`{"query":"{ __typename }"}`), false)
	exposed := post.header.Get("Access-Control-Expose-Headers")
	for _, h := range []string{"Idempotent-Replayed", "Retry-After"} {
		if !strings.Contains(exposed, h) {
			t.Errorf("Access-Control-Expose-Headers %q, want %s among them", exposed, h)
		}
	}
}
