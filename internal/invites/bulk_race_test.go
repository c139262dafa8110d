package invites_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/invites/invites/internal/invites"
)

func TestService_BulkInviteRaces(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))

	// Two batches want the same 50 IDs for different people: each ID ends with one holder,
	// and the row that lost it says so.
	t.Run("TwoBatchesSameIDs", func(t *testing.T) {
		const n = 50
		for round := range 3 {
			p := mustProject(t, s, owner.ID, "Race Bulk IDs")
			var batches [2][]invites.BulkRow
			for b := range batches {
				for i := range n {
					batches[b] = append(batches[b], invites.BulkRow{Row: i + 1, Email: uniqueEmail(fmt.Sprintf("batch%d", b)), ExternalID: fmt.Sprintf("ID-%d", i)})
				}
			}
			var outs [2]*invites.BulkOutcome
			errs := concurrently(2, func(b int) error {
				var err error
				outs[b], err = s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: batches[b], DefaultRole: invites.RoleContributor})
				return err
			})
			if got := codes(t, errs); got[""] != 2 {
				t.Fatalf("round %d: outcomes = %v, want 2 successes", round, got)
			}
			for i := range n {
				id := fmt.Sprintf("ID-%d", i)
				if h := externalIDHolders(t, p.ID, id); h != 1 {
					t.Errorf("round %d: holders of %s = %d, want 1", round, id, h)
				}
				won := -1
				for b := range outs {
					switch r := results(outs[b])[i]; {
					case r.Kind == bulkNewInvitation:
						if won >= 0 {
							t.Errorf("round %d: %s given to both batches", round, id)
						}
						won = b
					case r.Kind != bulkFailed || r.Reason != invites.ReasonExternalIDTaken || !r.Retryable:
						t.Errorf("round %d: batch %d: %s, want NewInvitation or a retryable EXTERNAL_ID_TAKEN", round, b, describeResult(r))
					}
				}
				if won < 0 {
					t.Errorf("round %d: %s given to neither batch", round, id)
					continue
				}
				wantNewInvite(t, p.ID, batches[won][i].Email, id)
				wantNoInvite(t, p.ID, batches[1-won][i].Email)
			}
			if c := count(t, "invites", "project_id = ? AND status = 'PENDING'", p.ID); c != n {
				t.Errorf("round %d: %d pending invites, want %d", round, c, n)
			}
		}
	})

	// Two batches invite the same people: one pending invite and one email each.
	t.Run("TwoBatchesSameEmails", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "Race Bulk Emails")
		var rows []invites.BulkRow
		for i := range 20 {
			rows = append(rows, invites.BulkRow{Row: i + 1, Email: uniqueEmail("both")})
		}
		var outs [2]*invites.BulkOutcome
		errs := concurrently(2, func(b int) error {
			var err error
			outs[b], err = s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: rows, DefaultRole: invites.RoleContributor})
			return err
		})
		if got := codes(t, errs); got[""] != 2 {
			t.Fatalf("outcomes = %v, want 2 successes", got)
		}
		for i, row := range rows {
			kinds := map[bulkKind]int{results(outs[0])[i].Kind: 1}
			kinds[results(outs[1])[i].Kind]++
			if kinds[bulkNewInvitation] != 1 || kinds[bulkExistingInvitation] != 1 {
				t.Errorf("%s: %s and %s, want one new and one existing invitation", row.Email, describeResult(results(outs[0])[i]), describeResult(results(outs[1])[i]))
			}
			if c := count(t, "invites", "project_id = ? AND email = ?", p.ID, row.Email); c != 1 {
				t.Errorf("%s: %d invites, want 1", row.Email, c)
			}
			if c := count(t, "emails", "recipient = ?", row.Email); c != 1 {
				t.Errorf("%s: %d emails, want 1", row.Email, c)
			}
		}
	})

	// A batch, createInvite and updateMember want one ID at once: one of them gets it.
	t.Run("WithCreateInviteAndUpdateMember", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "Race Bulk Mixed")
		m := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
		for round := range 5 {
			id := fmt.Sprintf("W-%d", round)
			var rows []invites.BulkRow
			for i := range 10 {
				rows = append(rows, invites.BulkRow{Row: i + 1, Email: uniqueEmail("mixed"), ExternalID: fmt.Sprintf("W-%d-%d", round, i)})
			}
			rows[5].ExternalID = id
			var out *invites.BulkOutcome
			errs := concurrently(3, func(i int) error {
				var err error
				switch i {
				case 0:
					out, err = s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: rows, DefaultRole: invites.RoleContributor})
				case 1:
					_, err = s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("single"), ProjectID: &p.ID, Role: ptr(invites.RolePending), ExternalID: &id})
				case 2:
					_, err = s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: m.ID, ExternalID: &id})
				}
				return err
			})
			if errs[0] != nil {
				t.Fatalf("round %d: BulkInvite: %v", round, errs[0])
			}
			winners := 0
			for _, err := range errs[1:] {
				if err == nil {
					winners++
				} else {
					wantCode(t, err, invites.ExternalIDTaken)
				}
			}
			switch r := results(out)[5]; {
			case r.Kind == bulkNewInvitation:
				winners++
			case r.Kind != bulkFailed || r.Reason != invites.ReasonExternalIDTaken:
				t.Errorf("round %d: the batch's row for %s: %s", round, id, describeResult(r))
			}
			if winners != 1 {
				t.Errorf("round %d: %d calls got %s, want 1", round, winners, id)
			}
			if h := externalIDHolders(t, p.ID, id); h != 1 {
				t.Errorf("round %d: holders of %s = %d, want 1", round, id, h)
			}
			for i, r := range results(out) {
				if i != 5 && r.Kind != bulkNewInvitation {
					t.Errorf("round %d: %s, want a new invitation", round, describeResult(r))
				}
			}
		}
	})

	// A batch moves a member's ID to a newcomer while updateMember gives the member another:
	// no ID ends with two holders, and the member holds one.
	t.Run("WithUpdateOfMovedMember", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "Race Bulk Move")
		for round := range 5 {
			old, moved, other := fmt.Sprintf("MV-%d", round), fmt.Sprintf("MV2-%d", round), fmt.Sprintf("MV3-%d", round)
			m := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, old)
			newcomer := uniqueEmail("newcomer")
			errs := concurrently(2, func(i int) error {
				if i == 0 {
					_, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor, Rows: numbered([]invites.BulkRow{
						{Email: newcomer, ExternalID: old},
						{Email: m.Email, ExternalID: moved},
					})})
					return err
				}
				_, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: m.ID, ExternalID: &other})
				return err
			})
			if got := codes(t, errs); got[""] != 2 {
				t.Fatalf("round %d: outcomes = %v, want 2 successes", round, got)
			}
			for _, id := range []string{old, moved, other} {
				if h := externalIDHolders(t, p.ID, id); h > 1 {
					t.Errorf("round %d: holders of %s = %d", round, id, h)
				}
			}
			if ext := memberRow(t, p.ID, m.ID).ExternalID; ext == nil || (*ext != moved && *ext != other) {
				t.Errorf("round %d: member holds %s, want %s or %s", round, str(ext), moved, other)
			}
		}
	})
}
