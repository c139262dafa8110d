package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	imail "github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

// TestQueue_Suppressed: an invite email whose address went on the suppression list after it
// was queued is written SUPPRESSED and never sent (its address matched in any case); another kind of email to the address still goes, as does an invite to another.
func TestQueue_Suppressed(t *testing.T) {
	srv := smtptest.Start(t)
	q := MustStartQueue(t, testConfig(MustSMTPSender(t, srv)))
	suppressed, fine := recipient("suppressed"), recipient("fine")
	_, err := pgtest.DB(t).NewRaw(`INSERT INTO suppressions (id, email, kind, reason, created_at) VALUES (?, ?, 'HARD_BOUNCE', 'no such user', now())`,
		uuid.Must(uuid.NewV7()), suppressed).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	invite := func(to string) imail.Message {
		return imail.Invitation(imail.InvitationData{To: strings.ToUpper(to[:1]) + to[1:], InviterName: "Ada", ProjectName: "Apollo", Role: "CONTRIBUTOR",
			Link: "https://app.invites.test/invite/tok", ExpiresAt: time.Now().Add(time.Hour)})
	}
	chunk := MustEnqueueMany(t, q, []imail.Message{invite(suppressed), invite(fine)})
	single := MustEnqueue(t, q, invite(suppressed))
	verify := MustEnqueue(t, q, imail.Verification(suppressed, "Bob", "https://app.invites.test/verify-email/tok"))

	for _, id := range []uuid.UUID{chunk[0], single} {
		e := waitStatus(t, id, imail.StatusSuppressed)
		if e.LastError == nil || !strings.Contains(*e.LastError, "suppressed") || e.Link != "" || e.SentAt != nil {
			t.Errorf("email %s: %+v; want SUPPRESSED with its reason, link wiped, never sent", id, e)
		}
	}
	waitStatus(t, chunk[1], imail.StatusSent)
	waitStatus(t, verify, imail.StatusSent)
	if got := srv.Received(suppressed); len(got) != 1 || !strings.HasPrefix(got[0].Subject, "Confirm your email") {
		t.Errorf("%d emails reached the suppressed address; want the verification only", len(got))
	}
}
