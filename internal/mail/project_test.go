package mail_test

import (
	"testing"

	"github.com/google/uuid"

	imail "github.com/invites/invites/internal/mail"
)

// TestMessages_Project: an email about one project belongs to it, and the rest (an account's
// own, the join-request digest over several projects) to the service project, the zero UUID.
func TestMessages_Project(t *testing.T) {
	p := uuid.New()
	for name, tc := range map[string]struct {
		m    imail.Message
		want uuid.UUID
	}{
		"invite":               {imail.Invitation(imail.InvitationData{ProjectID: p, To: "a@example.com"}), p},
		"welcome":              {imail.Welcome(imail.WelcomeData{ProjectID: p, To: "a@example.com"}), p},
		"delivery_failed":      {imail.DeliveryFailed(imail.DeliveryFailedData{ProjectID: p, To: "a@example.com"}), p},
		"join_request_decided": {imail.JoinRequestDecided(imail.JoinRequestDecidedData{ProjectID: p, To: "a@example.com"}), p},
		"domain_lost":          {imail.DomainLost(imail.DomainLostData{ProjectID: p, To: "a@example.com"}), p},
		"join_request_digest":  {imail.JoinRequestDigest(imail.JoinRequestDigestData{To: "a@example.com", Projects: []string{"A", "B"}}), uuid.Nil},
		"verification":         {imail.Verification("a@example.com", "", "https://app.example/v"), uuid.Nil},
		"password_reset":       {imail.PasswordReset("a@example.com", "", "https://app.example/r", "1 hour"), uuid.Nil},
	} {
		if tc.m.Kind != name || tc.m.ProjectID != tc.want {
			t.Errorf("%s: kind %q, project %s; want project %s", name, tc.m.Kind, tc.m.ProjectID, tc.want)
		}
		if got := tc.m.In("fr").ProjectID; got != tc.want {
			t.Errorf("%s in French: project %s, want %s", name, got, tc.want)
		}
	}
}
