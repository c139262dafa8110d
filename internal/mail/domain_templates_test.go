package mail_test

import (
	"html"
	"strings"
	"testing"

	imail "github.com/invites/invites/internal/mail"
)

// TestDomainLost: the loss of a domain names the record, the policy now off and the settings
// page, with the project's name escaped; without a locale (queued before the emails to admins
// were translated) it is in English.
func TestDomainLost(t *testing.T) {
	link := "https://app.invites.test/projects/p1/domains"
	m := imail.DomainLost(imail.DomainLostData{To: "ada@example.test", Name: "Ada", ProjectName: "Acme <b>", Domain: "acme.test",
		Record: "_invites-challenge.acme.test", Link: link}).Rendered(t)
	if m.To != "ada@example.test" || m.Link != link || m.Kind != "domain_lost" {
		t.Errorf("got to %q, link %q, kind %q", m.To, m.Link, m.Kind)
	}
	if m.Subject != "acme.test is no longer verified for Acme <b>" {
		t.Errorf("subject = %q", m.Subject)
	}
	for _, part := range []string{m.Text, html.UnescapeString(m.HTML)} {
		if !strings.Contains(part, link) || !strings.Contains(part, "_invites-challenge.acme.test") || !strings.Contains(part, "OFF") {
			t.Errorf("the email does not name the record, the fallback and the settings:\n%s", part)
		}
	}
	if strings.Contains(m.HTML, "Acme <b>") || !strings.Contains(m.HTML, "Acme &lt;b&gt;") {
		t.Errorf("HTML holds the project's name unescaped:\n%s", m.HTML)
	}
}
