package invites_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// failureDigest is an inviter's digest of undeliverable invitations as queued in the outbox.
type failureDigest struct {
	Locale, Project, Count, Link string
}

func failureDigests(t *testing.T, recipient string) []failureDigest {
	t.Helper()
	var out []failureDigest
	rows, err := pgDB(t).QueryContext(context.Background(), `SELECT params->>'locale', params->>'project', params->>'count', link
		FROM emails WHERE recipient = ? AND kind = 'delivery_failed' ORDER BY created_at, id`, recipient)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d failureDigest
		if err := rows.Scan(&d.Locale, &d.Project, &d.Count, &d.Link); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// failInvites writes the latest emails of the project's pending invites to these addresses
// with status, as the mail queue (FAILED_PERMANENT, SUPPRESSED) or a provider's report
// (BOUNCED, internal/delivery) writes them.
func failInvites(t *testing.T, projectID uuid.UUID, status string, emails ...string) {
	t.Helper()
	res, err := pgDB(t).NewRaw(`UPDATE emails SET status = ?, last_error = 'refused', updated_at = now()
		WHERE id IN (SELECT email_id FROM invites WHERE project_id = ? AND email IN (?))`,
		status, projectID, bun.In(emails)).Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); int(n) != len(emails) {
		t.Fatalf("%d emails failed, want %d", n, len(emails))
	}
}

