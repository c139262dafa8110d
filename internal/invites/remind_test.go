package invites_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// The sweep reminds every due invite of the package's database, not only a test's own, so
// these tests check their own invites one by one and count what a sweep did from the table.

// newSweeper returns the sweeper of services of its own (newServices) on the package's
// database, with clock clk and change applied: its reminders go to a mail queue of its own,
// as each replica has.
func newSweeper(t *testing.T, clk *clock, change func(*config.Domain)) *invites.Sweeper {
	t.Helper()
	return newServices(t, pgDB(t), clk, change).Sweeper
}

func sweepOnce(t *testing.T, w *invites.Sweeper) invites.SweepResult {
	t.Helper()
	r, err := w.Sweep(context.Background())
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	return r
}

// reminderEmails counts the reminder emails queued to recipient.
func reminderEmails(t *testing.T, recipient string) int {
	t.Helper()
	return count(t, "emails", "recipient = ? AND subject LIKE 'Reminder: %'", recipient)
}

// remindedEvents counts the "Reminded User Invite" events of an invite that name no actor.
func remindedEvents(t *testing.T, inviteID uuid.UUID) int {
	t.Helper()
	return count(t, "activity_events", "invite_id = ? AND name = ? AND actor_id IS NULL", inviteID, invites.EventRemindedUserInvite)
}

// wantReplaced fails unless token is the link of an invite that a newer email replaced.
func wantReplaced(t *testing.T, s *invites.Service, token string) {
	t.Helper()
	_, err := s.Invitation(context.Background(), token)
	wantCode(t, err, invites.NotFound)
	if !invites.LinkReplaced(err) {
		t.Fatalf("Invitation(old token) = %v, want NOT_FOUND with the reason %s", err, invites.ReasonLinkReplaced)
	}
}

