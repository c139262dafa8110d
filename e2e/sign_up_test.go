package e2e

import (
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail/smtptest"
)

func TestServer_SignUpAndVerifyThroughSMTP(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{
		"SMTP_URL":  smtp.URL(),
		"APP_URL":   "https://app.example",
		"MAIL_FROM": "Invites <noreply@app.example>",
	})}
	const linkPrefix = "https://app.example/verify-email/"
	email := e2eEmail("smtp-e2e")
	typed := "  " + strings.ToUpper(email) + " "

	d := c.signUp(map[string]any{"email": typed, "password": "correct horse battery", "name": "Ada Lovelace"})
	session := d.SignUp.Token
	if d.SignUp.User.Email != email || d.SignUp.User.EmailVerified || session == "" {
		t.Fatalf("signUp = %+v, want %s unverified with a token", d, email)
	}

	msgs := smtp.WaitFor(t, email, 1, mailWait)
	if len(msgs) != 1 {
		t.Fatalf("%d emails to %s, want 1", len(msgs), email)
	}
	m := msgs[0]
	if m.From != "noreply@app.example" {
		t.Errorf("MAIL FROM %q, want noreply@app.example", m.From)
	}
	if len(m.To) != 1 || strings.ToLower(m.To[0]) != email {
		t.Errorf("RCPT TO %q, want [%s]", m.To, email)
	}
	if m.Subject != "Confirm your email for Invites" {
		t.Errorf("subject %q, want %q", m.Subject, "Confirm your email for Invites")
	}
	link := m.Link(linkPrefix)
	if link == "" {
		t.Fatalf("text part holds no link starting with %s:\n%s", linkPrefix, m.Text)
	}
	if !strings.Contains(m.HTML, `href="`+link+`"`) {
		t.Errorf("HTML part does not link to %s:\n%s", link, m.HTML)
	}
	token := strings.TrimPrefix(link, linkPrefix)
	if token == "" || strings.ContainsAny(token, "/?#") {
		t.Fatalf("link %s: token %q is not the link's last part", link, token)
	}

	const verify = `mutation($t: String!) { verifyEmail(token: $t) { email emailVerified } }`
	type account struct {
		Email         string
		EmailVerified bool
	}
	var verified struct{ VerifyEmail account }
	c.do("", verify, map[string]any{"t": token}, &verified)
	if verified.VerifyEmail.Email != email || !verified.VerifyEmail.EmailVerified {
		t.Errorf("verifyEmail = %+v, want %s verified", verified, email)
	}
	if errs := c.try("", verify, map[string]any{"t": token}, nil); len(errs) != 1 || errs.code() != "NOT_FOUND" {
		t.Errorf("verifyEmail again: errors %+v, want one NOT_FOUND", errs)
	}
	var me struct{ Me *account }
	if c.do(session, `{ me { email emailVerified } }`, nil, &me); me.Me == nil || me.Me.Email != email || !me.Me.EmailVerified {
		t.Errorf("me = %+v, want %s verified", me.Me, email)
	}

	// The worker records SENT just after the server accepted the message: wait for it.
	e := waitEmailRow(t, email, "SENT", mailWait)
	if e.Link != "" {
		t.Errorf("emails row: link %q; want it wiped", e.Link)
	}
}
