package mail_test

import (
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail"
)

// TestJoinRequestDecided_Render: the decision email in the person's language, approved (with
// the role in words and the project's link) or denied (with the admin's reason, escaped, and
// no link: the project stays closed).
func TestJoinRequestDecided_Render(t *testing.T) {
	const link = "https://app.example/projects/1"
	for _, tc := range []struct {
		name    string
		data    mail.JoinRequestDecidedData
		subj    string
		wants   []string
		lang    string
		hasLink bool
	}{
		{"approved", mail.JoinRequestDecidedData{To: "a@example.com", Name: "Ada", ProjectName: "Apollo", Approved: true, Role: "CONTRIBUTOR", Link: link},
			"You joined Apollo", []string{"Hello Ada,", "was approved", "as a contributor", "Open the project"}, "en", true},
		{"denied with a reason", mail.JoinRequestDecidedData{To: "a@example.com", ProjectName: "Apollo", Reason: "<b>Full</b>\nTry in May", Link: link},
			"Your request to join Apollo was declined", []string{"declined", "The admin said:", "Try in May"}, "en", false},
		{"approved, in German", mail.JoinRequestDecidedData{To: "a@example.com", Name: "Ada", ProjectName: "Apollo", Approved: true, Role: "ADMIN", Link: link, Locale: "de"},
			"Sie sind Apollo beigetreten", []string{"Hallo Ada,", "wurde angenommen", "als Administrator·in"}, "de", true},
		{"denied, in Japanese", mail.JoinRequestDecidedData{To: "a@example.com", ProjectName: "Apollo", Locale: "ja", Link: link},
			"Apollo への参加リクエストは承認されませんでした", []string{"プロジェクト「Apollo」への参加リクエストは承認されませんでした"}, "ja", false},
		{"an unknown language is English", mail.JoinRequestDecidedData{To: "a@example.com", ProjectName: "Apollo", Approved: true, Role: "CONTRIBUTOR", Link: link, Locale: "xx"},
			"You joined Apollo", []string{"was approved"}, "en", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := mail.JoinRequestDecided(tc.data).Render()
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.subj {
				t.Errorf("subject %q, want %q", m.Subject, tc.subj)
			}
			for _, w := range tc.wants {
				if !strings.Contains(m.Text, w) || !strings.Contains(m.HTML, w) {
					t.Errorf("text or HTML lacks %q:\n%s\n%s", w, m.Text, m.HTML)
				}
			}
			if !strings.Contains(m.HTML, `lang="`+tc.lang+`"`) {
				t.Errorf("HTML is not marked lang=%q:\n%s", tc.lang, m.HTML)
			}
			if got := strings.Contains(m.Text, link) && strings.Contains(m.HTML, `href="`+link+`"`); got != tc.hasLink || (m.Link != "") != tc.hasLink {
				t.Errorf("carries the link: %v (Link %q), want %v:\n%s", got, m.Link, tc.hasLink, m.Text)
			}
			if strings.Contains(m.HTML, "<b>Full</b>") {
				t.Error("the reason's HTML was not escaped")
			}
		})
	}
}
