package mail_test

import (
	"html"
	"strings"
	"testing"
	"time"

	imail "github.com/invites/invites/internal/mail"
)

func TestVerification(t *testing.T) {
	t.Run("EscapesHTML", func(t *testing.T) {
		link := "https://app.invites.test/verify-email?token=abc&next=/p"
		m := imail.Verification("ada@example.test", "<script>alert(1)</script>", link).Rendered(t)
		if m.To != "ada@example.test" || m.Link != link || m.Kind != "verification" {
			t.Errorf("got to %q, link %q, kind %q", m.To, m.Link, m.Kind)
		}
		if strings.Contains(m.HTML, "<script>") {
			t.Errorf("HTML holds the name unescaped:\n%s", m.HTML)
		}
		if !strings.Contains(m.HTML, "&lt;script&gt;") {
			t.Errorf("HTML does not hold the escaped name:\n%s", m.HTML)
		}
		if !strings.Contains(m.Text, link) {
			t.Errorf("text does not hold the link:\n%s", m.Text)
		}
		if !strings.Contains(html.UnescapeString(m.HTML), `href="`+link+`"`) {
			t.Errorf("HTML does not link to %s:\n%s", link, m.HTML)
		}
	})
}

func TestPasswordReset(t *testing.T) {
	link := "https://app.invites.test/reset-password/s3cret"
	m := imail.PasswordReset("ada@example.test", "Ada <b>", link, "1 hour").Rendered(t)
	if m.To != "ada@example.test" || m.Link != link || m.Kind != "password_reset" {
		t.Errorf("got to %q, link %q, kind %q", m.To, m.Link, m.Kind)
	}
	if m.Subject != "Reset your password for Invites" {
		t.Errorf("subject = %q", m.Subject)
	}
	for _, part := range []string{m.Text, html.UnescapeString(m.HTML)} {
		if !strings.Contains(part, link) || !strings.Contains(part, "1 hour") {
			t.Errorf("the email does not hold the link and how long it works:\n%s", part)
		}
	}
	if strings.Contains(m.HTML, "<b>") || !strings.Contains(m.HTML, "Ada &lt;b&gt;") {
		t.Errorf("HTML holds the name unescaped:\n%s", m.HTML)
	}
	if !strings.Contains(html.UnescapeString(m.HTML), `href="`+link+`"`) {
		t.Errorf("HTML does not link to %s:\n%s", link, m.HTML)
	}
}

func TestInvitation(t *testing.T) {
	link := "https://app.invites.test/invite/s3cret"
	expires := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

	t.Run("Project", func(t *testing.T) {
		m := imail.Invitation(imail.InvitationData{
			To: "bob@example.test", InviterName: "Ada", ProjectName: "Apollo", Role: "ADMIN", Link: link, ExpiresAt: expires,
		}).Rendered(t)
		if want := "Ada invited you to Apollo"; m.Subject != want {
			t.Errorf("subject %q, want %q", m.Subject, want)
		}
		for _, part := range []string{m.Text, m.HTML} {
			for _, want := range []string{link, "Apollo", "as an admin", "1 December 2026"} {
				if !strings.Contains(part, want) {
					t.Errorf("part does not hold %q:\n%s", want, part)
				}
			}
		}
		if m.Kind != "invite" || m.Link != link || m.To != "bob@example.test" {
			t.Errorf("got kind %q, link %q, to %q", m.Kind, m.Link, m.To)
		}
	})

	t.Run("ServiceAlone", func(t *testing.T) {
		m := imail.Invitation(imail.InvitationData{To: "bob@example.test", InviterName: "Ada", Link: link}).Rendered(t)
		if want := "Ada invited you to Invites"; m.Subject != want {
			t.Errorf("subject %q, want %q", m.Subject, want)
		}
		if strings.Contains(m.Text, "expires") {
			t.Errorf("text names an expiry though there is none:\n%s", m.Text)
		}
		if !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link) {
			t.Errorf("a part does not hold the link:\n%s\n%s", m.Text, m.HTML)
		}
	})

	t.Run("Reminder", func(t *testing.T) {
		d := imail.InvitationData{To: "bob@example.test", InviterName: "Ada", ProjectName: "Apollo", Role: "CONTRIBUTOR", Link: link, ExpiresAt: expires}
		plain := imail.Invitation(d).Rendered(t)
		d.Reminder = true
		m := imail.Invitation(d).Rendered(t)
		if want := "Reminder: Ada invited you to Apollo"; m.Subject != want {
			t.Errorf("subject %q, want %q", m.Subject, want)
		}
		for _, part := range []string{m.Text, m.HTML} {
			for _, want := range []string{"A reminder: Ada invited you", "links of earlier emails no longer work", link, "1 December 2026"} {
				if !strings.Contains(part, want) {
					t.Errorf("reminder part does not hold %q:\n%s", want, part)
				}
			}
		}
		if strings.Contains(plain.Text, "reminder") || strings.Contains(plain.HTML, "earlier emails") {
			t.Errorf("the first email reads as a reminder:\n%s", plain.Text)
		}
	})

	t.Run("EscapesHTML", func(t *testing.T) {
		m := imail.Invitation(imail.InvitationData{
			To: "bob@example.test", InviterName: "<script>x</script>", ProjectName: "<b>P</b>\r\nBcc: evil@x.test", Link: link,
		}).Rendered(t)
		if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, "<b>P</b>") {
			t.Errorf("HTML holds names unescaped:\n%s", m.HTML)
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("subject %q holds a line break", m.Subject)
		}
	})
}

func TestRender_UnknownKind(t *testing.T) {
	if _, err := (imail.Message{Kind: "postcard", To: "a@example.test"}).Render(); err == nil {
		t.Fatal("an email of unknown kind rendered")
	}
}
