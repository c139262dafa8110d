package invites_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// mustPreview runs rows as a dry run with default role CONTRIBUTOR and returns its outcome,
// which names the stored preview.
func mustPreview(t *testing.T, s *invites.Service, actor, projectID uuid.UUID, rows ...invites.BulkRow) *invites.BulkOutcome {
	t.Helper()
	out := mustBulkInput(t, s, actor, invites.BulkInput{ProjectID: projectID, Rows: numbered(rows), DefaultRole: invites.RoleContributor, DryRun: true})
	if out.PreviewID == nil || out.PreviewExpiresAt == nil {
		t.Fatalf("a dry run without a preview ID or expiry: %v, %v", out.PreviewID, out.PreviewExpiresAt)
	}
	return out
}

// promisedIDs are the IDs of the invites that an outcome's new invitations name, in order.
func promisedIDs(out *invites.BulkOutcome) []uuid.UUID {
	var ids []uuid.UUID
	for _, r := range results(out) {
		if r.Kind == bulkNewInvitation {
			ids = append(ids, r.Invite.ID)
		}
	}
	return ids
}

// withoutAccounts is an outcome described as a preview shows it: nothing of accounts.
func withoutAccounts(out *invites.BulkOutcome) string {
	return strings.ReplaceAll(describeOutcome(out), " existing-account", "")
}

// staleRows fails the test unless err is PREVIEW_STALE with reason and exactly the rows given.
func staleRows(t *testing.T, err error, reason string, rows ...int) {
	t.Helper()
	wantCode(t, err, invites.PreviewStale)
	e := err.(*invites.Error)
	if e.Reason != reason || !slices.Equal(e.Rows, rows) {
		t.Fatalf("PREVIEW_STALE reason %q rows %v (%s), want reason %q rows %v", e.Reason, e.Rows, e.Message, reason, rows)
	}
}

// A preview tells nothing of accounts, writes no invite, and is written exactly (the same
// results and IDs) by its confirmation, once however often it is confirmed.
func TestService_ConfirmBulkInvite(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Confirm")
	member := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "M-1")
	pending := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "P-1")
	account := mustSignUp(t, s, uniqueEmail("account")).User
	fresh := uniqueEmail("fresh")
	rows := []invites.BulkRow{
		{Email: account.Email, ExternalID: "A-1"},
		{Email: fresh, Role: "admin", Name: "Fay Fresh"},
		{Email: member.Email, ExternalID: "M-2"},
		{Email: pending.Email, Role: "pending", ExternalID: "M-1"}, // the member's old ID
		{Email: "nope"},
	}
	stateBefore := projectState(t, p.ID)
	preview := mustPreview(t, s, owner.ID, p.ID, rows...)
	if r := results(preview)[0]; r.Kind != bulkNewInvitation || r.ExistingAccount {
		t.Errorf("the preview's row of an account: %s, want a NewInvitation that says nothing of the account", describeResult(r))
	}
	if after := projectState(t, p.ID); after != stateBefore {
		t.Errorf("the preview wrote:\nbefore %s\nafter  %s", stateBefore, after)
	}
	ids := promisedIDs(preview)
	if nodes, err := s.Nodes(ctx, owner, []string{ids[0].String(), ids[1].String()}); err != nil || nodes[0] != nil || nodes[1] != nil {
		t.Errorf("the promised invites exist before the confirmation: %v, %v", nodes, err)
	}
	if want := clk.Now().Add(time.Hour); !preview.PreviewExpiresAt.Equal(want.Truncate(time.Microsecond)) {
		t.Errorf("preview expires at %s, want %s (BULK_PREVIEW_TTL's default, 1h)", preview.PreviewExpiresAt, want)
	}

	emailsBefore := count(t, "emails", "TRUE")
	confirmed, err := s.ConfirmBulkInvite(ctx, owner.ID, *preview.PreviewID)
	if err != nil {
		t.Fatalf("ConfirmBulkInvite: %v", err)
	}
	if got, want := withoutAccounts(confirmed), describeOutcome(preview); got != want {
		t.Errorf("confirmed:\n%s\npreviewed:\n%s", got, want)
	}
	if got := promisedIDs(confirmed); !slices.Equal(got, ids) {
		t.Errorf("confirmed invites %v, preview promised %v", got, ids)
	}
	if confirmed.PreviewID != nil || !results(confirmed)[0].ExistingAccount {
		t.Errorf("the confirmed result: preview ID %v, account's existingAccount %t; want none and true", confirmed.PreviewID, results(confirmed)[0].ExistingAccount)
	}
	for i, id := range ids {
		if inv := inviteRow(t, id); inv.Email != []string{account.Email, fresh}[i] || inv.Status != invites.StatusPending {
			t.Errorf("invite %s: %s %s", id, inv.Email, inv.Status)
		}
	}
	wantMemberExt(t, p.ID, member, "M-2")
	wantInviteExt(t, pending.ID, "M-1")
	if n := count(t, "emails", "TRUE") - emailsBefore; n != 2 {
		t.Errorf("the confirmation queued %d emails, want 2", n)
	}

	t.Run("Again", func(t *testing.T) {
		stateBefore := projectState(t, p.ID)
		again, err := s.ConfirmBulkInvite(ctx, owner.ID, *preview.PreviewID)
		if err != nil {
			t.Fatalf("second ConfirmBulkInvite: %v", err)
		}
		if got, want := describeOutcome(again), describeOutcome(confirmed); got != want {
			t.Errorf("second confirmation:\n%s\nfirst:\n%s", got, want)
		}
		if got := promisedIDs(again); !slices.Equal(got, ids) {
			t.Errorf("second confirmation names invites %v, want %v", got, ids)
		}
		if after := projectState(t, p.ID); after != stateBefore {
			t.Errorf("the second confirmation wrote:\nbefore %s\nafter  %s", stateBefore, after)
		}
	})

	t.Run("NotTheirs", func(t *testing.T) {
		admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin) // verified by its invite
		for _, id := range []uuid.UUID{*preview.PreviewID, uuid.Must(uuid.NewV7())} {
			_, err := s.ConfirmBulkInvite(ctx, admin.ID, id)
			wantCode(t, err, invites.NotFound)
		}
	})
}

