package e2e

import (
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail/smtptest"
)

const (
	e2eRequestReset   = `mutation($e: String!) { requestPasswordReset(email: $e) }`
	e2eResetPassword  = `mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { token user { email emailVerified } } }`
	e2eChangePassword = `mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`
)

// TestServer_PasswordResetThroughSMTP resets a forgotten password with the link of the
// delivered email, then changes it, through the real server and an SMTP server.
func TestServer_PasswordResetThroughSMTP(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{
		"SMTP_URL":                   smtp.URL(),
		"APP_URL":                    "https://app.example",
		"PASSWORD_RESET_EMAIL_LIMIT": "3",
	})}
	const resetPrefix = "https://app.example/reset-password/"
	email := e2eEmail("forgot")
	first := c.signUp(map[string]any{"email": email, "password": "correct horse", "name": "Ada"}).SignUp.Token
	smtp.WaitFor(t, email, 1, mailWait) // the verification email
	var second struct{ LogIn struct{ Token string } }
	c.do("", e2eLogIn, map[string]any{"e": email, "p": "correct horse"}, &second)

	var asked struct{ RequestPasswordReset bool }
	c.do("", e2eRequestReset, map[string]any{"e": " " + strings.ToUpper(email)}, &asked)
	if !asked.RequestPasswordReset {
		t.Fatal("requestPasswordReset = false, want true")
	}
	nobody := e2eEmail("nobody")
	asked.RequestPasswordReset = false
	c.do("", e2eRequestReset, map[string]any{"e": nobody}, &asked)
	if !asked.RequestPasswordReset {
		t.Fatal("requestPasswordReset for an email without an account = false, want true")
	}

	m := smtp.WaitFor(t, email, 2, mailWait)[1]
	if m.Subject != "Reset your password for Invites" {
		t.Errorf("subject %q", m.Subject)
	}
	link := m.Link(resetPrefix)
	if link == "" || !strings.Contains(m.HTML, `href="`+link+`"`) {
		t.Fatalf("the email holds no reset link starting with %s:\n%s", resetPrefix, m.Text)
	}
	token := tokenOf(link)
	if len(token) != 43 {
		t.Errorf("token %q: want 32 random bytes in unpadded base64url", token)
	}

	errs := c.try("", e2eResetPassword, map[string]any{"i": map[string]any{"token": token, "password": "short"}}, nil)
	if errs.code() != "BAD_USER_INPUT" || errs[0].Extensions.Field != "password" {
		t.Errorf("a short password: %+v, want BAD_USER_INPUT on password", errs)
	}
	var reset struct {
		ResetPassword struct {
			Token string
			User  struct {
				Email         string
				EmailVerified bool
			}
		}
	}
	c.do("", e2eResetPassword, map[string]any{"i": map[string]any{"token": token, "password": "battery staple"}}, &reset)
	if reset.ResetPassword.Token == "" || reset.ResetPassword.User.Email != email || !reset.ResetPassword.User.EmailVerified {
		t.Errorf("resetPassword = %+v, want a session of %s, verified", reset, email)
	}
	for _, old := range []string{first, second.LogIn.Token} {
		if got := c.me(old); got != "" {
			t.Errorf("a session from before the reset is still %s's", got)
		}
	}
	if errs := c.try("", e2eResetPassword, map[string]any{"i": map[string]any{"token": token, "password": "another one"}}, nil); errs.code() != "NOT_FOUND" {
		t.Errorf("the link again: %+v, want NOT_FOUND", errs)
	}
	if errs := c.try("", e2eLogIn, map[string]any{"e": email, "p": "correct horse"}, nil); errs.code() != "INVALID_CREDENTIALS" {
		t.Errorf("the old password: %+v, want INVALID_CREDENTIALS", errs)
	}

	// changePassword: the calling session stays, the others end.
	session := reset.ResetPassword.Token
	var other struct{ LogIn struct{ Token string } }
	c.do("", e2eLogIn, map[string]any{"e": email, "p": "battery staple"}, &other)
	errs = c.try(session, e2eChangePassword, map[string]any{"i": map[string]any{"currentPassword": "wrong", "newPassword": "a third password"}}, nil)
	if errs.code() != "INVALID_CREDENTIALS" {
		t.Errorf("a wrong current password: %+v, want INVALID_CREDENTIALS", errs)
	}
	if errs := c.try("", e2eChangePassword, map[string]any{"i": map[string]any{"currentPassword": "battery staple", "newPassword": "a third password"}}, nil); errs.code() != "UNAUTHENTICATED" {
		t.Errorf("signed out: %+v, want UNAUTHENTICATED", errs)
	}
	var changed struct{ ChangePassword bool }
	c.do(session, e2eChangePassword, map[string]any{"i": map[string]any{"currentPassword": "battery staple", "newPassword": "a third password"}}, &changed)
	if !changed.ChangePassword {
		t.Error("changePassword = false, want true")
	}
	if got := c.me(session); got != email {
		t.Errorf("the session that changed the password is %q's, want it kept", got)
	}
	if got := c.me(other.LogIn.Token); got != "" {
		t.Errorf("another session is still %s's, want it ended", got)
	}
	c.do("", e2eLogIn, map[string]any{"e": email, "p": "a third password"}, nil)

	// The per-email limit counts emails without an account too (one request above).
	for range 2 {
		c.do("", e2eRequestReset, map[string]any{"e": nobody}, nil)
	}
	if errs := c.try("", e2eRequestReset, map[string]any{"e": nobody}, nil); errs.code() != "RATE_LIMITED" {
		t.Errorf("a fourth request for one email: %+v, want RATE_LIMITED", errs)
	}
	if got := smtp.Received(nobody); len(got) != 0 {
		t.Errorf("%d emails to an address without an account, want 0", len(got))
	}
}

// me returns the email of token's user, "" where the session has ended.
func (c e2eClient) me(token string) string {
	c.t.Helper()
	var d struct{ Me *struct{ Email string } }
	c.do(token, `{ me { email } }`, nil, &d)
	if d.Me == nil {
		return ""
	}
	return d.Me.Email
}

// TestServer_ResendVerificationEmail replaces a verification link through the real server.
func TestServer_ResendVerificationEmail(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example"})}
	const resend = `mutation { resendVerificationEmail }`
	const verify = `mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }`
	email := e2eEmail("resend")
	session := c.signUp(map[string]any{"email": email, "password": "correct horse", "name": "Ada"}).SignUp.Token
	old := tokenOf(smtp.WaitFor(t, email, 1, mailWait)[0].Link("https://app.example/verify-email/"))

	if errs := c.try("", resend, nil, nil); errs.code() != "UNAUTHENTICATED" {
		t.Errorf("signed out: %+v, want UNAUTHENTICATED", errs)
	}
	var sent struct{ ResendVerificationEmail bool }
	c.do(session, resend, nil, &sent)
	if !sent.ResendVerificationEmail {
		t.Fatal("resendVerificationEmail = false for an unverified email, want true")
	}
	fresh := tokenOf(smtp.WaitFor(t, email, 2, mailWait)[1].Link("https://app.example/verify-email/"))
	if errs := c.try("", verify, map[string]any{"t": old}, nil); errs.code() != "NOT_FOUND" {
		t.Errorf("the replaced link: %+v, want NOT_FOUND", errs)
	}
	c.do("", verify, map[string]any{"t": fresh}, nil)
	c.do(session, resend, nil, &sent)
	if sent.ResendVerificationEmail {
		t.Error("resendVerificationEmail = true for a verified email, want false")
	}
}