func TestSweeper_Remind(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	sweeper := newSweeper(t, clk, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Reminding")
	before := config.Default().Domain.InviteRemindBefore // 24h
	ttl := config.Default().Domain.InviteTTL             // 7 days

	email := uniqueEmail("remindee")
	inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "R-1")
	firstToken := inviteToken(t, email)
	revokedEmail := uniqueEmail("revoked")
	revoked := mustInvite(t, s, owner.ID, revokedEmail, &p.ID, invites.RolePending, "")
	if _, err := s.RevokeInvite(ctx, owner.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("NotBeforeTheWindow", func(t *testing.T) {
		clk.Advance(ttl - before - time.Minute) // 24h01m left
		sweepOnce(t, sweeper)
		if got := inviteRow(t, inv.ID); got.RemindersSent != 0 || reminderEmails(t, email) != 0 {
			t.Fatalf("reminded with %s left: remindersSent %d", got.ExpiresAt.Sub(clk.Now()), got.RemindersSent)
		}
		if p, err := s.Invitation(ctx, firstToken); err != nil || p.Status != invites.StatusPending {
			t.Fatalf("first link before any reminder: %v, %v", p, err)
		}
	})

	t.Run("OnceInTheWindow", func(t *testing.T) {
		clk.Advance(time.Minute) // exactly 24h left
		r := sweepOnce(t, sweeper)
		if r.Reminded < 1 {
			t.Fatalf("reminded = %d, want at least this test's invite", r.Reminded)
		}
		got := inviteRow(t, inv.ID)
		if got.RemindersSent != 1 || !got.ExpiresAt.Equal(inv.ExpiresAt) || got.Status != invites.StatusPending || got.ExternalID == nil || *got.ExternalID != "R-1" {
			t.Fatalf("reminded invite = %d reminders, expires %s (was %s), %s, external ID %v; want 1, the same expiry, PENDING, R-1",
				got.RemindersSent, got.ExpiresAt, inv.ExpiresAt, got.Status, got.ExternalID)
		}
		if n := reminderEmails(t, email); n != 1 {
			t.Fatalf("reminder emails to %s = %d, want 1", email, n)
		}
		wantEmailsIn(t, "invite", email, inv.ProjectID) // the invitation and its reminder
		if n := remindedEvents(t, inv.ID); n != 1 {
			t.Errorf("Reminded User Invite events (no actor) = %d, want 1", n)
		}
		newToken := inviteToken(t, email)
		if newToken == firstToken {
			t.Fatal("the reminder carries the old link")
		}
		wantReplaced(t, s, firstToken)
		preview, err := s.Invitation(ctx, newToken)
		if err != nil || preview.Status != invites.StatusPending || preview.Email != email {
			t.Fatalf("Invitation(new token) = %+v, %v", preview, err)
		}
		if _, err := s.Invitation(ctx, "no-such-token-ever-issued"); invites.ErrorCode(err) != invites.NotFound || invites.LinkReplaced(err) {
			t.Errorf("an unknown token: %v, want NOT_FOUND without the replaced reason", err)
		}
		if n := count(t, "emails", "recipient = ? AND subject LIKE 'Reminder: %'", revokedEmail); n != 0 {
			t.Errorf("the revoked invite got %d reminders", n)
		}
		if got := inviteRow(t, revoked.ID); got.RemindersSent != 0 {
			t.Errorf("revoked invite remindersSent = %d", got.RemindersSent)
		}
	})

	t.Run("NeverTwice", func(t *testing.T) {
		clk.Advance(time.Hour)
		sweepOnce(t, sweeper)
		if n := reminderEmails(t, email); n != 1 {
			t.Fatalf("reminder emails after another sweep = %d, want 1", n)
		}
	})

	t.Run("ResendKeepsTheCount", func(t *testing.T) {
		oldToken := inviteToken(t, email)
		resent, err := s.ResendInvite(ctx, owner.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if resent.RemindersSent != 1 {
			t.Errorf("resent invite remindersSent = %d, want 1 (a resend resets nothing)", resent.RemindersSent)
		}
		wantReplaced(t, s, oldToken)
		clk.Advance(ttl - before) // the resent invite's own window
		sweepOnce(t, sweeper)
		if got := inviteRow(t, inv.ID); got.RemindersSent != 1 || reminderEmails(t, email) != 1 {
			t.Errorf("after a resend and its window: %d reminders counted, %d sent; want 1 and 1", got.RemindersSent, reminderEmails(t, email))
		}
		// The claim by the resend's link works.
		if _, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Remindee"}); err != nil {
			t.Fatalf("SignUp with the newest link: %v", err)
		}
		wantStatus(t, inv.ID, invites.StatusAccepted)
	})
}

func TestSweeper_RemindRules(t *testing.T) {
	for _, tc := range []struct {
		name        string
		ttl, before time.Duration
		advance     time.Duration // from the invite's sending to the sweep
		want        int           // remindersSent after the sweep
	}{
		{"Off", 7 * 24 * time.Hour, 0, 7*24*time.Hour - time.Hour, 0},
		{"JustInTheWindow", 7 * 24 * time.Hour, 24 * time.Hour, 6 * 24 * time.Hour, 1},
		{"JustBeforeTheWindow", 7 * 24 * time.Hour, 24 * time.Hour, 6*24*time.Hour - time.Second, 0},
		{"ExpiredNot", 7 * 24 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 0},
		{"LongerSetting", 7 * 24 * time.Hour, 72 * time.Hour, 4 * 24 * time.Hour, 1},
		// Sent with no more than the setting left: its first email is the reminder.
		{"ShortLivedInvite", 12 * time.Hour, 24 * time.Hour, time.Hour, 0},
		{"ShortLivedEqual", 24 * time.Hour, 24 * time.Hour, time.Hour, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := func(c *config.Domain) { c.InviteTTL, c.InviteRemindBefore = tc.ttl, tc.before }
			s, clk := newService(t, set)
			sweeper := newSweeper(t, clk, set)
			owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
			email := uniqueEmail("rule")
			inv := mustInvite(t, s, owner.ID, email, nil, "", "") // an invite to the service alone
			clk.Advance(tc.advance)
			sweepOnce(t, sweeper)
			if got := inviteRow(t, inv.ID).RemindersSent; got != tc.want {
				t.Errorf("remindersSent = %d, want %d", got, tc.want)
			}
			if got := reminderEmails(t, email); got != tc.want {
				t.Errorf("reminder emails = %d, want %d", got, tc.want)
			}
		})
	}
}

