package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/config"
)

// keyed is one request with an Idempotency-Key (none when key is ""), from a client address.
type keyed struct {
	token, key, from string
	body             string // the JSON request
}

// send posts k to h and returns the recorded answer.
func (k keyed) send(h http.Handler) *httptest.ResponseRecorder {
	return k.sendWithin(context.Background(), h)
}

// sendWithin is send with the request's context.
func (k keyed) sendWithin(ctx context.Context, h http.Handler) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", strings.NewReader(k.body))
	req.Header.Set("Content-Type", "application/json")
	if k.token != "" {
		req.Header.Set("Authorization", "Bearer "+k.token)
	}
	if k.key != "" {
		req.Header.Set("Idempotency-Key", k.key)
	}
	if k.from != "" {
		req.RemoteAddr = k.from + ":4242"
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func jsonBody(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

const createProjectMutation = `mutation($n: String!) { createProject(input: {name: $n}) { id name } }`

// projectsNamed counts the projects named name.
func projectsNamed(t *testing.T, name string) int {
	t.Helper()
	n, err := pgDB(t).NewSelect().TableExpr("projects").Where("name = ?", name).Count(ctxBG)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// wantReplay fails the test unless rec replays first: the same status and body, marked.
func wantReplay(t *testing.T, rec, first *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != first.Code || !bytes.Equal(rec.Body.Bytes(), first.Body.Bytes()) || rec.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry = %d %s (replayed %q), want the first answer again: %d %s",
			rec.Code, rec.Body, rec.Header().Get("Idempotent-Replayed"), first.Code, first.Body)
	}
}

func TestIdempotencyKey_Mutation(t *testing.T) {
	h := newHandler(t)
	token := signUp(t, h, uniqueEmail("owner"))
	name := "Retried " + uuid.NewString()
	first := keyed{token: token, key: uuid.NewString(), body: jsonBody(createProjectMutation, map[string]any{"n": name})}
	firstAnswer := first.send(h)
	ok(t, answer(t, firstAnswer), nil)
	if firstAnswer.Header().Get("Idempotent-Replayed") != "" {
		t.Error("the first answer is marked as replayed")
	}

	// The same request, its JSON written otherwise and the key quoted as the draft's
	// sf-string: the same answer, and still one project.
	retry := first
	retry.key = `"` + first.key + `"`
	retry.body = `{ "variables": {"n": ` + string(must(json.Marshal(name))) + `}, "query": ` + string(must(json.Marshal(createProjectMutation))) + `}`
	wantReplay(t, retry.send(h), firstAnswer)
	if n := projectsNamed(t, name); n != 1 {
		t.Errorf("%d projects after a retry, want 1", n)
	}

	// Another body with the key: 422.
	reused := first
	reused.body = jsonBody(createProjectMutation, map[string]any{"n": name + " (2)"})
	rec := reused.send(h)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("another body with the key: HTTP %d, want 422", rec.Code)
	}
	wantCode(t, answer(t, rec), "IDEMPOTENCY_KEY_REUSED")
	if n := projectsNamed(t, name+" (2)"); n != 0 {
		t.Errorf("the refused request made %d projects", n)
	}

	// Without a key, each request runs.
	plain := keyed{token: token, body: jsonBody(createProjectMutation, map[string]any{"n": name})}
	ok(t, answer(t, plain.send(h)), nil)
	if n := projectsNamed(t, name); n != 2 {
		t.Errorf("%d projects after a request without a key, want 2", n)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestIdempotencyKey_PersistedQuery: a retry that sends only the hash of the document that the
// first sent whole asks the same.
func TestIdempotencyKey_PersistedQuery(t *testing.T) {
	h := newHandler(t)
	token := signUp(t, h, uniqueEmail("owner"))
	name := "Persisted " + uuid.NewString()
	ext := persisted(createProjectMutation)
	key := uuid.NewString()
	full := keyed{token: token, key: key, body: string(must(json.Marshal(map[string]any{
		"query": createProjectMutation, "variables": map[string]any{"n": name}, "extensions": ext})))}
	first := full.send(h)
	ok(t, answer(t, first), nil)
	hashOnly := full
	hashOnly.body = string(must(json.Marshal(map[string]any{"variables": map[string]any{"n": name}, "extensions": ext})))
	wantReplay(t, hashOnly.send(h), first)
}

// TestIdempotencyKey_Ignored: queries ignore the header, whatever it holds.
func TestIdempotencyKey_Ignored(t *testing.T) {
	h := newHandler(t)
	for _, key := range []string{uuid.NewString(), strings.Repeat("k", 300), "clé"} {
		q := keyed{key: key, body: `{"query":"{ __typename }"}`}
		for range 2 {
			rec := q.send(h)
			if rec.Code != http.StatusOK || rec.Header().Get("Idempotent-Replayed") != "" {
				t.Fatalf("a query with Idempotency-Key %.20q: %d %s (replayed %q), want it run", key, rec.Code, rec.Body, rec.Header().Get("Idempotent-Replayed"))
			}
		}
	}
}

// TestIdempotencyKey_Malformed: a mutation with a key that is not the draft's is refused before
// it runs.
func TestIdempotencyKey_Malformed(t *testing.T) {
	h := newHandler(t)
	token := signUp(t, h, uniqueEmail("owner"))
	name := "Malformed " + uuid.NewString()
	for _, key := range []string{strings.Repeat("k", 256), "clé", "a b", `"unclosed`} {
		rec := keyed{token: token, key: key, body: jsonBody(createProjectMutation, map[string]any{"n": name})}.send(h)
		r := answer(t, rec)
		if rec.Code != http.StatusBadRequest || wantCode(t, r, "BAD_USER_INPUT").Extensions.Reason != "INVALID_IDEMPOTENCY_KEY" {
			t.Errorf("key %.20q: %d %+v, want 400 INVALID_IDEMPOTENCY_KEY", key, rec.Code, r.Errors)
		}
	}
	if n := projectsNamed(t, name); n != 0 {
		t.Errorf("refused requests made %d projects", n)
	}
}

// TestIdempotencyKey_NotStored: a request that fails before it runs, and an answer that says a
// retry may go otherwise (RATE_LIMITED here), leave the key free; an error that is final is
// kept like any answer.
func TestIdempotencyKey_NotStored(t *testing.T) {
	cfg := config.Default()
	cfg.Domain.SignUpClientLimit = 1
	h := newServices(t, pgDB(t), cfg, app.Options{}).GraphQL(nil)
	token := signUp(t, h, uniqueEmail("owner")) // the address's one sign-up this hour
	key := uuid.NewString()

	// A variable of the wrong type: a request error, nothing ran.
	bad := keyed{token: token, key: key, body: jsonBody(createProjectMutation, map[string]any{"n": 42})}
	if r := answer(t, bad.send(h)); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("a bad variable: %+v, want BAD_USER_INPUT", r.Errors)
	}
	name := "After a request error " + uuid.NewString()
	good := keyed{token: token, key: key, body: jsonBody(createProjectMutation, map[string]any{"n": name})}
	if rec := good.send(h); rec.Code != http.StatusOK || rec.Header().Get("Idempotent-Replayed") != "" || projectsNamed(t, name) != 1 {
		t.Fatalf("the key after a request error: %d %s, want the request run", rec.Code, rec.Body)
	}

	// RATE_LIMITED: the retry runs again (and is refused again, not replayed).
	signUpFrom7 := func(name string) keyed {
		return keyed{key: uuid.NewString(), from: "192.0.2.7", body: jsonBody(signUpMutation, map[string]any{
			"input": map[string]any{"email": uniqueEmail(name), "password": "correct horse", "name": name}})}
	}
	ok(t, answer(t, signUpFrom7("first").send(h)), nil) // the address's one sign-up of the hour
	capped := signUpFrom7("capped")
	for range 2 {
		rec := capped.send(h)
		if answer(t, rec).code() != "RATE_LIMITED" || rec.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("a capped sign-up: %s (replayed %q), want it run, and RATE_LIMITED", rec.Body, rec.Header().Get("Idempotent-Replayed"))
		}
	}

	// A final error (BAD_USER_INPUT from the domain: an empty name) is kept.
	empty := keyed{token: token, key: uuid.NewString(), body: jsonBody(createProjectMutation, map[string]any{"n": " "})}
	first := empty.send(h)
	wantCode(t, answer(t, first), "BAD_USER_INPUT")
	wantReplay(t, empty.send(h), first)
}

