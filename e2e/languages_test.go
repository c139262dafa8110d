package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail/smtptest"
)

// TestServer_Languages: an invite in the invitee's language through the real server and SMTP:
// the locale given (or the inviter's Accept-Language) picks the email's language, Arabic reads
// right to left, the note is shown escaped, the preview tells the page's locale and note, and a
// resend keeps the locale.
func TestServer_Languages(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h"})}
	inviteLink := "https://app.example/invite/"
	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga")
	project := c.createProject(owner, "Apollo")

	// German, given, with a note that holds markup.
	de := e2eEmail("de")
	inv := c.createInvite(owner, map[string]any{"email": de, "projectId": project, "role": "CONTRIBUTOR", "locale": "de-AT", "note": "Willkommen <b>im</b> Team & so"})
	msg := smtp.WaitFor(t, de, 1, mailWait)[0]
	if msg.Subject != "Olga hat Sie zu Apollo eingeladen" || !strings.Contains(msg.HTML, `<html lang="de" dir="ltr">`) {
		t.Errorf("German invite: subject %q, HTML:\n%s", msg.Subject, msg.HTML)
	}
	if strings.Contains(msg.HTML, "<b>im</b>") || !strings.Contains(msg.HTML, "Willkommen &lt;b&gt;im&lt;/b&gt; Team &amp; so") {
		t.Errorf("the note is not shown escaped:\n%s", msg.HTML)
	}
	var preview struct{ Invitation struct{ Locale, Note string } }
	c.do("", `query($t: String!) { invitation(token: $t) { locale note } }`, map[string]any{"t": tokenOf(msg.Link(inviteLink))}, &preview)
	if preview.Invitation.Locale != "de" || preview.Invitation.Note != "Willkommen <b>im</b> Team & so" {
		t.Errorf("preview = %+v", preview.Invitation)
	}
	var resent struct{ ResendInvite struct{ Locale string } }
	c.do(owner, `mutation($id: ID!) { resendInvite(id: $id) { locale } }`, map[string]any{"id": inv.ID}, &resent)
	if again := smtp.WaitFor(t, de, 2, mailWait)[1]; resent.ResendInvite.Locale != "de" || again.Subject != msg.Subject {
		t.Errorf("resend: locale %q, subject %q; want German kept", resent.ResendInvite.Locale, again.Subject)
	}

	// Arabic from the inviter's Accept-Language: right to left.
	ar := e2eEmail("ar")
	header := http.Header{"Accept-Language": {"ar-EG,en;q=0.5"}}
	var created struct{ CreateInvite struct{ Locale string } }
	errs, err := postJSON(c.base+"/graphql", owner, `mutation($i: CreateInviteInput!) { createInvite(input: $i) { locale } }`,
		map[string]any{"i": map[string]any{"email": ar, "projectId": project, "role": "CONTRIBUTOR"}}, &created, header)
	if err != nil || len(errs) > 0 || created.CreateInvite.Locale != "ar" {
		t.Fatalf("createInvite with Accept-Language ar: %v %v %+v", err, errs, created)
	}
	if msg := smtp.WaitFor(t, ar, 1, mailWait)[0]; !strings.Contains(msg.HTML, `dir="rtl"`) || msg.Subject != "دعاك Olga إلى Apollo" {
		t.Errorf("Arabic invite: subject %q, HTML:\n%s", msg.Subject, msg.HTML)
	}

	// A malformed locale is the caller's mistake.
	errs = c.try(owner, e2eCreateInvite, map[string]any{"i": map[string]any{"email": e2eEmail("bad"), "projectId": project, "role": "CONTRIBUTOR", "locale": "en_US!!"}}, nil)
	if errs.code() != "BAD_USER_INPUT" {
		t.Errorf("locale en_US!!: errors %+v, want BAD_USER_INPUT", errs)
	}
}

// TestServer_LanguagesFollowups: the emails that follow an invite through the real server and
// SMTP, each in its reader's locale: the welcome of an invitee who signs up with the link, in
// the invite's French although their browser asks for Spanish; and the inviter's digest of an
// invitation refused for good by the recipient's server, in the inviter's German.
func TestServer_LanguagesFollowups(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1s"})}
	ownerEmail := e2eEmail("owner")
	var signedUp e2eSignedUp
	errs, err := postJSON(c.base+"/graphql", "", e2eSignUp, map[string]any{"i": map[string]any{"email": ownerEmail, "password": "correct horse", "name": "Olga"}},
		&signedUp, http.Header{"Accept-Language": {"de-DE,de;q=0.9"}})
	if err != nil || len(errs) > 0 {
		t.Fatalf("signUp: %v %v", err, errs)
	}
	owner := signedUp.SignUp.Token
	verify := smtp.WaitFor(t, ownerEmail, 1, mailWait)[0]
	c.do("", `mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }`, map[string]any{"t": tokenOf(verify.Link("https://app.example/verify-email/"))}, nil)
	project := c.createProject(owner, "Apollo")

	// The welcome, in the invite's locale.
	fr := e2eEmail("fr")
	c.createInvite(owner, map[string]any{"email": fr, "projectId": project, "role": "CONTRIBUTOR", "locale": "fr"})
	token := tokenOf(smtp.WaitFor(t, fr, 1, mailWait)[0].Link("https://app.example/invite/"))
	errs, err = postJSON(c.base+"/graphql", "", e2eSignUp, map[string]any{"i": map[string]any{"inviteToken": token, "password": "correct horse", "name": "Fanny"}},
		nil, http.Header{"Accept-Language": {"es"}})
	if err != nil || len(errs) > 0 {
		t.Fatalf("signUp with the invite: %v %v", err, errs)
	}
	welcome := smtp.WaitFor(t, fr, 2, mailWait)[1]
	if welcome.Subject != "Vous avez rejoint Apollo" || !strings.Contains(welcome.HTML, `<html lang="fr" dir="ltr">`) ||
		!strings.Contains(welcome.Text, "https://app.example/projects/"+project) || !strings.Contains(welcome.Text, "en tant que contributeur") {
		t.Errorf("welcome: subject %q, text:\n%s", welcome.Subject, welcome.Text)
	}

	// An invitation refused for good (SMTP 550), told to the inviter in German although the
	// invite was in Japanese. (That a thousand failures make one email: internal/invites.)
	gone := e2eEmail("gone")
	smtp.OnRcpt(gone, func(int) error { return smtptest.Error(550) })
	c.createInvite(owner, map[string]any{"email": gone, "projectId": project, "role": "CONTRIBUTOR", "locale": "ja"})
	digest := smtp.WaitFor(t, ownerEmail, 2, mailWait)[1]
	if digest.Subject != "Eine Einladung zu Apollo konnte nicht zugestellt werden" || !strings.Contains(digest.HTML, `<html lang="de" dir="ltr">`) {
		t.Errorf("digest: subject %q, HTML:\n%s", digest.Subject, digest.HTML)
	}
	for _, want := range []string{gone + ": der Mailserver des Empfängers hat sie abgelehnt",
		"https://app.example/projects/" + project + "/invitations?status=delivery%3AFAILED_PERMANENT"} {
		if !strings.Contains(digest.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, digest.Text)
		}
	}
}
