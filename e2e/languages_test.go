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
