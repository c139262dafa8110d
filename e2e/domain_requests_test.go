package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/dnstest"
	"github.com/invites/invites/internal/mail/smtptest"
)

const (
	e2eAskByDomain  = `mutation($p: ID!) { requestToJoin(input: {projectId: $p, message: "I work here"}) { id status } }`
	e2eJoinablePend = `{ joinableProjects { policy role project { id } pendingRequest { id status } } }`
)

// TestServer_RequestToJoinByDomain: the way in by a verified domain whose policy is REQUEST,
// through the real server with DNS_RESOLVER on a real DNS server on loopback. The project is
// unknown to an unverified email at the domain and to another domain's; a verified email
// there sees it, asks (the admins' joinRequestChanged sees the request, a join_request.created
// delivery is queued, joinableProjects shows the pending request, node finds it), cannot ask
// twice, and is told of the approval by email; once the policy is OFF nobody else may ask.
func TestServer_RequestToJoinByDomain(t *testing.T) {
	dns, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{
		"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SIGNUP_CLIENT_LIMIT": "0", "DNS_RESOLVER": dns.Addr,
	})}
	owner := c.signUpVerified(smtp, e2eEmail("rq-owner"), "Olga Owner")
	project := c.createProject(owner, "Asked by domain")
	name := "asked-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ".test"
	var added struct{ AddProjectDomain e2eDomain }
	c.do(owner, e2eAddDomain, map[string]any{"p": project, "d": name}, &added)
	d := added.AddProjectDomain
	dns.SetTXT(d.TxtRecordName, d.TxtRecordValue)
	c.do(owner, e2eVerifyDomain, map[string]any{"id": d.ID}, nil)
	c.do(owner, e2eSetPolicy, map[string]any{"i": map[string]any{"id": d.ID, "policy": "REQUEST"}}, nil)
	var hook struct {
		CreateWebhookEndpoint struct{ Endpoint struct{ ID string } }
	}
	c.do(owner, e2eCreateEndpoint, map[string]any{"i": map[string]any{"projectId": project, "url": "https://93.184.216.34/h", "events": []string{"join_request.created"}}}, &hook)

	subs := dialWS(t, c.base, owner).subscribe(map[string][2]any{
		"requests": {`subscription($p: ID!) { joinRequestChanged(projectId: $p) { id status } }`, map[string]any{"p": project}},
	})
	waitSubscribers(t, c.base, 1)

	// Unverified at the domain, or verified elsewhere: as for a project that does not exist.
	unverified := c.signUp(map[string]any{"email": "una@" + name, "password": "correct horse", "name": "Una"}).SignUp.Token
	outsider := c.signUpVerified(smtp, e2eEmail("rq-outsider"), "Otto")
	for who, token := range map[string]string{"unverified": unverified, "outsider": outsider} {
		if code := c.try(token, e2eAskByDomain, map[string]any{"p": project}, nil).code(); code != "NOT_FOUND" {
			t.Fatalf("%s: requestToJoin code %q, want NOT_FOUND", who, code)
		}
	}

	askerEmail := "asa@" + name
	asker := c.signUpVerified(smtp, askerEmail, "Asa Asker")
	var asked struct{ RequestToJoin struct{ ID, Status string } }
	c.do(asker, e2eAskByDomain, map[string]any{"p": project}, &asked)
	id := asked.RequestToJoin.ID
	if asked.RequestToJoin.Status != "PENDING" {
		t.Fatalf("requestToJoin = %+v", asked.RequestToJoin)
	}
	nextRequest(t, subs["requests"], id, "PENDING")
	if code := c.try(asker, e2eAskByDomain, map[string]any{"p": project}, nil).code(); code != "JOIN_REQUEST_EXISTS" {
		t.Fatalf("asking twice: code %q, want JOIN_REQUEST_EXISTS", code)
	}
	var list struct {
		JoinableProjects []struct {
			Policy, Role   string
			Project        struct{ ID string }
			PendingRequest *struct{ ID, Status string }
		}
	}
	c.do(asker, e2eJoinablePend, nil, &list)
	if l := list.JoinableProjects; len(l) != 1 || l[0].Policy != "REQUEST" || l[0].Project.ID != project || l[0].PendingRequest == nil || l[0].PendingRequest.ID != id {
		t.Fatalf("joinableProjects = %+v, want the project with request %s", l, id)
	}
	var node struct{ Node *struct{ ID string } }
	c.do(asker, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &node)
	if node.Node == nil || node.Node.ID != id {
		t.Fatalf("node(request) as its maker = %+v", node.Node)
	}
	var deliveries struct {
		Node struct {
			Deliveries struct {
				Edges []struct{ Node struct{ EventType string } }
			}
		}
	}
	c.do(owner, `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { deliveries(first: 10) { edges { node { eventType } } } } } }`,
		map[string]any{"id": hook.CreateWebhookEndpoint.Endpoint.ID}, &deliveries)
	if e := deliveries.Node.Deliveries.Edges; len(e) != 1 || e[0].Node.EventType != "join_request.created" {
		t.Fatalf("the endpoint's deliveries = %+v, want one join_request.created", e)
	}

	var approved struct{ ApproveJoinRequests []struct{ ErrorCode *string } }
	c.do(owner, `mutation($ids: [ID!]!) { approveJoinRequests(ids: $ids) { errorCode } }`, map[string]any{"ids": []string{id}}, &approved)
	if e := approved.ApproveJoinRequests[0].ErrorCode; e != nil {
		t.Fatalf("approving: %s", *e)
	}
	nextRequest(t, subs["requests"], id, "APPROVED")
	// The approval is told by the welcome (after the verification email of the sign-up).
	if got := smtp.WaitFor(t, askerEmail, 2, mailWait)[1]; !strings.Contains(got.Subject, "You joined Asked by domain") {
		t.Errorf("the welcome's subject is %q", got.Subject)
	}

	// The policy OFF: the project is unknown again to a verified email at the domain.
	c.do(owner, e2eSetPolicy, map[string]any{"i": map[string]any{"id": d.ID, "policy": "OFF"}}, nil)
	late := c.signUpVerified(smtp, "lou@"+name, "Lou")
	if code := c.try(late, e2eAskByDomain, map[string]any{"p": project}, nil).code(); code != "NOT_FOUND" {
		t.Fatalf("asking under policy OFF: code %q, want NOT_FOUND", code)
	}
}
