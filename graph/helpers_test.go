package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(socketClientsEnv) != "" { // the clients of the socket benchmarks
		os.Exit(runSocketClients())
	}
	pgtest.Main(m)
}

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

// newLimitedHandlerOn is newHandlerOn with config.Default's query limits changed by lim, and
// extensions added to the server.
func newLimitedHandlerOn(t *testing.T, db *bun.DB, lim func(*config.Limits), extensions ...graphql.HandlerExtension) http.Handler {
	t.Helper()
	cfg := config.Default()
	cfg.Domain.AppURL = "https://app.example"
	// Every request of httptest comes from one address, and the package signs up hundreds of
	// accounts; the cap per client address is tested through the server.
	cfg.Domain.SignUpClientLimit = 0
	// Deliveries are queued but never posted (the services' jobs do not run here): the
	// package's tests read the delivery log; internal/webhooks posts them to a receiver.
	cfg.Webhooks.AllowLoopback = true
	cfg.Webhooks.SecretKey = []byte("graph-tests-webhook-secret-key-!")
	if lim != nil {
		lim(&cfg.GraphQL.Limits)
	}
	return newServices(t, db, cfg, app.Options{Extensions: extensions}).GraphQL(nil)
}

// newServices builds the server's services on db as internal/app does, with emails written
// to a quiet log and cheap passwords; their jobs do not run.
func newServices(t *testing.T, db *bun.DB, cfg config.Config, opts app.Options) *app.Services {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	opts.Password = invites.PasswordParams{Memory: 1024, Time: 1, Threads: 1}
	s, err := app.NewServices(context.Background(), db, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// gqlError is one error of a response, with the extensions of the contract.
type gqlError struct {
	Message    string     `json:"message"`
	Path       []any      `json:"path"`
	Extensions extensions `json:"extensions"`
}

// extensions are an error's extensions that the tests read.
type extensions struct {
	Code   string `json:"code"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Rows   []int  `json:"rows"`
}

// response is one answer read as the HTTP layer gives it: its status, its errors, and its data
// left for decode.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	Status int             `json:"-"`
}

// code returns the first error's extensions.code, or "" when there is none.
func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Extensions.Code
}

// decode reads r's data into out; a field of the answer that out lacks fails the test. No data
// reads as null: out is left as it is.
func (r response) decode(t testing.TB, out any) {
	t.Helper()
	if len(r.Data) == 0 {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(r.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("data %s: %v", r.Data, err)
	}
}

// gql runs query through gqlgen's test client, with a bearer token when token is not empty,
// and decodes its data into out (whose fields must cover the answer's), failing the test on
// any error. Refusals are read with do, which keeps the HTTP status.
func gql(t testing.TB, h http.Handler, token, query string, vars map[string]any, out any) {
	t.Helper()
	opts := []client.Option{client.Path("/graphql")}
	if token != "" {
		opts = append(opts, client.AddHeader("Authorization", "Bearer "+token))
	}
	for name, v := range vars {
		opts = append(opts, client.Var(name, v))
	}
	if err := client.New(h).Post(query, out, opts...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// do posts one GraphQL request, with a bearer token when token is not empty.
func do(t testing.TB, h http.Handler, token, query string, vars map[string]any) response {
	t.Helper()
	return post(t, h, token, map[string]any{"query": query, "variables": vars})
}

// doExt posts a request with extensions (a persisted query's hash, say).
func doExt(t testing.TB, h http.Handler, token, query string, ext map[string]any) response {
	t.Helper()
	return post(t, h, token, map[string]any{"query": query, "extensions": ext})
}

func post(t testing.TB, h http.Handler, token string, payload map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(payload)
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return answer(t, rec)
}

// answer reads a recorded GraphQL response.
func answer(t testing.TB, rec *httptest.ResponseRecorder) response {
	t.Helper()
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("response %d is not JSON: %.300s", rec.Code, rec.Body)
	}
	r.Status = rec.Code
	return r
}

// ok fails the test when r has errors, and decodes its data into out unless out is nil.
func ok(t testing.TB, r response, out any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if out != nil {
		r.decode(t, out)
	}
}

// wantCode fails the test unless r's first error has code.
func wantCode(t testing.TB, r response, code string) gqlError {
	t.Helper()
	if r.code() != code {
		t.Fatalf("code = %q (errors %+v), want %s", r.code(), r.Errors, code)
	}
	return r.Errors[0]
}

// typenameData is the answer to { __typename }.
type typenameData struct {
	Typename string `json:"__typename"`
}

// orNil is *p, or nil when p is nil: a nullable field as map walking read it, to compare
// with a value or with nil in one expression.
func orNil(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// myID returns the ID of token's user.
func myID(t testing.TB, h http.Handler, token string) string {
	t.Helper()
	var d struct{ Me struct{ ID string } }
	gql(t, h, token, `{ me { id } }`, nil, &d)
	return d.Me.ID
}

var seq atomic.Int64

func uniqueEmail(prefix string) string {
	return prefix + "-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36) + strconv.FormatInt(seq.Add(1), 10) + "@example.com"
}

const signUpMutation = `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id email name emailVerified } } }`

// signUpData is signUpMutation's answer.
type signUpData struct {
	SignUp struct {
		Token string
		User  struct {
			ID            string
			Email         string
			Name          string
			EmailVerified bool
		}
	}
}

// signUp creates an account through the API and returns its token.
func signUp(t *testing.T, h http.Handler, email string) string {
	t.Helper()
	var d signUpData
	gql(t, h, "", signUpMutation, map[string]any{"input": map[string]any{"email": email, "password": "correct horse", "name": "Test"}}, &d)
	return d.SignUp.Token
}

// signUpVerified creates an account through the API, verifies its email through the emailed
// link (sending invites needs a verified email), and returns its token.
func signUpVerified(t *testing.T, h http.Handler, email string) string {
	t.Helper()
	token := signUp(t, h, email)
	ok(t, do(t, h, "", `mutation($t: String!) { verifyEmail(token: $t) { id } }`, map[string]any{"t": lastLinkToken(t, email)}), nil)
	return token
}

// lastLinkToken returns the token at the end of the newest link emailed to recipient. A
// welcome after a join links to the project and holds no token: it is passed over.
func lastLinkToken(t *testing.T, recipient string) string {
	t.Helper()
	var link string
	err := pgtest.DB(t).NewSelect().TableExpr("emails").Column("link").Where("recipient = ? AND kind <> 'welcome'", recipient).
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