// A reminder counts against the recipient's daily cap; at the cap it is neither sent nor
// counted, and a later sweep on a day with room sends it.
func TestSweeper_RemindAtRecipientCap(t *testing.T) {
	ctx := context.Background()
	set := func(c *config.Domain) { c.InviteRecipientDailyLimit, c.InviteRemindBefore = 2, 48*time.Hour }
	s, clk := newService(t, set)
	sweeper := newSweeper(t, clk, set)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p1 := mustProject(t, s, owner.ID, "Capped one")
	p2 := mustProject(t, s, owner.ID, "Capped two")
	p3 := mustProject(t, s, owner.ID, "Capped three")
	email := uniqueEmail("capped")
	inv := mustInvite(t, s, owner.ID, email, &p1.ID, invites.RolePending, "")
	firstToken := inviteToken(t, email)

	clk.Advance(5*24*time.Hour + time.Minute) // 47h59m left: due
	// Two invite emails to the address today: its cap.
	mustInvite(t, s, owner.ID, email, &p2.ID, invites.RolePending, "")
	mustInvite(t, s, owner.ID, email, &p3.ID, invites.RolePending, "")

	r := sweepOnce(t, sweeper)
	if r.Capped < 1 {
		t.Errorf("capped = %d, want at least 1", r.Capped)
	}
	if got := inviteRow(t, inv.ID); got.RemindersSent != 0 || reminderEmails(t, email) != 0 || remindedEvents(t, inv.ID) != 0 {
		t.Fatalf("at the cap: remindersSent %d, %d emails, %d events; want none", got.RemindersSent, reminderEmails(t, email), remindedEvents(t, inv.ID))
	}
	if n := count(t, "invite_recipient_quota", "email = ? AND sent > 2", email); n != 0 {
		t.Errorf("the held-back reminder was counted against the cap")
	}
	if _, err := s.Invitation(ctx, firstToken); err != nil {
		t.Errorf("the held-back reminder replaced the link: %v", err)
	}

	clk.Advance(24 * time.Hour) // the next UTC day, 23h59m left
	sweepOnce(t, sweeper)
	if got := inviteRow(t, inv.ID); got.RemindersSent != 1 || reminderEmails(t, email) != 1 {
		t.Errorf("the next day: remindersSent %d, %d emails; want 1 and 1", got.RemindersSent, reminderEmails(t, email))
	}
}

// Two replicas sweeping at once (two sweepers, each with its own mail queue, on one database)
// send each reminder once.
func TestSweeper_RemindTwoReplicas(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	replicas := []*invites.Sweeper{newSweeper(t, clk, nil), newSweeper(t, clk, nil)}
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Two replicas")
	var mine []*invites.Invite
	for range 30 {
		mine = append(mine, mustInvite(t, s, owner.ID, uniqueEmail("twice"), &p.ID, invites.RolePending, ""))
	}
	clk.Advance(6*24*time.Hour + time.Minute)
	due := count(t, "invites", "status = 'PENDING' AND reminders_sent = 0 AND expires_at > ? AND expires_at <= ? AND expires_at - COALESCE(resent_at, created_at) > interval '24 hours'",
		clk.Now(), clk.Now().Add(24*time.Hour))
	if due < len(mine) {
		t.Fatalf("%d invites due, want at least this test's %d", due, len(mine))
	}
	for round := range 3 { // several rounds, so that the sweeps overlap in different ways
		results := make([]invites.SweepResult, 2*len(replicas))
		errs := concurrently(len(results), func(i int) error {
			var err error
			results[i], err = replicas[i%len(replicas)].Sweep(ctx)
			return err
		})
		total := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, sweep %d: %v", round, i, err)
			}
			total += results[i].Reminded + results[i].Capped
		}
		if round == 0 && total != due {
			t.Errorf("the sweeps reminded %d in all, want the %d due (each once)", total, due)
		}
		if round > 0 && total != 0 {
			t.Errorf("round %d reminded %d more", round, total)
		}
	}
	for _, inv := range mine {
		if got := inviteRow(t, inv.ID).RemindersSent; got != 1 {
			t.Errorf("invite %s: remindersSent %d, want 1", inv.Email, got)
		}
		if n := reminderEmails(t, inv.Email); n != 1 {
			t.Errorf("invite %s: %d reminder emails, want 1", inv.Email, n)
		}
		if n := remindedEvents(t, inv.ID); n != 1 {
			t.Errorf("invite %s: %d Reminded User Invite events, want 1", inv.Email, n)
		}
		if n := count(t, "replaced_invite_tokens", "invite_id = ?", inv.ID); n != 1 {
			t.Errorf("invite %s: %d replaced tokens, want 1", inv.Email, n)
		}
	}
}

// A sweeper set to remind but given no mailer says so rather than sending nothing.
func TestSweeper_RemindNeedsAMailer(t *testing.T) {
	domain := invites.Config{Domain: config.Default().Domain}
	w := invites.NewSweeper(pgDB(t), nil, domain)
	if _, err := w.Sweep(context.Background()); err == nil || !strings.Contains(err.Error(), "mailer") {
		t.Errorf("Sweep without a mailer: %v, want an error naming the mailer", err)
	}
	domain.InviteRemindBefore = 0
	off := invites.NewSweeper(pgDB(t), nil, domain)
	if _, err := off.Sweep(context.Background()); err != nil {
		t.Errorf("Sweep with reminders off and no mailer: %v", err)
	}
}
