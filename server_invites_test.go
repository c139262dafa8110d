package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

const (
	e2eSignUp       = `mutation($i: SignUpInput!) { signUp(input: $i) { token user { email emailVerified } } }`
	e2eCreateInvite = `mutation($i: CreateInviteInput!) { createInvite(input: $i) { id status } }`
	mailWait        = 30 * time.Second
)

// TestServer_InviteThroughSMTP is the whole path as people meet it: an admin invites an email,
// the invite travels by SMTP, the invitee previews it and signs up with the link's token.
func TestServer_InviteThroughSMTP(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h"})}
	inviteLink := "https://app.example/invite/"

	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := field(c.do(owner, `mutation { createProject(input: {name: "Apollo"}) { id } }`, nil), "createProject", "id").(string)

	// The owner makes an admin, who joins through the emailed link.
	adminEmail := e2eEmail("admin")
	c.do(owner, e2eCreateInvite, map[string]any{"i": map[string]any{"email": adminEmail, "projectId": project, "role": "ADMIN"}})
	link := smtp.WaitFor(t, adminEmail, 1, mailWait)[0].Link(inviteLink)
	admin := field(c.do("", e2eSignUp, map[string]any{"i": map[string]any{"password": "correct horse", "name": "Ada Admin", "inviteToken": tokenOf(link)}}), "signUp", "token").(string)

	// The admin invites someone with a role and an external ID.
	invitee := e2eEmail("invitee")
	inviteID := field(c.do(admin, e2eCreateInvite, map[string]any{"i": map[string]any{"email": invitee, "projectId": project, "role": "CONTRIBUTOR", "externalId": "S-42"}}), "createInvite", "id").(string)
	msg := smtp.WaitFor(t, invitee, 1, mailWait)[0]
	if !strings.Contains(msg.Subject, "Ada Admin") || !strings.Contains(msg.Subject, "Apollo") {
		t.Errorf("subject = %q, want the inviter and the project", msg.Subject)
	}
	link = msg.Link(inviteLink)
	if link == "" || !strings.Contains(msg.HTML, link) {
		t.Fatalf("no invite link in both parts: text %q", msg.Text)
	}

	preview := c.do("", `query($t: String!) { invitation(token: $t) { email projectName inviterName role status accountExists } }`, map[string]any{"t": tokenOf(link)})
	for k, want := range map[string]any{"email": invitee, "projectName": "Apollo", "inviterName": "Ada Admin", "role": "CONTRIBUTOR", "status": "PENDING", "accountExists": false} {
		if got := field(preview, "invitation", k); got != want {
			t.Errorf("preview %s = %v, want %v", k, got, want)
		}
	}

	// The invite's delivery status follows the email.
	invites := `query($p: ID!) { project(id: $p) { invites(first: 10) { edges { node { id deliveryStatus status } } } } }`
	deadline := time.Now().Add(mailWait)
	for {
		var status any
		for _, e := range field(c.do(admin, invites, map[string]any{"p": project}), "project", "invites", "edges").([]any) {
			if field(e, "node", "id") == inviteID {
				status = field(e, "node", "deliveryStatus")
			}
		}
		if status == "SENT" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveryStatus = %v, want SENT", status)
		}
		time.Sleep(100 * time.Millisecond)
	}

	d := c.do("", e2eSignUp, map[string]any{"i": map[string]any{"password": "correct horse", "name": "Ivy", "inviteToken": tokenOf(link)}})
	ivy := field(d, "signUp", "token").(string)
	if field(d, "signUp", "user", "email") != invitee || field(d, "signUp", "user", "emailVerified") != true {
		t.Errorf("signUp = %v", d)
	}
	me := c.do(ivy, `query($p: ID!) { project(id: $p) { viewerRole members(role: CONTRIBUTOR) { edges { node { externalId user { email } } } } } }`, map[string]any{"p": project})
	if field(me, "project", "viewerRole") != "CONTRIBUTOR" {
		t.Fatalf("viewerRole = %v", field(me, "project", "viewerRole"))
	}
	edges := field(me, "project", "members", "edges").([]any)
	if len(edges) != 1 || field(edges[0], "node", "externalId") != "S-42" || field(edges[0], "node", "user", "email") != invitee {
		t.Errorf("members = %v, want the invitee with S-42", edges)
	}

	var names []string
	for _, e := range field(c.do(admin, `query($p: ID!) { project(id: $p) { activity(first: 50) { edges { node { name } } } } }`, map[string]any{"p": project}), "project", "activity", "edges").([]any) {
		names = append(names, field(e, "node", "name").(string))
	}
	for _, want := range []string{"Created User Invite", "User Invited", "Invited to Project", "Invited to Project (Invitee)", "Claimed User Invite", "Joined Project"} {
		if !strings.Contains("|"+strings.Join(names, "|")+"|", "|"+want+"|") {
			t.Errorf("activity %v lacks %q", names, want)
		}
	}

	// Nothing secret stays in the outbox once sent.
	var leftovers int
	err := pgtest.DB(t).NewSelect().TableExpr("emails").ColumnExpr("count(*)").
		Where("recipient = ? AND link <> ''", invitee).Scan(context.Background(), &leftovers)
	if err != nil || leftovers != 0 {
		t.Errorf("sent emails still hold their link: %d, %v", leftovers, err)
	}
}

// TestServer_InvitedBeforeSignUp is the case the original design left open: an invite is made
// for an email; later that person signs up without the token; once the email is verified the
// invite is claimed, the membership exists, and the preview of that token reads ACCEPTED.
func TestServer_InvitedBeforeSignUp(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h"})}

	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga")
	project := field(c.do(owner, `mutation { createProject(input: {name: "Gemini"}) { id } }`, nil), "createProject", "id").(string)
	email := e2eEmail("late")
	c.do(owner, e2eCreateInvite, map[string]any{"i": map[string]any{"email": email, "projectId": project, "role": "CONTRIBUTOR", "externalId": "E-7"}})
	inviteToken := tokenOf(smtp.WaitFor(t, email, 1, mailWait)[0].Link("https://app.example/invite/"))

	// Sign-up without the token: not verified, not a member yet.
	user := field(c.do("", e2eSignUp, map[string]any{"i": map[string]any{"email": strings.ToUpper(email), "password": "correct horse", "name": "Late"}}), "signUp", "token").(string)
	if got := field(c.do(user, `query($p: ID!) { project(id: $p) { id } }`, map[string]any{"p": project}), "project"); got != nil {
		t.Fatalf("a member before verifying: %v", got)
	}
	verify := smtp.WaitFor(t, email, 2, mailWait)[1].Link("https://app.example/verify-email/")
	if verify == "" {
		t.Fatal("no verification link in the second email")
	}
	c.do("", `mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }`, map[string]any{"t": tokenOf(verify)})

	d := c.do(user, `query($p: ID!) { project(id: $p) { viewerRole members(first: 10) { edges { node { externalId user { email } } } } } }`, map[string]any{"p": project})
	if field(d, "project", "viewerRole") != "CONTRIBUTOR" {
		t.Fatalf("after verification: %v", d)
	}
	var ext any
	for _, e := range field(d, "project", "members", "edges").([]any) {
		if field(e, "node", "user", "email") == email {
			ext = field(e, "node", "externalId")
		}
	}
	if ext != "E-7" {
		t.Errorf("member's externalId = %v, want E-7", ext)
	}
	if got := field(c.do("", `query($t: String!) { invitation(token: $t) { status } }`, map[string]any{"t": inviteToken}), "invitation", "status"); got != "ACCEPTED" {
		t.Errorf("preview status = %v, want ACCEPTED", got)
	}
}
