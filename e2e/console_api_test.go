package e2e

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/mail/smtptest"
)

// consoleInvites is a project's invites as the console lists them.
type consoleInvites struct {
	Project struct {
		Invites struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Email, Status string
					OpenedAt          *string
				}
			}
		}
	}
}

// actionRow is one row of an action on many.
type actionRow struct {
	ErrorCode *string
	Message   *string
}

func (r actionRow) code() string {
	if r.ErrorCode == nil {
		return ""
	}
	return *r.ErrorCode
}

// TestServer_ConsoleAPI is what the console asks of the server (SPEC §14): an admin searches
// the invites and members, previews mark an invite opened, many rows are revoked, resent and
// removed with one result each, and the project's insights count it all.
func TestServer_ConsoleAPI(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h"})}
	inviteLink := "https://app.example/invite/"
	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := c.createProject(owner, "Console")
	join := func(email, role, inviter string, extra map[string]any) (id, token string) {
		in := map[string]any{"email": email, "projectId": project, "role": role}
		for k, v := range extra {
			in[k] = v
		}
		id = c.createInvite(inviter, in).ID
		return id, tokenOf(smtp.WaitFor(t, email, 1, mailWait)[0].Link(inviteLink))
	}
	_, adminLink := join(e2eEmail("admin"), "ADMIN", owner, nil)
	admin := c.signUp(map[string]any{"password": "correct horse", "name": "Ada Admin", "inviteToken": adminLink}).SignUp.Token
	adaEmail, bobEmail, cyEmail := e2eEmail("ada"), e2eEmail("bob"), e2eEmail("cy")
	ada, _ := join(adaEmail, "CONTRIBUTOR", admin, map[string]any{"externalId": "S-1"})
	bob, _ := join(bobEmail, "CONTRIBUTOR", admin, nil)
	cy, cyLink := join(cyEmail, "CONTRIBUTOR", admin, nil)

	// Search by external ID and by part of an email; a preview marks the invite opened.
	c.do("", `query($t: String!) { invitation(token: $t) { status } }`, map[string]any{"t": cyLink}, nil)
	search := `query($p: ID!, $s: String) { project(id: $p) { invites(search: $s) { totalCount edges { node { id email status openedAt } } } } }`
	for _, tc := range []struct{ search, want string }{{"s-1", ada}, {strings.ToUpper(bobEmail[:8]), bob}, {cyEmail, cy}} {
		var d consoleInvites
		c.do(admin, search, map[string]any{"p": project, "s": tc.search}, &d)
		edges := d.Project.Invites.Edges
		if len(edges) != 1 || d.Project.Invites.TotalCount != 1 || edges[0].Node.ID != tc.want {
			t.Fatalf("invites(search: %q) = %+v, want invite %s alone", tc.search, d.Project.Invites, tc.want)
		}
		if opened := edges[0].Node.OpenedAt != nil; opened != (tc.want == cy) {
			t.Errorf("invite %s openedAt = %v, want set only for the previewed one", tc.want, edges[0].Node.OpenedAt)
		}
	}
	c.signUp(map[string]any{"password": "correct horse", "name": "Cy Contributor", "inviteToken": cyLink})
	var members struct {
		Project struct {
			Members struct {
				TotalCount int
				Edges      []struct {
					Node struct{ User struct{ Name string } }
				}
			}
		}
	}
	c.do(admin, `query($p: ID!) { project(id: $p) { members(search: "cy contrib") { totalCount edges { node { user { name } } } } } }`,
		map[string]any{"p": project}, &members)
	if m := members.Project.Members; m.TotalCount != 1 || m.Edges[0].Node.User.Name != "Cy Contributor" {
		t.Errorf("members(search) = %+v, want Cy alone", m)
	}

	// Many rows at once: one result per ID, in order, each on its own.
	var revoked struct {
		RevokeInvites []struct {
			actionRow
			ID     string
			Invite *struct{ Status string }
		}
	}
	c.do(admin, `mutation($ids: [ID!]!) { revokeInvites(ids: $ids) { id invite { status } errorCode message } }`,
		map[string]any{"ids": []string{ada, uuid.NewString(), ada}}, &revoked)
	wantRows(t, "revokeInvites", len(revoked.RevokeInvites), func(i int) actionRow { return revoked.RevokeInvites[i].actionRow }, "", "NOT_FOUND", "BAD_USER_INPUT")
	if r := revoked.RevokeInvites[0]; r.ID != ada || r.Invite == nil || r.Invite.Status != "REVOKED" {
		t.Errorf("revoked row = %+v, want ada's invite REVOKED", r)
	}
	var resent struct{ ResendInvites []actionRow }
	c.do(admin, `mutation($ids: [ID!]!) { resendInvites(ids: $ids) { errorCode message } }`, map[string]any{"ids": []string{bob}}, &resent)
	wantRows(t, "resendInvites", len(resent.ResendInvites), func(i int) actionRow { return resent.ResendInvites[i] }, "")
	smtp.WaitFor(t, bobEmail, 2, mailWait)
	var removed struct {
		RemoveMembers []struct {
			actionRow
			Member *struct{ User struct{ Name string } }
		}
	}
	var me struct{ Me struct{ ID string } }
	c.do(owner, `{ me { id } }`, nil, &me)
	var cyUser struct {
		Project struct {
			Members struct {
				Edges []struct {
					Node struct{ User struct{ ID string } }
				}
			}
		}
	}
	c.do(admin, `query($p: ID!) { project(id: $p) { members(search: "Cy Contributor") { edges { node { user { id } } } } } }`, map[string]any{"p": project}, &cyUser)
	c.do(admin, `mutation($p: ID!, $ids: [ID!]!) { removeMembers(projectId: $p, userIds: $ids) { member { user { name } } errorCode message } }`,
		map[string]any{"p": project, "ids": []string{cyUser.Project.Members.Edges[0].Node.User.ID, me.Me.ID}}, &removed)
	wantRows(t, "removeMembers", len(removed.RemoveMembers), func(i int) actionRow { return removed.RemoveMembers[i].actionRow }, "", "FORBIDDEN")
	if m := removed.RemoveMembers[0].Member; m == nil || m.User.Name != "Cy Contributor" {
		t.Errorf("removed member = %+v, want Cy", m)
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = uuid.NewString()
	}
	errs := c.try(admin, `mutation($ids: [ID!]!) { revokeInvites(ids: $ids) { id } }`, map[string]any{"ids": many}, nil)
	if errs.code() != "BAD_USER_INPUT" || errs[0].Extensions.Field != "ids" {
		t.Errorf("101 IDs: %+v, want BAD_USER_INPUT on ids", errs)
	}

	checkInsights(t, c, owner, project)
}

