package mail_test

import (
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/invites/invites/internal/locale"
	imail "github.com/invites/invites/internal/mail"
)

// TestFollowups_EveryLanguage: the welcome, the inviter's delivery-failure digest, and the
// admins' digest of requests to join and loss of a domain render in each language from its own catalog (no template left, no English subject but in English),
// with lang and dir on the HTML, the names escaped, and the right plural forms.
func TestFollowups_EveryLanguage(t *testing.T) {
	link := "https://app.invites.test/projects/p1"
	failures := []imail.DeliveryFailure{
		{Email: "a@bounce.test", Status: imail.StatusBounced},
		{Email: "b@gone.test", Status: imail.StatusFailedPermanent},
		{Email: "c@spam.test", Status: imail.StatusSuppressed},
	}
	english := map[string]imail.Message{}
	for _, lang := range locale.Supported {
		emails := map[string]imail.Message{
			"welcome": imail.Welcome(imail.WelcomeData{To: "b@example.test", Name: "Bea", ProjectName: "<b>Apollo</b>",
				Role: "ADMIN", Link: link, Locale: lang}).Rendered(t),
			"approved": imail.Welcome(imail.WelcomeData{To: "b@example.test", ProjectName: "Apollo", Role: "CONTRIBUTOR",
				Link: link, Locale: lang, Approved: true}).Rendered(t),
			"failed": imail.DeliveryFailed(imail.DeliveryFailedData{To: "ada@example.test", Name: "Ada", ProjectName: "Apollo",
				Link: link + "/invitations", Locale: lang, Failures: failures}).Rendered(t),
			"digest": imail.JoinRequestDigest(imail.JoinRequestDigestData{To: "ada@example.test", Name: "Ada", Projects: []string{"Apollo", "Gemini"},
				Count: 3, Link: link + "/requests", Locale: lang}).Rendered(t),
			"domain lost": imail.DomainLost(imail.DomainLostData{To: "ada@example.test", Name: "Ada", ProjectName: "Apollo", Domain: "acme.test",
				Record: "_invites-challenge.acme.test", Link: link + "/domains", Locale: lang}).Rendered(t),
		}
		for kind, m := range emails {
			if m.Subject == "" || strings.Contains(m.Subject+m.Text+m.HTML, "{{") || strings.Contains(m.Text, "<no value>") {
				t.Errorf("%s %s: subject %q, text:\n%s", lang, kind, m.Subject, m.Text)
			}
			wantHTML := `<html lang="` + lang + `" dir="` + locale.Dir(lang) + `">`
			if !strings.Contains(m.HTML, wantHTML) || !strings.Contains(html.UnescapeString(m.HTML), `href="`+m.Link+`"`) {
				t.Errorf("%s %s: HTML lacks %s or the link %s:\n%s", lang, kind, wantHTML, m.Link, m.HTML)
			}
			if lang == locale.Default {
				english[kind] = m
				continue
			}
			if m.Subject == english[kind].Subject {
				t.Errorf("%s %s: subject %q is the English one", lang, kind, m.Subject)
			}
			if strings.Contains(m.Text, english[kind].Text[strings.Index(english[kind].Text, "\n"):][:40]) {
				t.Errorf("%s %s: English text left over:\n%s", lang, kind, m.Text)
			}
		}
		welcome := emails["welcome"]
		if strings.Contains(welcome.HTML, "<b>Apollo</b>") || !strings.Contains(welcome.HTML, "&lt;b&gt;Apollo&lt;/b&gt;") {
			t.Errorf("%s welcome: the project's name is not escaped:\n%s", lang, welcome.HTML)
		}
		if emails["approved"].Text == emails["welcome"].Text {
			t.Errorf("%s: the approved welcome does not say the request was approved", lang)
		}
		failed := emails["failed"]
		for _, f := range failures {
			if strings.Count(failed.Text, f.Email) != 1 || strings.Count(failed.HTML, "<li>"+f.Email) != 1 {
				t.Errorf("%s failed: %s is not listed once:\n%s\n%s", lang, f.Email, failed.Text, failed.HTML)
			}
		}
	}

	welcome := english["welcome"]
	if welcome.Subject != "You joined <b>Apollo</b>" || !strings.Contains(welcome.Text, "as an admin") {
		t.Errorf("English welcome: subject %q, text:\n%s", welcome.Subject, welcome.Text)
	}
	failed := english["failed"]
	for _, want := range []string{"- a@bounce.test: it bounced", "- b@gone.test: the recipient's mail server refused it",
		"- c@spam.test: not sent: earlier email"} {
		if !strings.Contains(failed.Text, want) {
			t.Errorf("English digest lacks %q:\n%s", want, failed.Text)
		}
	}
	if failed.Subject != "3 invitations to Apollo could not be delivered" {
		t.Errorf("English digest subject %q", failed.Subject)
	}
	if d := english["digest"]; d.Subject != "New requests to join Apollo, Gemini" || !strings.Contains(d.Text, "3 new requests to join wait") {
		t.Errorf("English join-request digest: subject %q, text:\n%s", d.Subject, d.Text)
	}
	one := imail.JoinRequestDigest(imail.JoinRequestDigestData{To: "a@example.test", Projects: []string{"Apollo"}, Count: 1, Link: link, Locale: "de"}).Rendered(t)
	if one.Subject != "Neue Beitrittsanfragen für Apollo" || !strings.Contains(one.Text, "Eine neue Beitrittsanfrage wartet") {
		t.Errorf("German digest of one request: subject %q, text:\n%s", one.Subject, one.Text)
	}
	for lang, m := range map[string]imail.Message{"en": english["domain lost"], "ja": imail.DomainLost(imail.DomainLostData{To: "a@example.test",
		ProjectName: "Apollo", Domain: "acme.test", Record: "_invites-challenge.acme.test", Link: link, Locale: "ja"}).Rendered(t)} {
		if !strings.Contains(m.Subject, "acme.test") || !strings.Contains(m.Text, "_invites-challenge.acme.test") || !strings.Contains(m.Text, "OFF") {
			t.Errorf("%s loss of a domain: subject %q, text without the record or OFF:\n%s", lang, m.Subject, m.Text)
		}
	}
	ar := imail.Welcome(imail.WelcomeData{To: "b@example.test", ProjectName: "Apollo", Role: "ADMIN", Link: link, Locale: "ar"}).Rendered(t)
	if !strings.Contains(ar.HTML, `<html lang="ar" dir="rtl">`) || ar.Subject != "انضممت إلى Apollo" {
		t.Errorf("Arabic welcome: subject %q, HTML:\n%s", ar.Subject, ar.HTML)
	}
}

