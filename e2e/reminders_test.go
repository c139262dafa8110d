package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

// countRows counts the rows of table that match where.
func countRows(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	n, err := pgtest.DB(t).NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// e2eInviteStates is a project's invites of one status: their emails, inviters' names and
// reminder counts.
type e2eInviteStates struct {
	Project struct {
		Invites struct {
			Edges []struct {
				Node struct {
					Email         string
					Status        string
					RemindersSent int
					Inviter       struct{ Name string }
				}
			}
		}
	}
}

const e2eProjectInvites = `query($p: ID!, $s: InviteStatus) { project(id: $p) { invites(first: 100, status: $s) { edges { node { email status remindersSent inviter { name } } } } } }`

// TestServer_ReminderThroughSMTP: the sweep, run by the server's River leader every second,
// emails a reminder with a new link once the invite has INVITE_REMIND_BEFORE left; the new link
// works, and the old one answers that a newer email replaced it.
func TestServer_ReminderThroughSMTP(t *testing.T) {
	smtp := smtptest.Start(t)
	// A two-hour invite reminded with 1h59m59s left: due a second after it is sent.
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example",
		"INVITE_TTL": "2h", "INVITE_REMIND_BEFORE": "1h59m59s", "SWEEP_INTERVAL": "1s"})}
	inviteLink := "https://app.example/invite/"

	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := c.createProject(owner, "Reminded")
	invitee := e2eEmail("invitee")
	c.createInvite(owner, map[string]any{"email": invitee, "projectId": project, "role": "CONTRIBUTOR"})

	msgs := smtp.WaitFor(t, invitee, 2, mailWait)
	first, reminder := msgs[0], msgs[1]
	if strings.HasPrefix(first.Subject, "Reminder:") || !strings.HasPrefix(reminder.Subject, "Reminder: Olga Owner invited you to Reminded") {
		t.Fatalf("subjects = %q then %q, want the invite then its reminder", first.Subject, reminder.Subject)
	}
	oldToken, newToken := tokenOf(first.Link(inviteLink)), tokenOf(reminder.Link(inviteLink))
	if oldToken == newToken || !strings.Contains(reminder.Text, "links of earlier emails no longer work") {
		t.Fatalf("the reminder does not carry a new link: %q", reminder.Text)
	}

	// The old link: no preview, and a NOT_FOUND saying a newer email replaced it.
	var gone struct{ Invitation *struct{ Status string } }
	errs := c.try("", `query($t: String!) { invitation(token: $t) { status } }`, map[string]any{"t": oldToken}, &gone)
	if gone.Invitation != nil || errs.code() != "NOT_FOUND" || errs[0].Extensions.Reason != "LINK_REPLACED" {
		t.Fatalf("invitation(old token) = %+v, errors %+v; want null with NOT_FOUND, reason LINK_REPLACED", gone.Invitation, errs)
	}
	// An unknown token is still plain null.
	errs = c.try("", `query($t: String!) { invitation(token: $t) { status } }`, map[string]any{"t": strings.Repeat("x", 43)}, &gone)
	if gone.Invitation != nil || len(errs) != 0 {
		t.Errorf("invitation(unknown token) = %+v, %+v; want null without errors", gone.Invitation, errs)
	}

	var list e2eInviteStates
	c.do(owner, e2eProjectInvites, map[string]any{"p": project, "s": "PENDING"}, &list)
	if e := list.Project.Invites.Edges; len(e) != 1 || e[0].Node.RemindersSent != 1 {
		t.Fatalf("pending invites = %+v, want the one with remindersSent 1", e)
	}

	// One reminder only, however many sweeps run: two more sweeps complete and send nothing.
	sweeps := func() int { return countRows(t, "river_job", "kind = 'invites_sweep' AND state = 'completed'") }
	for before, deadline := sweeps(), time.Now().Add(mailWait); sweeps() < before+2; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the sweep did not run twice more within %s", mailWait)
		}
	}
	if got := smtp.Received(invitee); len(got) != 2 {
		t.Errorf("%d emails to the invitee after more sweeps, want 2", len(got))
	}
	// The reminder's link signs the invitee up.
	signed := c.signUp(map[string]any{"password": "correct horse", "name": "Ivy", "inviteToken": newToken})
	if !signed.SignUp.User.EmailVerified {
		t.Errorf("signUp with the reminder's link = %+v", signed)
	}
	var me e2eMembers
	c.do(signed.SignUp.Token, `query($p: ID!) { project(id: $p) { viewerRole members { edges { node { externalId user { email } } } } } }`, map[string]any{"p": project}, &me)
	if me.Project.ViewerRole != "CONTRIBUTOR" {
		t.Errorf("viewerRole after the reminder's link = %q, want CONTRIBUTOR", me.Project.ViewerRole)
	}
	var activity struct {
		Project struct {
			Activity struct {
				Edges []struct {
					Node struct {
						Name  string
						Actor *struct{ Name string }
					}
				}
			}
		}
	}
	c.do(owner, `query($p: ID!) { project(id: $p) { activity(first: 50) { edges { node { name actor { name } } } } } }`, map[string]any{"p": project}, &activity)
	reminded := 0
	for _, e := range activity.Project.Activity.Edges {
		if e.Node.Name == "Reminded User Invite" {
			reminded++
			if e.Node.Actor != nil {
				t.Errorf("the reminder's event names an actor: %+v", e.Node.Actor)
			}
		}
	}
	if reminded != 1 {
		t.Errorf("Reminded User Invite events = %d, want 1", reminded)
	}
}