// TestDeliveryFailureDigest: an inviter hears of their invitations that failed for good, in
// their own locale, in one email per project an hour however many failed, each failure once;
// another inviter of the project hears of theirs only; a digest that fails is never told of.
func TestDeliveryFailureDigest(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, func(d *config.Domain) { d.InviteRateLimit = 0 })
	sweeper := newServices(t, pgDB(t), clk, func(c *config.Domain) { c.InviteRemindBefore = 0; c.InviteRateLimit = 0 }).Sweeper
	sweep := func() invites.SweepResult {
		t.Helper()
		r, err := sweeper.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	verified := func(email, acceptLanguage string) *invites.User {
		t.Helper()
		if _, err := s.SignUp(ctx, invites.SignUpInput{Email: email, Password: "correct horse", Name: "Inviter", AcceptLanguage: acceptLanguage}); err != nil {
			t.Fatal(err)
		}
		u, err := s.VerifyEmail(ctx, linkToken(t, email, "verify-email"))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	owner := verified(uniqueEmail("owner"), "de-CH")
	p := mustProject(t, s, owner.ID, "Postfach")
	admin := verified(uniqueEmail("admin"), "ja")
	_, link := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleAdmin})
	if _, err := s.JoinWithLink(ctx, admin, link); err != nil {
		t.Fatal(err)
	}

	// A bulk of a thousand by the owner, all bounced, and one invite of the admin's refused.
	const bulk = 1000
	rows := make([]invites.BulkRow, bulk)
	addresses := make([]string, bulk)
	for i := range rows {
		addresses[i] = fmt.Sprintf("gone-%d-%s", i, uniqueEmail("x"))
		rows[i] = invites.BulkRow{Email: addresses[i]}
	}
	if out := mustBulk(t, s, owner.ID, p.ID, rows...); out.Summary.NewInvitations != bulk {
		t.Fatalf("bulk summary %+v", out.Summary)
	}
	adminsInvite := uniqueEmail("refused")
	mustInvite(t, s, admin.ID, adminsInvite, &p.ID, invites.RoleContributor, "")
	sweep() // nothing failed yet
	if got := failureDigests(t, owner.Email); len(got) != 0 {
		t.Fatalf("digests before any failure: %+v", got)
	}
	failInvites(t, p.ID, "BOUNCED", addresses...)
	failInvites(t, p.ID, "FAILED_PERMANENT", adminsInvite)

	r := sweep()
	sweep()
	invitations := "https://app.example/projects/" + p.ID.String() + "/invitations?status=delivery%3A"
	if got, want := failureDigests(t, owner.Email), []failureDigest{{"de", "Postfach", strconv.Itoa(bulk), invitations + "BOUNCED"}}; !equalDigests(got, want) {
		t.Fatalf("owner's digests %+v, want %+v", got, want)
	}
	if got, want := failureDigests(t, admin.Email), []failureDigest{{"ja", "Postfach", "1", invitations + "FAILED_PERMANENT"}}; !equalDigests(got, want) {
		t.Fatalf("admin's digests %+v, want %+v", got, want)
	}
	wantEmailsIn(t, "delivery_failed", owner.Email, p.ID)
	wantEmailsIn(t, "delivery_failed", admin.Email, p.ID)
	if r.FailureDigests != 2 {
		t.Errorf("the sweep reports %d digests, want 2", r.FailureDigests)
	}

	// Within the hour: a new failure waits; the digests that failed themselves are no invite's.
	late := uniqueEmail("late")
	mustInvite(t, s, owner.ID, late, &p.ID, invites.RoleContributor, "")
	failInvites(t, p.ID, "SUPPRESSED", late)
	if _, err := pgDB(t).NewRaw(`UPDATE emails SET status = 'BOUNCED' WHERE kind = 'delivery_failed' AND recipient IN (?, ?)`,
		owner.Email, admin.Email).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(30 * time.Minute)
	sweep()
	if n := len(failureDigests(t, owner.Email)); n != 1 {
		t.Fatalf("%d digests to the owner within the hour, want 1", n)
	}
	clk.Advance(31 * time.Minute)
	sweep()
	got := failureDigests(t, owner.Email)
	if want := (failureDigest{"de", "Postfach", "1", invitations + "SUPPRESSED"}); len(got) != 2 || got[1] != want {
		t.Fatalf("owner's digests after the hour %+v, want a second one %+v", got, want)
	}
	if n := len(failureDigests(t, admin.Email)); n != 1 {
		t.Errorf("%d digests to the admin, whose own digest bounced; want still 1", n)
	}

	// A failure with nobody to tell (an invite to the service alone) is set aside, told to no one.
	alone := uniqueEmail("alone")
	mustInvite(t, s, owner.ID, alone, nil, "", "")
	if _, err := pgDB(t).NewRaw(`UPDATE emails SET status = 'BOUNCED' WHERE recipient = ? AND kind = 'invite'`, alone).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	sweep()
	if n := count(t, "emails", "recipient = ? AND failure_told_at IS NOT NULL", alone); n != 1 {
		t.Errorf("the failure of an invite to the service alone is left to be read again by every sweep")
	}
	if got := failureDigests(t, owner.Email); len(got) != 2 {
		t.Errorf("owner's digests %+v after a failure of an invite to the service alone, want still 2", got)
	}
}

func equalDigests(got, want []failureDigest) bool { return slices.Equal(got, want) }

// TestDeliveryFailureDigest_TwoReplicas: sweeps of two replicas at once send one digest.
func TestDeliveryFailureDigest_TwoReplicas(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Replicas")
	for round := range 5 {
		address := uniqueEmail("gone")
		mustInvite(t, s, owner.ID, address, &p.ID, invites.RoleContributor, "")
		failInvites(t, p.ID, "FAILED_PERMANENT", address)
		sweepers := []*invites.Sweeper{
			newServices(t, pgDB(t), clk, func(c *config.Domain) { c.InviteRemindBefore = 0 }).Sweeper,
			newServices(t, pgDB(t), clk, func(c *config.Domain) { c.InviteRemindBefore = 0 }).Sweeper,
		}
		errs := concurrently(2, func(i int) error {
			_, err := sweepers[i].Sweep(ctx)
			return err
		})
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("round %d: sweeps: %v", round, errs)
		}
		if got := failureDigests(t, owner.Email); len(got) != round+1 || got[round].Count != "1" {
			t.Fatalf("round %d: digests %+v, want one more, of one failure", round, got)
		}
		clk.Advance(invites.DeliveryFailureDigestInterval)
	}
}
