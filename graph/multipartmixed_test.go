package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/pgtest"
)

// The Accept headers Apollo Client's HttpLink sends for a subscription and for a query with
// @defer.
const (
	acceptSubscription = `multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json`
	acceptDefer        = `multipart/mixed;deferSpec=20220824,application/json`
	subscribeInvites   = `subscription($p: ID!) { inviteChanged(projectId: $p) { email } }`
)

// liveServer is the GraphQL handler with live updates, served over HTTP (a recorder would not
// stream), and the hub that its subscriptions listen to: the tests publish the changes that
// PostgreSQL's NOTIFY would (internal/live's Listener, tested through the server in e2e/).
type liveServer struct {
	*httptest.Server
	hub *live.Hub
}

func newLiveServer(t *testing.T, change func(*config.Config)) liveServer {
	t.Helper()
	hub := live.NewHub(16)
	t.Cleanup(hub.Close)
	return newLiveServerOn(t, pgtest.DB(t), hub, change)
}

// newLiveServerOn is newLiveServer on the caller's database and hub.
func newLiveServerOn(t *testing.T, db *bun.DB, hub *live.Hub, change func(*config.Config)) liveServer {
	t.Helper()
	cfg := config.Default()
	cfg.Domain.AppURL = "https://app.example"
	cfg.Domain.SignUpClientLimit = 0
	if change != nil {
		change(&cfg)
	}
	srv := httptest.NewServer(newServices(t, db, cfg, app.Options{}).GraphQL(hub))
	t.Cleanup(srv.Close)
	return liveServer{srv, hub}
}

// open posts a request with accept and returns the response, its body still to read.
func (s liveServer) open(t *testing.T, token, accept, query string, vars map[string]any) *http.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// part is one part of a multipart answer, or its end (end true, after the closing boundary;
// err set where the body ended without one).
type part struct {
	body string
	end  bool
	err  error
}

// readParts reads a multipart/mixed body with the boundary "graphql" part by part, as Apollo
// Client does: a part is complete once the delimiter after it has arrived.
func readParts(t *testing.T, resp *http.Response) <-chan part {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, `multipart/mixed; boundary="graphql"`) {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d, Content-Type %q, want multipart/mixed with the boundary graphql: %s", resp.StatusCode, ct, b)
	}
	out := make(chan part, 100)
	go func() {
		const delimiter = "\r\n--graphql"
		var buf []byte
		chunk := make([]byte, 4096)
		for {
			for i := bytes.Index(buf, []byte(delimiter)); i >= 0; i = bytes.Index(buf, []byte(delimiter)) {
				msg := string(buf[:i])
				buf = buf[i+len(delimiter):]
				if _, body, ok := strings.Cut(msg, "\r\n\r\n"); ok {
					if !strings.Contains(strings.ToLower(msg), "content-type: application/json") {
						out <- part{err: io.ErrUnexpectedEOF, body: msg}
						return
					}
					out <- part{body: body}
				}
			}
			if bytes.HasPrefix(buf, []byte("--")) {
				out <- part{end: true}
				return
			}
			n, err := resp.Body.Read(chunk)
			buf = append(buf, chunk[:n]...)
			if err != nil && n == 0 {
				out <- part{end: true, err: err}
				return
			}
		}
	}()
	return out
}

// nextPart is the next part that is not a heartbeat (`{}`), decoded into out; false at the end.
func nextPart(t *testing.T, parts <-chan part, out any) bool {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case p := <-parts:
			if p.end {
				if p.err != nil {
					t.Fatalf("the answer ended without its closing boundary: %v", p.err)
				}
				return false
			}
			if p.err != nil {
				t.Fatalf("a part that is not JSON: %q", p.body)
			}
			if p.body == "{}" {
				continue
			}
			if err := json.Unmarshal([]byte(p.body), out); err != nil {
				t.Fatalf("part %q: %v", p.body, err)
			}
			return true
		case <-timeout:
			t.Fatal("no part after 20s")
		}
	}
}

// firstPart is the first part, heartbeat included (a probe with a minute's deadline).
func firstPart(t *testing.T, parts <-chan part) part {
	t.Helper()
	select {
	case p := <-parts:
		return p
	case <-time.After(time.Minute):
		t.Fatal("no part after a minute")
		return part{}
	}
}