// TestIdempotencyKey_Callers: a key belongs to its caller: the signed-in user, or an anonymous
// request's client address. signUp's answer holds a session token: it is replayed to the same
// address only.
func TestIdempotencyKey_Callers(t *testing.T) {
	h := newHandler(t)
	key := uuid.NewString()
	email := uniqueEmail("anon")
	up := keyed{key: key, from: "192.0.2.1", body: jsonBody(signUpMutation, map[string]any{
		"input": map[string]any{"email": email, "password": "correct horse", "name": "Anon"}})}
	first := up.send(h)
	ok(t, answer(t, first), nil)
	wantReplay(t, up.send(h), first)
	elsewhere := up
	elsewhere.from = "192.0.2.2"
	if r := answer(t, elsewhere.send(h)); r.code() != "EMAIL_TAKEN" {
		t.Errorf("the same key and body from another address: %+v, want it run (EMAIL_TAKEN), not replayed", r.Errors)
	}

	// Two users with one key and one body: each request runs.
	name := "Shared key " + uuid.NewString()
	for _, email := range []string{uniqueEmail("a"), uniqueEmail("b")} {
		req := keyed{token: signUp(t, h, email), key: key, from: "192.0.2.1", body: jsonBody(createProjectMutation, map[string]any{"n": name})}
		if rec := req.send(h); rec.Code != http.StatusOK || rec.Header().Get("Idempotent-Replayed") != "" {
			t.Errorf("%s: %d %s, want its own run", email, rec.Code, rec.Body)
		}
	}
	if n := projectsNamed(t, name); n != 2 {
		t.Errorf("%d projects, want one per user", n)
	}
}