// TestDeliveryFailed_ListsAtMostSome: a digest of a thousand failures lists MaxListedFailures
// addresses and counts the rest, in the reader's plural.
func TestDeliveryFailed_ListsAtMostSome(t *testing.T) {
	failures := make([]imail.DeliveryFailure, 1000)
	for i := range failures {
		failures[i] = imail.DeliveryFailure{Email: fmt.Sprintf("p%d@bounce.test", i), Status: imail.StatusBounced}
	}
	for lang, want := range map[string][2]string{
		"en": {"1000 invitations to Apollo could not be delivered", "and 950 more addresses"},
		"de": {"1000 Einladungen zu Apollo konnten nicht zugestellt werden", "und 950 weitere Adressen"},
		"ar": {"تعذّر تسليم 1000 دعوة إلى Apollo", "و950 عنوانًا آخر"},
	} {
		m := imail.DeliveryFailed(imail.DeliveryFailedData{To: "ada@example.test", ProjectName: "Apollo", Link: "https://app.test/p",
			Locale: lang, Failures: failures}).Rendered(t)
		if m.Subject != want[0] || !strings.Contains(m.Text, want[1]) {
			t.Errorf("%s: subject %q, want %q; text should hold %q:\n%s", lang, m.Subject, want[0], want[1], m.Text)
		}
		if n := strings.Count(m.HTML, "<li>"); n != imail.MaxListedFailures+1 {
			t.Errorf("%s: %d list items, want %d addresses and the rest counted", lang, n, imail.MaxListedFailures+1)
		}
	}
}

// TestJoinRequestDenied_EveryLanguage: the denial of a request to join is written in its
// reader's language, with the admin's reason escaped as written, and no link.
func TestJoinRequestDenied_EveryLanguage(t *testing.T) {
	var english imail.Message
	for _, lang := range locale.Supported {
		m := imail.JoinRequestDecided(imail.JoinRequestDecidedData{To: "a@example.test", Name: "Ada", ProjectName: "Apollo",
			Reason: "<b>Full</b> & closed", Locale: lang}).Rendered(t)
		if m.Subject == "" || !strings.Contains(m.Subject, "Apollo") || strings.Contains(m.Subject+m.Text+m.HTML, "{{") {
			t.Errorf("%s: subject %q, text:\n%s", lang, m.Subject, m.Text)
		}
		if !strings.Contains(m.HTML, `<html lang="`+lang+`" dir="`+locale.Dir(lang)+`">`) || strings.Contains(m.HTML, "href=") {
			t.Errorf("%s: HTML without its lang and dir, or with a link:\n%s", lang, m.HTML)
		}
		if !strings.Contains(m.HTML, "&lt;b&gt;Full&lt;/b&gt; &amp; closed") || !strings.Contains(m.Text, "<b>Full</b> & closed") {
			t.Errorf("%s: the reason is not shown as written, escaped in HTML:\n%s\n%s", lang, m.Text, m.HTML)
		}
		if lang == locale.Default {
			english = m
		} else if m.Subject == english.Subject {
			t.Errorf("%s: subject %q is the English one", lang, m.Subject)
		}
	}
}