// event is one part of a multipart subscription.
type event struct {
	Payload *struct {
		Data struct {
			InviteChanged struct{ Email string }
		}
		Errors []gqlError
	}
	Errors []gqlError
}

// inviteAndPublish creates an invite to project through h and publishes its change, as the
// database's trigger would.
func (s liveServer) inviteAndPublish(t *testing.T, owner, project, email string) {
	t.Helper()
	var d struct{ CreateInvite struct{ ID string } }
	gql(t, s.Config.Handler, owner, `mutation($i: CreateInviteInput!) { createInvite(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"email": email, "projectId": project, "role": "CONTRIBUTOR"}}, &d)
	s.hub.Publish(live.Change{Kind: live.KindInvite, Project: uuid.MustParse(project), IDs: []uuid.UUID{uuid.MustParse(d.CreateInvite.ID)}})
}

// TestMultipartSubscription: Apollo's multipart HTTP subscriptions through the real handler:
// the stream opens at once with a heartbeat, each change is a part {"payload": ...}, and the
// server's shutdown ends it with an error of the stream and the closing boundary.
func TestMultipartSubscription(t *testing.T) {
	s := newLiveServer(t, nil)
	h := s.Config.Handler
	owner := signUpVerified(t, h, uniqueEmail("mp-owner"))
	project := newProject(t, h, owner, "Live")

	resp := s.open(t, owner, acceptSubscription, subscribeInvites, map[string]any{"p": project})
	parts := readParts(t, resp)
	if first := firstPart(t, parts); first.body != "{}" {
		t.Fatalf("first part %+v, want the heartbeat {} before any change", first)
	}
	for _, email := range []string{uniqueEmail("mp-one"), uniqueEmail("mp-two")} {
		s.inviteAndPublish(t, owner, project, email)
		var e event
		if !nextPart(t, parts, &e) || e.Payload == nil || e.Payload.Data.InviteChanged.Email != email || len(e.Payload.Errors) > 0 {
			t.Fatalf("after inviting %s: %+v, want its change", email, e)
		}
	}
	s.hub.Close()
	var e event
	if !nextPart(t, parts, &e) || e.Payload != nil || len(e.Errors) != 1 || e.Errors[0].Extensions.Code != "UNAVAILABLE" {
		t.Fatalf("at shutdown: %+v, want {payload: null, errors: [UNAVAILABLE]}", e)
	}
	if nextPart(t, parts, &e) {
		t.Fatalf("after the stream's error: %+v, want the closing boundary", e)
	}
}

// TestMultipartSubscription_Refusals: a stream is authorised like any request, its first and
// only event says why not; it counts against the user's live connections like an SSE stream.
func TestMultipartSubscription_Refusals(t *testing.T) {
	s := newLiveServer(t, func(c *config.Config) { c.GraphQL.Live.ConnectionsPerUser = 1 })
	h := s.Config.Handler
	owner := signUpVerified(t, h, uniqueEmail("mp-owner"))
	stranger := signUpVerified(t, h, uniqueEmail("mp-stranger"))
	project := newProject(t, h, owner, "Live")
	vars := map[string]any{"p": project}

	held := readParts(t, s.open(t, owner, acceptSubscription, subscribeInvites, vars))
	firstPart(t, held) // open: the owner's one live connection
	for _, tc := range []struct{ name, token, want string }{
		{"anonymous", "", "UNAUTHENTICATED"},
		{"stranger", stranger, "NOT_FOUND"},
		{"second stream", owner, "RATE_LIMITED"},
	} {
		parts := readParts(t, s.open(t, tc.token, acceptSubscription, subscribeInvites, vars))
		var e event
		if !nextPart(t, parts, &e) || e.Payload == nil || len(e.Payload.Errors) != 1 || e.Payload.Errors[0].Extensions.Code != tc.want {
			t.Errorf("%s: %+v, want one event with %s", tc.name, e, tc.want)
		}
		if nextPart(t, parts, &e) {
			t.Errorf("%s: then %+v, want the end", tc.name, e)
		}
	}
}

// TestSubscription_OverPlainJSON: a subscription sent for one JSON answer, by POST or GET, is
// refused at once (it used to wait for the first change), saying which transports serve it.
func TestSubscription_OverPlainJSON(t *testing.T) {
	s := newLiveServer(t, nil)
	h := s.Config.Handler
	owner := signUpVerified(t, h, uniqueEmail("mp-owner"))
	vars := map[string]any{"p": newProject(t, h, owner, "Live")}
	for _, accept := range []string{"application/json", "application/graphql-response+json", ""} {
		r := answerOf(t, s.open(t, owner, accept, subscribeInvites, vars))
		e := wantCode(t, r, "BAD_USER_INPUT")
		if r.Status != http.StatusNotAcceptable || e.Extensions.Reason != "SUBSCRIPTION_NEEDS_STREAM" || !strings.Contains(e.Message, "multipart") {
			t.Errorf("POST, Accept %q: %d %+v, want 406 SUBSCRIPTION_NEEDS_STREAM naming the transports", accept, r.Status, e)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/graphql?query="+strings.ReplaceAll(`subscription { activityAdded(projectId: "x") { id } }`, " ", "+"), nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if r := answer(t, rec); r.Status != http.StatusNotAcceptable || r.code() != "BAD_USER_INPUT" {
		t.Errorf("GET: %d %+v, want 406 BAD_USER_INPUT", r.Status, r.Errors)
	}
}

// answerOf reads a JSON answer of a real HTTP response.
func answerOf(t *testing.T, resp *http.Response) response {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	var r response
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	r.Status = resp.StatusCode
	return r
}

// TestMultipart_Deadline: a multipart subscription has no REQUEST_TIMEOUT, a query with
// @defer over multipart does. The server serving them has a deadline that has always passed
// already; another over the same database and hub does the rest.
func TestMultipart_Deadline(t *testing.T) {
	db, hub := pgtest.DB(t), live.NewHub(16)
	t.Cleanup(hub.Close)
	s := newLiveServerOn(t, db, hub, nil)
	h := s.Config.Handler
	owner := signUpVerified(t, h, uniqueEmail("mp-owner"))
	project := newProject(t, h, owner, "Live")
	expired := newLiveServerOn(t, db, hub, func(c *config.Config) { c.GraphQL.Limits.RequestTimeout = time.Nanosecond })

	parts := readParts(t, expired.open(t, owner, acceptSubscription, subscribeInvites, map[string]any{"p": project}))
	firstPart(t, parts) // the stream is open
	email := uniqueEmail("mp-late")
	s.inviteAndPublish(t, owner, project, email)
	var e event
	if !nextPart(t, parts, &e) || e.Payload == nil || e.Payload.Data.InviteChanged.Email != email {
		t.Errorf("a subscription past REQUEST_TIMEOUT: %+v, want the change", e)
	}

	r := answerOf(t, expired.open(t, owner, acceptDefer, projectDeferred, map[string]any{"p": project}))
	if e := wantCode(t, r, "INTERNAL"); e.Extensions.Reason != "REQUEST_TIMEOUT" {
		t.Errorf("a query with @defer past REQUEST_TIMEOUT: %+v, want REQUEST_TIMEOUT", e)
	}
}

// projectDeferred asks for a project's name at once, and for its counts, slower, deferred.
const projectDeferred = `query($p: ID!) { project(id: $p) { name ... @defer(label: "counts") { invites { totalCount } activity { totalCount } } } }`

// incremental is one part of an answer to a query with @defer.
type incremental struct {
	Data struct {
		Project struct{ Name string }
	}
	Errors      []gqlError
	HasNext     *bool
	Incremental []struct {
		Data struct {
			Invites, Activity struct{ TotalCount int }
		}
		Path  []any
		Label string
	}
}

// TestDefer: a query with @defer is answered in parts to a client that asks for
// multipart/mixed (first or last in its Accept), refused to one that does not, and a query
// without it is one JSON answer either way.
func TestDefer(t *testing.T) {
	s := newLiveServer(t, nil)
	h := s.Config.Handler
	owner := signUpVerified(t, h, uniqueEmail("defer-owner"))
	project := newProject(t, h, owner, "Live")
	s.inviteAndPublish(t, owner, project, uniqueEmail("defer-invitee"))
	vars := map[string]any{"p": project}

	for _, accept := range []string{acceptDefer, "application/graphql-response+json, application/json, multipart/mixed"} {
		parts := readParts(t, s.open(t, owner, accept, projectDeferred, vars))
		var first, rest incremental
		if !nextPart(t, parts, &first) || first.Data.Project.Name != "Live" || first.HasNext == nil || !*first.HasNext {
			t.Fatalf("Accept %q: first part %+v, want the name and hasNext", accept, first)
		}
		if !nextPart(t, parts, &rest) || rest.HasNext == nil || *rest.HasNext || len(rest.Incremental) != 1 {
			t.Fatalf("Accept %q: second part %+v, want the deferred fields and no more", accept, rest)
		}
		got := rest.Incremental[0]
		if got.Label != "counts" || len(got.Path) != 1 || got.Path[0] != "project" || got.Data.Invites.TotalCount != 1 || got.Data.Activity.TotalCount == 0 {
			t.Errorf("Accept %q: deferred %+v, want the counts at [project] labelled counts", accept, got)
		}
		if nextPart(t, parts, &rest) {
			t.Errorf("Accept %q: a third part %+v, want the closing boundary", accept, rest)
		}
	}

	// gqlgen answers a fragment deferred at the root, or in a mutation, with the rest: one
	// JSON answer, whatever Accept says.
	for query, want := range map[string]string{
		`{ __typename ... @defer { me { name } } }`:                                       `"me":{"name":`,
		`mutation { createProject(input: {name: "M"}) { id ... @defer { viewerRole } } }`: `"viewerRole":"OWNER"`,
	} {
		for _, accept := range []string{acceptDefer, "application/json"} {
			if r := answerOf(t, s.open(t, owner, accept, query, nil)); len(r.Errors) > 0 || !strings.Contains(string(r.Data), want) {
				t.Errorf("%s, Accept %q: %d %s %+v, want %s in one answer", query, accept, r.Status, r.Data, r.Errors, want)
			}
		}
	}

	// Introspection says what @defer does here.
	var schema struct {
		Schema struct {
			Directives []struct{ Name, Description string }
		} `json:"__schema"`
	}
	gql(t, h, "", `{ __schema { directives { name description } } }`, nil, &schema)
	described := false
	for _, d := range schema.Schema.Directives {
		described = described || d.Name == "defer" && strings.Contains(d.Description, "multipart/mixed")
	}
	if !described {
		t.Errorf("introspection's directives %+v, want @defer saying it needs multipart/mixed", schema.Schema.Directives)
	}

	r := answerOf(t, s.open(t, owner, "application/json", projectDeferred, vars))
	if e := wantCode(t, r, "BAD_USER_INPUT"); r.Status != http.StatusNotAcceptable || e.Extensions.Reason != "DEFER_NEEDS_MULTIPART" {
		t.Errorf("@defer over JSON: %d %+v, want 406 DEFER_NEEDS_MULTIPART", r.Status, e)
	}
	resp := s.open(t, owner, acceptDefer, `query($p: ID!) { project(id: $p) { name } }`, vars)
	if r := answerOf(t, resp); r.Status != http.StatusOK || len(r.Errors) > 0 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("no @defer, Accept multipart first: %d %s %+v, want one JSON answer", r.Status, resp.Header.Get("Content-Type"), r.Errors)
	}
}

// TestMultipartSubscription_Heartbeats: an idle stream gets a `{}` part every LIVE_KEEPALIVE,
// which Apollo Client skips, so that no proxy takes it for dead.
func TestMultipartSubscription_Heartbeats(t *testing.T) {
	s := newLiveServer(t, func(c *config.Config) { c.GraphQL.Live.KeepAlive = time.Millisecond })
	h := s.Config.Handler
	owner := signUpVerified(t, h, uniqueEmail("mp-owner"))
	parts := readParts(t, s.open(t, owner, acceptSubscription, subscribeInvites, map[string]any{"p": newProject(t, h, owner, "Live")}))
	for i := range 3 { // the first says the subscription is in place; the others keep it alive
		select {
		case p := <-parts:
			if p.body != "{}" || p.end {
				t.Fatalf("part %d of an idle stream: %+v, want a heartbeat", i, p)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no part %d after 20s", i)
		}
	}
}
