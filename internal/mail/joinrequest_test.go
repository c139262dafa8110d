package mail_test

import (
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail"
)

// TestJoinRequestDecided_Render: a denial says so in the person's language (an unknown one is
// English), with the admin's reason escaped, and carries no link: the project stays closed.
func TestJoinRequestDecided_Render(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  mail.JoinRequestDecidedData
		subj  string
		wants []string
		lang  string
	}{
		{"denied", mail.JoinRequestDecidedData{To: "a@example.com", Name: "Ada", ProjectName: "Apollo"},
			"Your request to join Apollo was declined", []string{"Hello Ada,", "declined"}, "en"},
		{"denied with a reason", mail.JoinRequestDecidedData{To: "a@example.com", ProjectName: "Apollo", Reason: "<b>Full</b>\nTry in May"},
			"Your request to join Apollo was declined", []string{"declined", "The admin said:", "Try in May"}, "en"},
		{"denied, in Japanese", mail.JoinRequestDecidedData{To: "a@example.com", ProjectName: "Apollo", Locale: "ja"},
			"Apollo への参加リクエストは承認されませんでした", []string{"プロジェクト「Apollo」への参加リクエストは承認されませんでした"}, "ja"},
		{"an unknown language is English", mail.JoinRequestDecidedData{To: "a@example.com", ProjectName: "Apollo", Locale: "xx"},
			"Your request to join Apollo was declined", []string{"declined"}, "en"},
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
			if m.Link != "" || strings.Contains(m.HTML, "href=") || strings.Contains(m.Text, "http") {
				t.Errorf("a denial carries a link (Link %q):\n%s", m.Link, m.Text)
			}
			if strings.Contains(m.HTML, "<b>Full</b>") {
				t.Error("the reason's HTML was not escaped")
			}
		})
	}
}

// TestJoinRequestDecided_QueuedBefore: a decision queued by the English-only release, read
// back from the outbox as the worker does (kind, stored subject, link, params without a
// locale), still renders: an approval as the welcome of an approved request, with its role in
// the words it was stored in and its link; a denial without the link it was queued with.
func TestJoinRequestDecided_QueuedBefore(t *testing.T) {
	const link = "https://app.example/projects/1"
	for _, tc := range []struct {
		name    string
		params  map[string]string
		wants   []string
		hasLink bool
	}{
		{"approved", map[string]string{"name": "Ada", "project": "Apollo", "reason": "", "approved": "true", "role": "a contributor"},
			[]string{"Hello Ada,", "Your request to join the project Apollo on Invites was approved", "as a contributor."}, true},
		{"denied", map[string]string{"name": "Ada", "project": "Apollo", "reason": "Full"},
			[]string{"Hello Ada,", "was declined", "The admin said: Full"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			queued := mail.Message{Kind: "join_request_decided", To: "a@example.com", Subject: "stored subject", Link: link, Params: tc.params}
			m, err := queued.Render()
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != "stored subject" {
				t.Errorf("subject %q, want the stored one", m.Subject)
			}
			for _, w := range tc.wants {
				if !strings.Contains(m.Text, w) || !strings.Contains(m.HTML, w) {
					t.Errorf("text or HTML lacks %q:\n%s\n%s", w, m.Text, m.HTML)
				}
			}
			if got := strings.Contains(m.Text, link) && strings.Contains(m.HTML, `href="`+link+`"`); got != tc.hasLink || (m.Link != "") != tc.hasLink {
				t.Errorf("carries the link: %v (Link %q), want %v:\n%s", got, m.Link, tc.hasLink, m.Text)
			}
		})
	}
}
