package mail_test

import (
	"html"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/invites/invites/internal/locale"
	imail "github.com/invites/invites/internal/mail"
)

// TestCatalogs: every language's file holds exactly the messages the code uses, with a plural
// message's every CLDR form the language needs for counts 0 to 200.
func TestCatalogs(t *testing.T) {
	forms := map[plural.Form]string{plural.Other: "other", plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many"}
	for _, lang := range locale.Supported {
		cat, err := imail.Catalog(lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		want := map[string]bool{}
		for _, k := range imail.Messages {
			want[k] = true
		}
		tag := language.MustParse(lang)
		for _, k := range imail.PluralMessages {
			want[k+".other"] = true
			for n := 0; n <= 200; n++ {
				want[k+"."+forms[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]] = true
			}
		}
		var missing []string
		for k := range want {
			if strings.TrimSpace(cat[k]) == "" {
				missing = append(missing, k)
			}
		}
		var unused []string
		for k := range cat {
			if !want[k] && !isPluralForm(k) {
				unused = append(unused, k)
			}
		}
		sort.Strings(missing)
		sort.Strings(unused)
		if len(missing) > 0 || len(unused) > 0 {
			t.Errorf("locales/%s.json: missing %v; not used by the code %v", lang, missing, unused)
		}
	}
}

// isPluralForm says whether k is a form of a plural message: a language may have forms that
// counts up to 200 do not reach (French "many").
func isPluralForm(k string) bool {
	for _, p := range imail.PluralMessages {
		if strings.HasPrefix(k, p+".") {
			return true
		}
	}
	return false
}

// TestEmails_EveryLanguage: each email the invitee gets renders in each language, subject and
// body, from its own catalog (no English left but names), with lang and dir on its HTML.
func TestEmails_EveryLanguage(t *testing.T) {
	link := "https://app.invites.test/invite/s3cret"
	expires := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	english := map[string]string{}
	for _, lang := range locale.Supported {
		emails := map[string]imail.Message{
			"invite": imail.Invitation(imail.InvitationData{To: "b@example.test", InviterName: "Ada", ProjectName: "Apollo", Role: "ADMIN",
				Link: link, ExpiresAt: expires, Locale: lang, Note: "<b>Bienvenue</b>\nhi & bye"}).Rendered(t),
			"reminder": imail.Invitation(imail.InvitationData{To: "b@example.test", InviterName: "Ada", Link: link,
				ExpiresAt: expires, Locale: lang, Reminder: true}).Rendered(t),
			"verification":   imail.Verification("b@example.test", "Bea", link).In(lang).Rendered(t),
			"password_reset": imail.PasswordReset("b@example.test", "Bea", link, "2 hours").In(lang).Rendered(t),
		}
		for kind, m := range emails {
			if m.Subject == "" || strings.Contains(m.Subject, "{{") || strings.Contains(m.Text, "{{") || strings.Contains(m.Text, "<no value>") {
				t.Errorf("%s %s: subject %q, text:\n%s", lang, kind, m.Subject, m.Text)
			}
			wantHTML := `<html lang="` + lang + `" dir="` + locale.Dir(lang) + `">`
			if !strings.Contains(m.HTML, wantHTML) || !strings.Contains(html.UnescapeString(m.HTML), link) {
				t.Errorf("%s %s: HTML lacks %s or the link:\n%s", lang, kind, wantHTML, m.HTML)
			}
			if lang == "en" {
				english[kind] = m.Subject
			} else if m.Subject == english[kind] {
				t.Errorf("%s %s: subject %q is the English one", lang, kind, m.Subject)
			}
		}
		invite := emails["invite"]
		if strings.Contains(invite.HTML, "<b>Bienvenue</b>") || !strings.Contains(invite.HTML, "&lt;b&gt;Bienvenue&lt;/b&gt;<br>hi &amp; bye") {
			t.Errorf("%s: the note is not shown escaped, as written:\n%s", lang, invite.HTML)
		}
		if !strings.Contains(invite.Text, "> <b>Bienvenue</b>\n> hi & bye") || !strings.Contains(invite.Text, "2026") || !strings.Contains(invite.Text, "UTC") {
			t.Errorf("%s: the text lacks the note as written or the date with its zone:\n%s", lang, invite.Text)
		}
	}
	ar := imail.Invitation(imail.InvitationData{To: "b@example.test", InviterName: "Ada", Link: link, Locale: "ar"}).Rendered(t)
	if !strings.Contains(ar.HTML, `dir="rtl"`) || ar.Subject != "دعاك Ada إلى Invites" {
		t.Errorf("Arabic: subject %q, HTML:\n%s", ar.Subject, ar.HTML)
	}
	de := imail.PasswordReset("b@example.test", "", link, "1 hour").In("de").Rendered(t)
	if !strings.Contains(de.Text, "1 Stunde") || !strings.Contains(de.Text, "Hallo,") {
		t.Errorf("German reset: want 1 Stunde (plural one):\n%s", de.Text)
	}
}
