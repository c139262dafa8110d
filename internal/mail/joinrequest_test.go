package mail_test

import (
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail"
)

func TestJoinRequestDecided_Render(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  mail.JoinRequestDecidedData
		subj  string
		wants []string
	}{
		{"denied", mail.JoinRequestDecidedData{To: "a@example.com", Name: "Ada", ProjectName: "Apollo"},
			"Your request to join Apollo was declined", []string{"Hello Ada,", "declined"}},
		{"denied with a reason", mail.JoinRequestDecidedData{To: "a@example.com", ProjectName: "Apollo", Reason: "<b>Full</b>"},
			"Your request to join Apollo was declined", []string{"declined", "The admin said:"}},
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
			if strings.Contains(m.HTML, "<b>Full</b>") {
				t.Error("the reason's HTML was not escaped")
			}
		})
	}
}