// Confirmations of one preview at once make one batch: each gets its result, and the invites,
// emails and events are written once.
func TestService_ConfirmBulkInvite_Concurrent(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	for round := range 3 {
		p := mustProject(t, s, owner.ID, "Confirm Race")
		var rows []invites.BulkRow
		for range 20 {
			rows = append(rows, invites.BulkRow{Email: uniqueEmail("race")})
		}
		preview := mustPreview(t, s, owner.ID, p.ID, rows...)
		outs := make([]*invites.BulkOutcome, 4)
		errs := concurrently(len(outs), func(i int) error {
			var err error
			outs[i], err = s.ConfirmBulkInvite(ctx, owner.ID, *preview.PreviewID)
			return err
		})
		if got := codes(t, errs); got[""] != len(outs) {
			t.Fatalf("round %d: outcomes %v, want %d successes", round, got, len(outs))
		}
		for i, out := range outs {
			if got, want := describeOutcome(out), describeOutcome(outs[0]); got != want {
				t.Errorf("round %d: confirmation %d:\n%s\nconfirmation 0:\n%s", round, i, got, want)
			}
			if !slices.Equal(promisedIDs(out), promisedIDs(preview)) {
				t.Errorf("round %d: confirmation %d names other invites than the preview", round, i)
			}
		}
		if n := count(t, "invites", "project_id = ?", p.ID); n != len(rows) {
			t.Errorf("round %d: %d invites, want %d", round, n, len(rows))
		}
		if n := count(t, "activity_events", "project_id = ? AND name = ?", p.ID, invites.EventCreatedUserInvite); n != len(rows) {
			t.Errorf("round %d: %d creation events, want %d", round, n, len(rows))
		}
	}
}

// A preview that expired, or that was pushed out by the inviter's newer ones, is not written.
func TestService_ConfirmBulkInvite_Expiry(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, func(c *config.Domain) { c.BulkPreviewTTL = 10 * time.Minute })
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Expiry")

	t.Run("Expired", func(t *testing.T) {
		email := uniqueEmail("late")
		preview := mustPreview(t, s, owner.ID, p.ID, invites.BulkRow{Email: email})
		clk.Advance(10 * time.Minute)
		_, err := s.ConfirmBulkInvite(ctx, owner.ID, *preview.PreviewID)
		staleRows(t, err, invites.ReasonPreviewExpired)
		wantNoInvite(t, p.ID, email)
	})

	t.Run("SweptADayLater", func(t *testing.T) {
		preview := mustPreview(t, s, owner.ID, p.ID, invites.BulkRow{Email: uniqueEmail("swept")})
		sweeper := newSweeper(t, clk, func(c *config.Domain) { c.InviteRemindBefore = 0 })
		clk.Advance(10*time.Minute + 23*time.Hour)
		sweepOnce(t, sweeper)
		_, err := s.ConfirmBulkInvite(ctx, owner.ID, *preview.PreviewID)
		wantCode(t, err, invites.PreviewStale)
		clk.Advance(time.Hour)
		sweepOnce(t, sweeper)
		_, err = s.ConfirmBulkInvite(ctx, owner.ID, *preview.PreviewID)
		wantCode(t, err, invites.NotFound)
	})

	t.Run("TenNewestKept", func(t *testing.T) {
		var previews []*invites.BulkOutcome
		for range 11 {
			previews = append(previews, mustPreview(t, s, owner.ID, p.ID, invites.BulkRow{Email: uniqueEmail("many")}))
		}
		if n := count(t, "bulk_previews", "inviter_id = ?", owner.ID); n != 10 {
			t.Errorf("%d previews kept, want 10", n)
		}
		_, err := s.ConfirmBulkInvite(ctx, owner.ID, *previews[0].PreviewID)
		wantCode(t, err, invites.NotFound)
		if _, err := s.ConfirmBulkInvite(ctx, owner.ID, *previews[1].PreviewID); err != nil {
			t.Errorf("the oldest preview kept: %v", err)
		}
	})
}

// A confirmed preview's batch event names the file that was previewed: the name travels with
// the stored preview, since confirming uploads nothing.
func TestService_ConfirmBulkInvite_FileName(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Preview File")
	rows := numbered([]invites.BulkRow{{Email: uniqueEmail("file")}, {Email: uniqueEmail("file")}})
	preview := mustBulkInput(t, s, owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: rows, DefaultRole: invites.RoleContributor, DryRun: true, FileName: "people.csv"})
	if n := count(t, "activity_events", "project_id = ? AND name = ?", p.ID, invites.EventBulkInvited); n != 0 {
		t.Errorf("a preview recorded %d batch events, want none", n)
	}
	if _, err := s.ConfirmBulkInvite(ctx, owner.ID, *preview.PreviewID); err != nil {
		t.Fatal(err)
	}
	if n := count(t, "activity_events", "project_id = ? AND name = ? AND actor_id = ? AND invitations = 2 AND file_name = 'people.csv'",
		p.ID, invites.EventBulkInvited, owner.ID); n != 1 {
		t.Errorf("%d batch events naming people.csv with 2 invitations, want 1", n)
	}
}
