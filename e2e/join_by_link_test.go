package e2e

import (
	"sync"
	"testing"

	"github.com/invites/invites/internal/mail/smtptest"
)

const (
	e2eCreateLink = `mutation($i: CreateInviteLinkInput!) { createInviteLink(input: $i) { url link { id status uses } } }`
	e2eJoin       = `mutation($t: String!) { joinWithLink(token: $t) { role project { id } } }`
)

// TestServer_InviteLink is an invite link as people meet it, through the real server: an
// owner makes a link for one email domain; a newcomer at that domain signs up, is told to
// verify, verifies through the emailed link and joins; twenty people joining at once through a
// link for five get five memberships; a revoked link admits nobody.
func TestServer_InviteLink(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{
		"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h", "SIGNUP_CLIENT_LIMIT": "0",
	})}
	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := c.createProject(owner, "Gemini")

	type created struct {
		CreateInviteLink struct {
			URL  string
			Link struct {
				ID, Status string
				Uses       int
			}
		}
	}
	var d created
	c.do(owner, e2eCreateLink, map[string]any{"i": map[string]any{"projectId": project, "role": "CONTRIBUTOR", "allowedEmailDomains": []string{"@EXAMPLE.test"}}}, &d)
	token := tokenOf(d.CreateInviteLink.URL)
	if d.CreateInviteLink.URL != "https://app.example/join/"+token || d.CreateInviteLink.Link.Status != "ACTIVE" {
		t.Fatalf("createInviteLink = %+v", d.CreateInviteLink)
	}

	newcomerEmail := e2eEmail("newcomer")
	newcomer := c.signUp(map[string]any{"email": newcomerEmail, "password": "correct horse", "name": "Nina"}).SignUp.Token
	if code := c.try(newcomer, e2eJoin, map[string]any{"t": token}, nil).code(); code != "EMAIL_NOT_VERIFIED" {
		t.Fatalf("join before verifying: code %q, want EMAIL_NOT_VERIFIED", code)
	}
	link := smtp.WaitFor(t, newcomerEmail, 1, mailWait)[0].Link("https://app.example/verify-email/")
	c.do("", `mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }`, map[string]any{"t": tokenOf(link)}, nil)
	var joined struct {
		JoinWithLink struct {
			Role    string
			Project struct{ ID string }
		}
	}
	c.do(newcomer, e2eJoin, map[string]any{"t": token}, &joined)
	if joined.JoinWithLink.Role != "CONTRIBUTOR" || joined.JoinWithLink.Project.ID != project {
		t.Fatalf("joinWithLink = %+v", joined.JoinWithLink)
	}
	var seen struct{ Project *struct{ ViewerRole string } }
	c.do(newcomer, `query($p: ID!) { project(id: $p) { viewerRole } }`, map[string]any{"p": project}, &seen)
	if seen.Project == nil || seen.Project.ViewerRole != "CONTRIBUTOR" {
		t.Fatalf("the newcomer sees the project as %+v, want CONTRIBUTOR", seen.Project)
	}

	// Twenty joins at once through a link for five.
	c.do(owner, e2eCreateLink, map[string]any{"i": map[string]any{"projectId": project, "role": "PENDING", "maxUses": 5}}, &d)
	crowdToken, crowdLink := tokenOf(d.CreateInviteLink.URL), d.CreateInviteLink.Link.ID
	sessions := make([]string, 20)
	for i := range sessions {
		sessions[i] = c.signUp(map[string]any{"email": e2eEmail("crowd"), "password": "correct horse", "name": "Crowd"}).SignUp.Token
	}
	codes := make([]string, len(sessions))
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Go(func() {
			errs, err := postJSON(c.base+"/graphql", s, e2eJoin, map[string]any{"t": crowdToken}, nil, nil)
			if err != nil {
				codes[i] = err.Error()
				return
			}
			codes[i] = errs.code()
		})
	}
	wg.Wait()
	tally := map[string]int{}
	for _, code := range codes {
		tally[code]++
	}
	if tally[""] != 5 || tally["INVITE_NOT_PENDING"] != 15 {
		t.Fatalf("20 concurrent joins: %v, want 5 successes and 15 INVITE_NOT_PENDING", tally)
	}
	var list struct {
		Project struct {
			Members     struct{ TotalCount int }
			InviteLinks struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ID, Status string
						Uses       int
					}
				}
			}
		}
	}
	c.do(owner, `query($p: ID!) { project(id: $p) { members(role: PENDING) { totalCount } inviteLinks { totalCount edges { node { id status uses } } } } }`, map[string]any{"p": project}, &list)
	newest := list.Project.InviteLinks.Edges[0].Node
	if list.Project.Members.TotalCount != 5 || list.Project.InviteLinks.TotalCount != 2 || newest.ID != crowdLink || newest.Status != "USED_UP" || newest.Uses != 5 {
		t.Fatalf("after the crowd: %+v", list.Project)
	}

	// Revoked, the first link admits nobody more.
	c.do(owner, `mutation($id: ID!) { revokeInviteLink(id: $id) { status } }`, map[string]any{"id": list.Project.InviteLinks.Edges[1].Node.ID}, nil)
	late := c.signUpVerified(smtp, e2eEmail("late"), "Lars Late")
	if code := c.try(late, e2eJoin, map[string]any{"t": token}, nil).code(); code != "INVITE_NOT_PENDING" {
		t.Fatalf("join through a revoked link: code %q, want INVITE_NOT_PENDING", code)
	}
}
