package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pglocal"
)

// TestServer_TypedClient runs client/test/live.ts, compiled, with node: real operations through
// the built package @invites/client (urql with the generated documents, and Apollo Client 3 and
// 4 and graphql-request with the same documents) against the real server, the way a front end
// sends them: a query, mutations, error codes, a CSV uploaded to bulkInvite as a multipart
// request, and subscriptions through createClient over WebSocket and server-sent events. The
// client's packages are installed with npm ci when they are missing; without node and npm the
// test is skipped, except under CI, where it fails.
func TestServer_TypedClient(t *testing.T) {
	for _, tool := range []string{"node", "npm", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("the typed client's test needs %s: %v", tool, err)
			}
			t.Skipf("no %s: the typed client's test needs node 20+ and npm", tool)
		}
	}
	clientDir, err := filepath.Abs(filepath.Join(pglocal.ModuleRoot(), "client"))
	if err != nil {
		t.Fatal(err)
	}
	runIn(t, clientDir, nil, "bash", "install.sh")
	runIn(t, clientDir, nil, "npm", "run", "--silent", "build")
	runIn(t, clientDir, nil, "npm", "run", "--silent", "build:test")

	smtp := smtptest.Start(t)
	base := startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h"})
	c := e2eClient{t, base}

	// The owner signs up here; the script verifies the email with the emailed link's token, as
	// sending an invite needs a verified email.
	owner := e2eEmail("client-owner")
	session := c.signUp(map[string]any{"email": owner, "password": "correct horse", "name": "Olga Owner"}).SignUp.Token
	verifyLink := smtp.WaitFor(t, owner, 1, mailWait)[0].Link("https://app.example/verify-email/")
	if verifyLink == "" {
		t.Fatal("no verification link in the sign-up email")
	}
	// The script invites "websocket-0.<liveInvitee>", ... until each subscription reports one.
	invitee, csvInvitee, liveInvitee := e2eEmail("client-invitee"), e2eEmail("client-csv"), e2eEmail("client-live")
	input, _ := json.Marshal(map[string]string{
		"url": base + "/graphql", "token": session, "verifyToken": tokenOf(verifyLink),
		"invitee": invitee, "csvInvitee": csvInvitee, "liveInvitee": liveInvitee,
	})
	stdout := runIn(t, clientDir, []string{"LIVE_INPUT=" + string(input)}, "node", "test/dist/live.js")

	var got struct {
		VerifyEmail any
		Me          struct {
			Email         string
			EmailVerified bool
		}
		AnonymousMe any
		ProjectID   string
		ViewerRole  string
		Invite      struct {
			Email, Role, ExternalID, Status string
			Project                         struct{ ID string }
		}
		Errors struct {
			AlreadyInvited, SignedOut, BlankName, BlankNameField, Invalid string
		}
		ApolloMembers     []struct{ Email, Role string }
		Apollo4Members    []struct{ Email, Role string }
		OtherClientErrors map[string]string
		Preview           struct{ Total, NewInvitations, ExistingInvitations, Failed int }
		Bulk              struct {
			Summary struct{ Total, NewInvitations, ExistingInvitations, Failed int }
			Results []map[string]any
		}
		Invites  []e2eInviteNode
		Live     map[string]struct{ Email, Status, Code string }
		Deferred map[string]struct {
			Results []struct {
				Name    string
				Invites *int
			}
			Error string
		}
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("the script's output %q: %v", stdout, err)
	}

	if got.VerifyEmail != true || got.Me.Email != owner || !got.Me.EmailVerified || got.AnonymousMe != nil {
		t.Errorf("verifyEmail %v, me %+v, me signed out %v; want true, %s verified, null", got.VerifyEmail, got.Me, got.AnonymousMe, owner)
	}
	if got.ProjectID == "" || got.ViewerRole != "OWNER" {
		t.Errorf("createProject: id %q, viewerRole %q; want an ID and OWNER", got.ProjectID, got.ViewerRole)
	}
	if i := got.Invite; i.Email != invitee || i.Role != "CONTRIBUTOR" || i.ExternalID != "S-1" || i.Status != "PENDING" || i.Project.ID != got.ProjectID {
		t.Errorf("createInvite = %+v, want %s a PENDING CONTRIBUTOR with S-1 in project %s", i, invitee, got.ProjectID)
	}
	wantErrors := struct{ AlreadyInvited, SignedOut, BlankName, BlankNameField, Invalid string }{
		"ALREADY_INVITED", "UNAUTHENTICATED", "BAD_USER_INPUT", "name", "BAD_USER_INPUT"}
	if got.Errors != wantErrors {
		t.Errorf("error codes = %+v, want %+v", got.Errors, wantErrors)
	}
	// Apollo Client 3 and 4, with the same documents; errorCode on their errors and on
	// graphql-request's: a resolver's error and a document that fails validation.
	for name, members := range map[string][]struct{ Email, Role string }{"Apollo Client 3": got.ApolloMembers, "Apollo Client 4": got.Apollo4Members} {
		if len(members) != 1 || members[0].Email != owner || members[0].Role != "OWNER" {
			t.Errorf("members through %s = %+v, want the owner alone", name, members)
		}
	}
	wantCodes := map[string]string{}
	for _, client := range []string{"apollo3", "apollo4", "graphqlRequest"} {
		wantCodes[client+"BlankName"], wantCodes[client+"Invalid"] = "BAD_USER_INPUT", "BAD_USER_INPUT"
	}
	if !reflect.DeepEqual(got.OtherClientErrors, wantCodes) {
		t.Errorf("error codes through the other clients = %v, want %v", got.OtherClientErrors, wantCodes)
	}

	// Subscriptions through createClient: over WebSocket and over SSE each reports a PENDING
	// invite of the project, and so does Apollo Client's HttpLink alone (3 and 4: multipart
	// HTTP subscriptions); without a token, UNAUTHENTICATED.
	for _, transport := range []string{"websocket", "sse", "apollo3", "apollo4"} {
		e := got.Live[transport]
		known := e.Email == invitee || e.Email == csvInvitee || strings.HasSuffix(e.Email, "."+liveInvitee)
		if !known || e.Status != "PENDING" || e.Code != "" {
			t.Errorf("inviteChanged over %s: first result %+v, want a PENDING invite of the project", transport, e)
		}
	}
	for _, transport := range []string{"websocketSignedOut", "apollo3SignedOut"} {
		if e := got.Live[transport]; e.Code != "UNAUTHENTICATED" {
			t.Errorf("inviteChanged (%s) without a token: first result %+v, want UNAUTHENTICATED", transport, e)
		}
	}
	// A query with @defer through Apollo Client 3 and 4: the name first, then with the
	// deferred count of the project's invites (at least the one createInvite made).
	for _, client := range []string{"apollo3", "apollo4"} {
		got := got.Deferred[client]
		if d := got.Results; got.Error != "" || len(d) != 2 || d[0].Name != "Client test" || d[0].Invites != nil || d[1].Invites == nil || *d[1].Invites == 0 {
			t.Errorf("a query with @defer through %s: %+v, want the name, then the invites' count", client, got)
		}
	}

	// The CSV went as a multipart upload: its header is line 1, so its rows are 2 to 4.
	wantSummary := struct{ Total, NewInvitations, ExistingInvitations, Failed int }{3, 1, 1, 1}
	if got.Preview != wantSummary || got.Bulk.Summary != wantSummary {
		t.Errorf("bulkInvite summary: dry run %+v, then %+v; want %+v both times", got.Preview, got.Bulk.Summary, wantSummary)
	}
	wantResults := []map[string]any{
		{"kind": "NewInvitation", "row": 2.0, "email": csvInvitee, "role": "ADMIN", "externalId": "S-2"},
		{"kind": "ExistingInvitation", "row": 3.0, "email": invitee, "role": "CONTRIBUTOR"},
		{"kind": "FailedInvite", "row": 4.0, "email": "not-an-email", "reason": "INVALID_EMAIL", "existingInvite": nil},
	}
	if !reflect.DeepEqual(got.Bulk.Results, wantResults) {
		t.Errorf("bulkInvite results:\n got %v\nwant %v", got.Bulk.Results, wantResults)
	}

	// What the server holds now, read through the client and, apart from it, over plain HTTP.
	wantInvites := map[string]string{invitee: "CONTRIBUTOR S-1", csvInvitee: "ADMIN S-2"}
	var overHTTP struct {
		Project struct {
			Invites struct {
				Edges []struct{ Node e2eInviteNode }
			}
		}
	}
	c.do(session, `query($p: ID!) { project(id: $p) { invites(first: 100) { edges { node { email role externalId } } } } }`,
		map[string]any{"p": got.ProjectID}, &overHTTP)
	var nodes []e2eInviteNode
	for _, e := range overHTTP.Project.Invites.Edges {
		if !strings.HasSuffix(e.Node.Email, "."+liveInvitee) { // those the subscriptions saw
			nodes = append(nodes, e.Node)
		}
	}
	for name, invites := range map[string][]e2eInviteNode{"through the client": got.Invites, "over HTTP": nodes} {
		have := map[string]string{}
		for _, n := range invites {
			have[n.Email] = n.Role + " " + n.ExternalID
		}
		if !reflect.DeepEqual(have, wantInvites) {
			t.Errorf("the project's invites %s = %v, want %v", name, have, wantInvites)
		}
	}
}

// e2eInviteNode is an invite as the client script and the server's invites list show it.
type e2eInviteNode struct {
	Email, Role, ExternalID string
}

// runIn runs a command in dir with env added to the test's environment and returns its
// standard output, failing the test (with its standard error) when it fails.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s in %s: %v\n%s%s", name, strings.Join(args, " "), dir, err, out, stderr.String())
	}
	return out
}
