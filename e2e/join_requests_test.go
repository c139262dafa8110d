package e2e

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/mail/smtptest"
)

// TestJoinRequests_ThroughTheServer: an invite link that requires approval, through the real
// server: joinWithLink answers APPROVAL_REQUIRED, requestToJoin makes a request that an
// admin's joinRequestChanged subscription sees, and the same request approved by two admins
// at the same moment makes one membership.
func TestJoinRequests_ThroughTheServer(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h"})}
	owner := c.signUpVerified(smtp, e2eEmail("jr-owner"), "Olga Owner")
	project := c.createProject(owner, "Approval")
	var link struct{ CreateInviteLink struct{ URL string } }
	c.do(owner, `mutation($i: CreateInviteLinkInput!) { createInviteLink(input: $i) { url } }`,
		map[string]any{"i": map[string]any{"projectId": project, "role": "CONTRIBUTOR", "requiresApproval": true}}, &link)
	token := tokenOf(link.CreateInviteLink.URL)

	subs := dialWS(t, c.base, owner).subscribe(map[string][2]any{
		"requests": {`subscription($p: ID!) { joinRequestChanged(projectId: $p) { id status role } }`, map[string]any{"p": project}},
	})
	waitSubscribers(t, c.base, 1)

	askerEmail := e2eEmail("jr-asker")
	asker := c.signUpVerified(smtp, askerEmail, "Asa Asker")
	if code := c.try(asker, `mutation($t: String!) { joinWithLink(token: $t) { id } }`, map[string]any{"t": token}, nil).code(); code != "APPROVAL_REQUIRED" {
		t.Fatalf("joinWithLink: %q, want APPROVAL_REQUIRED", code)
	}
	var req struct{ RequestToJoin struct{ ID, Status string } }
	c.do(asker, `mutation($i: RequestToJoinInput!) { requestToJoin(input: $i) { id status } }`,
		map[string]any{"i": map[string]any{"linkToken": token, "message": "I run the docs"}}, &req)
	id := req.RequestToJoin.ID
	nextRequest(t, subs["requests"], id, "PENDING")

	// Two approvals at once: one succeeds, the other finds it decided.
	const approveQ = `mutation($ids: [ID!]!) { approveJoinRequests(ids: $ids) { errorCode } }`
	var wg sync.WaitGroup
	codes := make([]string, 2)
	start := make(chan struct{})
	for i := range codes {
		wg.Go(func() {
			<-start
			var d struct{ ApproveJoinRequests []struct{ ErrorCode *string } }
			c.do(owner, approveQ, map[string]any{"ids": []string{id}}, &d)
			if e := d.ApproveJoinRequests[0].ErrorCode; e != nil {
				codes[i] = *e
			}
		})
	}
	close(start)
	wg.Wait()
	if got := strings.Join(codes, ","); got != ",INVITE_NOT_PENDING" && got != "INVITE_NOT_PENDING," {
		t.Fatalf("the two approvals answered %q, want one success and one INVITE_NOT_PENDING", got)
	}
	nextRequest(t, subs["requests"], id, "APPROVED")
	// The person is told by email (after the verification email of their sign-up).
	if got := smtp.WaitFor(t, askerEmail, 2, mailWait)[1]; !strings.Contains(got.Subject, "You joined Approval") {
		t.Errorf("the decision email's subject is %q, want \"You joined Approval\"", got.Subject)
	}
	var members struct {
		Project struct{ Members struct{ TotalCount int } }
	}
	c.do(owner, `query($p: ID!) { project(id: $p) { members { totalCount } } }`, map[string]any{"p": project}, &members)
	if members.Project.Members.TotalCount != 2 {
		t.Fatalf("%d members, want 2 (the owner and the approved person)", members.Project.Members.TotalCount)
	}
}

// nextRequest waits for a joinRequestChanged result for request id with status.
func nextRequest(t *testing.T, ch <-chan liveMsg, id, status string) {
	t.Helper()
	deadline := time.After(liveWait)
	for {
		select {
		case m := <-ch:
			if m.Kind != "next" || len(m.Errors) > 0 {
				t.Fatalf("joinRequestChanged: %s %s %s", m.Kind, m.Data, m.Errors)
			}
			var d struct{ JoinRequestChanged struct{ ID, Status string } }
			if err := json.Unmarshal(m.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.JoinRequestChanged.ID == id && d.JoinRequestChanged.Status == status {
				return
			}
		case <-deadline:
			t.Fatalf("no joinRequestChanged %s for %s after %s", status, id, liveWait)
		}
	}
}