// TestServer_RemovingAnAdminRevokesTheirInvites: an admin's pending invites and invite links
// are revoked in the call that removes the admin; the invites page lists them as REVOKED at
// once, never PENDING, and the link reads REVOKED.
func TestServer_RemovingAnAdminRevokesTheirInvites(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h"})}
	inviteLink := "https://app.example/invite/"

	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := c.createProject(owner, "Hygiene")
	adminEmail := e2eEmail("admin")
	c.createInvite(owner, map[string]any{"email": adminEmail, "projectId": project, "role": "ADMIN"})
	adminLink := smtp.WaitFor(t, adminEmail, 1, mailWait)[0].Link(inviteLink)
	admin := c.signUp(map[string]any{"password": "correct horse", "name": "Ada Admin", "inviteToken": tokenOf(adminLink)}).SignUp.Token
	var me struct{ Me struct{ ID string } }
	c.do(admin, `{ me { id } }`, nil, &me)

	byAdmin := []string{e2eEmail("by-admin"), e2eEmail("by-admin")}
	for _, e := range byAdmin {
		c.createInvite(admin, map[string]any{"email": e, "projectId": project, "role": "CONTRIBUTOR"})
	}
	byOwner := e2eEmail("by-owner")
	c.createInvite(owner, map[string]any{"email": byOwner, "projectId": project, "role": "CONTRIBUTOR"})
	var adminsLink struct {
		CreateInviteLink struct {
			URL  string
			Link struct {
				ID, Status string
				Uses       int
			}
		}
	}
	c.do(admin, e2eCreateLink, map[string]any{"i": map[string]any{"projectId": project, "role": "CONTRIBUTOR"}}, &adminsLink)

	c.do(owner, `mutation($p: ID!, $u: ID!) { removeMember(projectId: $p, userId: $u) }`, map[string]any{"p": project, "u": me.Me.ID}, nil)

	var pending, revoked e2eInviteStates
	c.do(owner, e2eProjectInvites, map[string]any{"p": project, "s": "PENDING"}, &pending)
	if e := pending.Project.Invites.Edges; len(e) != 1 || e[0].Node.Email != byOwner {
		t.Errorf("pending invites after the removal = %+v, want only the owner's", e)
	}
	c.do(owner, e2eProjectInvites, map[string]any{"p": project, "s": "REVOKED"}, &revoked)
	got := map[string]bool{}
	for _, e := range revoked.Project.Invites.Edges {
		got[e.Node.Email] = true
	}
	if len(got) != 2 || !got[byAdmin[0]] || !got[byAdmin[1]] {
		t.Errorf("revoked invites = %+v, want the admin's two", revoked.Project.Invites.Edges)
	}
	// Their links now show a revoked invite.
	link := smtp.WaitFor(t, byAdmin[0], 1, mailWait)[0].Link(inviteLink)
	var preview struct{ Invitation struct{ Status string } }
	c.do("", `query($t: String!) { invitation(token: $t) { status } }`, map[string]any{"t": tokenOf(link)}, &preview)
	if preview.Invitation.Status != "REVOKED" {
		t.Errorf("the admin's invite link reads %q, want REVOKED", preview.Invitation.Status)
	}
	var linkPreview struct{ InviteLink struct{ Status string } }
	c.do("", `query($t: String!) { inviteLink(token: $t) { status } }`, map[string]any{"t": tokenOf(adminsLink.CreateInviteLink.URL)}, &linkPreview)
	if linkPreview.InviteLink.Status != "REVOKED" {
		t.Errorf("the admin's invite link reads %q after the removal, want REVOKED", linkPreview.InviteLink.Status)
	}
}