type leaveKey struct{}

// leaveAtStart is a client that goes away as soon as its operation starts: it cancels the
// request's context that the test put in it (leaveKey).
type leaveAtStart struct{}

func (leaveAtStart) ExtensionName() string                   { return "LeaveAtStart" }
func (leaveAtStart) Validate(graphql.ExecutableSchema) error { return nil }

func (leaveAtStart) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if leave, ok := ctx.Value(leaveKey{}).(context.CancelFunc); ok {
		leave()
	}
	return next(ctx)
}

// TestIdempotencyKey_ClientGone: a mutation with a key runs to its end when its client goes
// away, and its retry gets the answer; without a key it stops.
func TestIdempotencyKey_ClientGone(t *testing.T) {
	h := newLimitedHandlerOn(t, pgDB(t), nil, leaveAtStart{})
	token := signUp(t, h, uniqueEmail("owner"))
	leaving := func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		return context.WithValue(ctx, leaveKey{}, cancel)
	}

	stopped := "Stopped " + uuid.NewString()
	plain := keyed{token: token, body: jsonBody(createProjectMutation, map[string]any{"n": stopped})}
	if r := answer(t, plain.sendWithin(leaving(), h)); r.code() != "INTERNAL" || projectsNamed(t, stopped) != 0 {
		t.Fatalf("without a key, the client gone: %+v, %d projects; want the run stopped", r.Errors, projectsNamed(t, stopped))
	}

	name := "Finished " + uuid.NewString()
	req := keyed{token: token, key: uuid.NewString(), body: jsonBody(createProjectMutation, map[string]any{"n": name})}
	first := req.sendWithin(leaving(), h)
	ok(t, answer(t, first), nil)
	wantReplay(t, req.send(h), first)
	if n := projectsNamed(t, name); n != 1 {
		t.Errorf("%d projects, want 1", n)
	}
}
