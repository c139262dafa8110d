package e2e

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
	mailWait        = 60 * time.Second
)

// e2eMembers is a project's viewerRole and members with their externalId and user's email.
type e2eMembers struct {
	Project struct {
		ViewerRole string
		Members    struct {
			Edges []struct {
				Node struct {
					ExternalID string // "" when null
					User       struct{ Email string }
				}
			}
		}
	}
}

// TestServer_InviteThroughSMTP is the whole path as people meet it: an admin invites an email,
// the invite travels by SMTP, the invitee previews it and signs up with the link's token.
func TestServer_InviteThroughSMTP(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h"})}
	inviteLink := "https://app.example/invite/"

	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := c.createProject(owner, "Apollo")

	// The owner makes an admin, who joins through the emailed link.
	adminEmail := e2eEmail("admin")
	c.createInvite(owner, map[string]any{"email": adminEmail, "projectId": project, "role": "ADMIN"})
	link := smtp.WaitFor(t, adminEmail, 1, mailWait)[0].Link(inviteLink)
	admin := c.signUp(map[string]any{"password": "correct horse", "name": "Ada Admin", "inviteToken": tokenOf(link)}).SignUp.Token

	// The admin invites someone with a role and an external ID.
	invitee := e2eEmail("invitee")
	inviteID := c.createInvite(admin, map[string]any{"email": invitee, "projectId": project, "role": "CONTRIBUTOR", "externalId": "S-42"}).ID
	msg := smtp.WaitFor(t, invitee, 1, mailWait)[0]
	if !strings.Contains(msg.Subject, "Ada Admin") || !strings.Contains(msg.Subject, "Apollo") {
		t.Errorf("subject = %q, want the inviter and the project", msg.Subject)
	}
	link = msg.Link(inviteLink)
	if link == "" || !strings.Contains(msg.HTML, link) {
		t.Fatalf("no invite link in both parts: text %q", msg.Text)
	}

	type invitation struct {
		Email, ProjectName, InviterName, Role, Status string
		AccountExists                                 bool
	}
	var preview struct{ Invitation *invitation }
	c.do("", `query($t: String!) { invitation(token: $t) { email projectName inviterName role status accountExists } }`, map[string]any{"t": tokenOf(link)}, &preview)
	want := invitation{Email: invitee, ProjectName: "Apollo", InviterName: "Ada Admin", Role: "CONTRIBUTOR", Status: "PENDING", AccountExists: false}
	if got := preview.Invitation; got == nil || *got != want {
		t.Errorf("preview = %+v, want %+v", got, want)
	}

	// The invite's delivery status follows the email.
	invites := `query($p: ID!) { project(id: $p) { invites(first: 10) { edges { node { id deliveryStatus status } } } } }`
	deadline := time.Now().Add(mailWait)
	for {
		var d struct {
			Project struct {
				Invites struct {
					Edges []struct {
						Node struct{ ID, DeliveryStatus, Status string }
					}
				}
			}
		}
		c.do(admin, invites, map[string]any{"p": project}, &d)
		var status string
		for _, e := range d.Project.Invites.Edges {
			if e.Node.ID == inviteID {
				status = e.Node.DeliveryStatus
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

	d := c.signUp(map[string]any{"password": "correct horse", "name": "Ivy", "inviteToken": tokenOf(link)})
	ivy := d.SignUp.Token
	if d.SignUp.User.Email != invitee || !d.SignUp.User.EmailVerified {
		t.Errorf("signUp = %+v", d)
	}
	var me e2eMembers
	c.do(ivy, `query($p: ID!) { project(id: $p) { viewerRole members(role: CONTRIBUTOR) { edges { node { externalId user { email } } } } } }`, map[string]any{"p": project}, &me)
	if me.Project.ViewerRole != "CONTRIBUTOR" {
		t.Fatalf("viewerRole = %v", me.Project.ViewerRole)
	}
	edges := me.Project.Members.Edges
	if len(edges) != 1 || edges[0].Node.ExternalID != "S-42" || edges[0].Node.User.Email != invitee {
		t.Errorf("members = %+v, want the invitee with S-42", edges)
	}

	var activity struct {
		Project struct {
			Activity struct {
				Edges []struct{ Node struct{ Name string } }
			}
		}
	}
	c.do(admin, `query($p: ID!) { project(id: $p) { activity(first: 50) { edges { node { name } } } } }`, map[string]any{"p": project}, &activity)
	var names []string
	for _, e := range activity.Project.Activity.Edges {
		names = append(names, e.Node.Name)
	}
	for _, want := range []string{"Created User Invite", "User Invited", "Invited to Project", "Invited to Project (Invitee)", "Claimed User Invite", "Joined Project"} {
		if !strings.Contains("|"+strings.Join(names, "|")+"|", "|"+want+"|") {
			t.Errorf("activity %v lacks %q", names, want)
		}
	}

	// The welcome follows the membership, in the invite's locale (English here).
	if welcome := smtp.WaitFor(t, invitee, 2, mailWait)[1]; welcome.Subject != "You joined Apollo" {
		t.Errorf("the second email to the invitee is %q, want the welcome", welcome.Subject)
	}
	// Nothing secret stays in the outbox once sent. The welcome's link holds no secret, but it
	// is wiped like the others once the email's SENT is written, which follows its delivery.
	var leftovers int
	var err error
	for deadline := time.Now().Add(mailWait); ; time.Sleep(50 * time.Millisecond) {
		err = pgtest.DB(t).NewSelect().TableExpr("emails").ColumnExpr("count(*)").
			Where("recipient = ? AND link <> ''", invitee).Scan(context.Background(), &leftovers)
		if err != nil || leftovers == 0 || time.Now().After(deadline) {
			break
		}
	}
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
	project := c.createProject(owner, "Gemini")
	email := e2eEmail("late")
	c.createInvite(owner, map[string]any{"email": email, "projectId": project, "role": "CONTRIBUTOR", "externalId": "E-7"})
	inviteToken := tokenOf(smtp.WaitFor(t, email, 1, mailWait)[0].Link("https://app.example/invite/"))

	// Sign-up without the token: not verified, not a member yet.
	user := c.signUp(map[string]any{"email": strings.ToUpper(email), "password": "correct horse", "name": "Late"}).SignUp.Token
	var before struct{ Project *struct{ ID string } }
	if c.do(user, `query($p: ID!) { project(id: $p) { id } }`, map[string]any{"p": project}, &before); before.Project != nil {
		t.Fatalf("a member before verifying: %+v", before.Project)
	}
	verify := smtp.WaitFor(t, email, 2, mailWait)[1].Link("https://app.example/verify-email/")
	if verify == "" {
		t.Fatal("no verification link in the second email")
	}
	c.do("", `mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }`, map[string]any{"t": tokenOf(verify)}, nil)

	var d e2eMembers
	c.do(user, `query($p: ID!) { project(id: $p) { viewerRole members(first: 10) { edges { node { externalId user { email } } } } } }`, map[string]any{"p": project}, &d)
	if d.Project.ViewerRole != "CONTRIBUTOR" {
		t.Fatalf("after verification: %+v", d)
	}
	var ext string
	for _, e := range d.Project.Members.Edges {
		if e.Node.User.Email == email {
			ext = e.Node.ExternalID
		}
	}
	if ext != "E-7" {
		t.Errorf("member's externalId = %q, want E-7", ext)
	}
	var preview struct{ Invitation *struct{ Status string } }
	if c.do("", `query($t: String!) { invitation(token: $t) { status } }`, map[string]any{"t": inviteToken}, &preview); preview.Invitation == nil || preview.Invitation.Status != "ACCEPTED" {
		t.Errorf("preview = %+v, want status ACCEPTED", preview.Invitation)
	}
}
