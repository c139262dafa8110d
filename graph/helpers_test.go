package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/invites/invites/graph"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newHandler returns the GraphQL handler over a real service; its emails are queued in the
// outbox but not sent, so tests read links from there.
func newHandler(t *testing.T) http.Handler {
	t.Helper()
	return newHandlerOn(t, pgtest.DB(t))
}

// newHandlerOn is newHandler over a database of the caller's (a counting one, say).
func newHandlerOn(t *testing.T, db *bun.DB) http.Handler {
	t.Helper()
	return newLimitedHandlerOn(t, db, nil)
}

// newLimitedHandlerOn is newHandlerOn with config.Default's query limits changed by lim.
func newLimitedHandlerOn(t *testing.T, db *bun.DB, lim func(*config.Limits)) http.Handler {
	t.Helper()
	cfg := config.Default()
	queue, err := mail.NewQueue(db, mail.QueueConfig{Mail: cfg.Mail, Sender: mail.NewLogSender(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Domain.AppURL = "https://app.example"
	// Every request of httptest comes from one address, and the package signs up hundreds of
	// accounts; the cap per client address is tested through the server.
	cfg.Domain.SignUpClientLimit = 0
	svc := invites.New(db, queue, invites.Config{Domain: cfg.Domain, Password: invites.PasswordParams{Memory: 1024, Time: 1, Threads: 1}})
	if lim != nil {
		lim(&cfg.GraphQL.Limits)
	}
	return graph.NewHandler(&graph.Resolver{Service: svc}, graph.HandlerOptions{GraphQL: cfg.GraphQL, Logger: quiet})
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
	Status int            `json:"-"`
}

// code returns the first error's extensions.code, or "" when there is none.
func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// do posts one GraphQL request, with a bearer token when token is not empty.
func do(t *testing.T, h http.Handler, token, query string, vars map[string]any) response {
	t.Helper()
	return post(t, h, token, map[string]any{"query": query, "variables": vars})
}

// doExt posts a request with extensions (a persisted query's hash, say).
func doExt(t *testing.T, h http.Handler, token, query string, ext map[string]any) response {
	t.Helper()
	return post(t, h, token, map[string]any{"query": query, "extensions": ext})
}

func post(t *testing.T, h http.Handler, token string, payload map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(payload)
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("response %d is not JSON: %s", rec.Code, rec.Body)
	}
	r.Status = rec.Code
	return r
}

// ok fails the test when r has errors, and returns its data.
func ok(t *testing.T, r response) map[string]any {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	return r.Data
}

// wantCode fails the test unless r's first error has code.
func wantCode(t *testing.T, r response, code string) gqlError {
	t.Helper()
	if r.code() != code {
		t.Fatalf("code = %q (errors %+v), want %s", r.code(), r.Errors, code)
	}
	return r.Errors[0]
}

// get walks a path of keys through decoded JSON.
func get(v any, path ...string) any {
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

var seq atomic.Int64

func uniqueEmail(prefix string) string {
	return prefix + "-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36) + strconv.FormatInt(seq.Add(1), 10) + "@example.com"
}

const signUpMutation = `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id email name emailVerified } } }`

// signUp creates an account through the API and returns its token.
func signUp(t *testing.T, h http.Handler, email string) string {
	t.Helper()
	d := ok(t, do(t, h, "", signUpMutation, map[string]any{"input": map[string]any{"email": email, "password": "correct horse", "name": "Test"}}))
	return get(d, "signUp", "token").(string)
}

// signUpVerified creates an account through the API, verifies its email through the emailed
// link (sending invites needs a verified email), and returns its token.
func signUpVerified(t *testing.T, h http.Handler, email string) string {
	t.Helper()
	token := signUp(t, h, email)
	ok(t, do(t, h, "", `mutation($t: String!) { verifyEmail(token: $t) { id } }`, map[string]any{"t": lastLinkToken(t, email)}))
	return token
}

// lastLinkToken returns the token at the end of the newest link emailed to recipient.
func lastLinkToken(t *testing.T, recipient string) string {
	t.Helper()
	var link string
	err := pgtest.DB(t).NewSelect().TableExpr("emails").Column("link").Where("recipient = ?", recipient).
		OrderExpr("created_at DESC, id DESC").Limit(1).Scan(context.Background(), &link)
	if err != nil {
		t.Fatalf("no email to %s: %v", recipient, err)
	}
	return link[strings.LastIndexByte(link, '/')+1:]
}

var ctxBG = context.Background()

func pgDB(t *testing.T) *bun.DB { return pgtest.DB(t) }

func countRows(t *testing.T, table string) int {
	t.Helper()
	n, err := pgtest.DB(t).NewSelect().TableExpr(table).Count(ctxBG)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