// checkInsights reads the console's project's insights once every email is sent: 4 invites
// (the admin's, by the owner; ada's, bob's and cy's, by the admin), 1 opened, 2 accepted.
func checkInsights(t *testing.T, c e2eClient, owner, project string) {
	t.Helper()
	waitAllDelivered(t, c, owner, project)
	var d struct {
		Project struct {
			Insights struct {
				Sent, Delivered, Opened, Accepted, Declined, Expired, Failed int
				AcceptSecondsMedian, AcceptSecondsP90                        *float64
				ByWeek                                                       []struct {
					Start *string
					Sent  int
				}
				ByBatch   []struct{ Sent int }
				ByInviter []struct {
					Inviter struct{ Name string }
					Sent    int
				}
			}
		}
	}
	c.do(owner, `query($p: ID!) { project(id: $p) { insights { sent delivered opened accepted declined expired failed
		acceptSecondsMedian acceptSecondsP90 byWeek { start sent } byInviter { inviter { name } sent } byBatch { sent } } } }`, map[string]any{"p": project}, &d)
	in := d.Project.Insights
	if in.Sent != 4 || in.Delivered != 4 || in.Opened != 1 || in.Accepted != 2 || in.Declined+in.Expired+in.Failed != 0 {
		t.Errorf("funnel = %+v, want 4 sent and delivered, 1 opened, 2 accepted", in)
	}
	if in.AcceptSecondsMedian == nil || in.AcceptSecondsP90 == nil || *in.AcceptSecondsP90 < *in.AcceptSecondsMedian {
		t.Errorf("accept seconds = %v, %v; want a median and a p90 above it", in.AcceptSecondsMedian, in.AcceptSecondsP90)
	}
	if len(in.ByWeek) != 1 || in.ByWeek[0].Start == nil || in.ByWeek[0].Sent != 4 {
		t.Errorf("byWeek = %+v, want this week's 4", in.ByWeek)
	}
	if len(in.ByInviter) != 2 || in.ByInviter[0].Inviter.Name != "Ada Admin" || in.ByInviter[0].Sent != 3 || in.ByInviter[1].Sent != 1 {
		t.Errorf("byInviter = %+v, want Ada Admin's 3, then the owner's 1", in.ByInviter)
	}
	if len(in.ByBatch) != 0 {
		t.Errorf("byBatch = %+v, want none: every invite was sent on its own", in.ByBatch)
	}
}

// wantRows checks the error codes of an action's n rows ("" where a row succeeded, with no
// message; a refusal has a message).
func wantRows(t *testing.T, action string, n int, row func(int) actionRow, want ...string) {
	t.Helper()
	if n != len(want) {
		t.Fatalf("%s: %d rows, want %d", action, n, len(want))
	}
	for i, code := range want {
		r := row(i)
		if r.code() != code || (r.Message == nil) != (code == "") {
			t.Errorf("%s row %d: code %q message %v, want code %q", action, i, r.code(), r.Message, code)
		}
	}
}
