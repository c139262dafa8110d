package invites_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// quotaStep is one call of a TestService_BulkInvite_AddressQuota case.
type quotaStep struct {
	// rows names each row's address: "n3" the case's fourth address new to the project, "m0"
	// a member's, "p0" a pending invitee's.
	rows []string
	// dry: a preview; confirm: confirm the previous step's preview; single: createInvite of
	// the first row's address instead of a batch.
	dry, confirm, single bool
	// ids gives each row an external ID of the step's own: the roster uploaded again to change
	// them; taken gives the first row the external ID that the member m0 keeps.
	ids, taken bool
	// later moves the clock on before the step.
	later time.Duration
	want  invites.Code
}

func names(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, prefix+strconv.Itoa(i))
	}
	return out
}

// Every address new to the project that a batch looks up counts once an hour against the
// inviter's cap (INVITE_RATE_LIMIT), previews included; members' and pending invitees'
// addresses do not count, nor does an address counted already this hour.
func TestService_BulkInvite_AddressQuota(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		cap   int
		steps []quotaStep
	}{
		{"PreviewAndConfirmFitTheCap", 10, []quotaStep{
			{rows: names("n", 0, 10), dry: true},
			{confirm: true},
			{rows: names("n", 10, 11), dry: true, want: invites.RateLimited},
		}},
		{"PreviewCounts", 5, []quotaStep{
			{rows: names("n", 0, 5), dry: true},
			{rows: names("n", 5, 6), single: true, want: invites.RateLimited},
			{rows: names("n", 5, 6), dry: true, want: invites.RateLimited},
		}},
		{"SameRosterAgainIsFree", 4, []quotaStep{
			{rows: names("n", 0, 4)},
			{rows: names("n", 0, 4), ids: true, dry: true},
			{confirm: true},
			{rows: names("n", 0, 4), dry: true},
			{rows: names("n", 4, 5), dry: true, want: invites.RateLimited},
		}},
		{"LookedUpThenFailedCounts", 2, []quotaStep{
			{rows: []string{"n0", "n1"}, taken: true},
			{rows: []string{"n2"}, dry: true, want: invites.RateLimited},
		}},
		{"MembersAndInviteesAreFree", 2, []quotaStep{
			{rows: []string{"m0", "m1", "p0", "p1", "n0", "n1"}, dry: true},
			{rows: []string{"m0", "m1", "p0", "p1", "n0", "n1"}, ids: true},
			{rows: []string{"n2"}, dry: true, want: invites.RateLimited},
		}},
		{"RefusedBatchCountsNothing", 3, []quotaStep{
			{rows: names("n", 0, 4), dry: true, want: invites.RateLimited},
			{rows: names("n", 0, 3), dry: true},
		}},
		{"EachHourAfresh", 3, []quotaStep{
			{rows: names("n", 0, 3), dry: true},
			{rows: names("n", 0, 3), dry: true, later: time.Hour},
			{rows: names("n", 3, 4), dry: true, want: invites.RateLimited},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The fixture is made without a cap; the steps run on a service with the case's.
			s, clk := newService(t, func(c *config.Domain) { c.InviteRateLimit = 0 })
			capped := newServices(t, pgDB(t), clk, func(c *config.Domain) { c.InviteRateLimit = tc.cap }).Invites
			owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
			p := mustProject(t, s, owner.ID, "Quota")
			// The owner's invites make the members and pending invitees; the admin, an inviter of
			// their own, runs the steps.
			admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
			addresses := map[string]string{}
			for i := range 2 {
				addresses["m"+strconv.Itoa(i)] = memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "M"+strconv.Itoa(i)).Email
				addresses["p"+strconv.Itoa(i)] = mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "").Email
			}
			clk.Advance(clk.Now().Truncate(time.Hour).Add(time.Hour + time.Minute).Sub(clk.Now())) // early in an hour
			var preview *uuid.UUID
			for i, step := range tc.steps {
				clk.Advance(step.later)
				var rows []invites.BulkRow
				for _, name := range step.rows {
					if addresses[name] == "" {
						addresses[name] = uniqueEmail("quota-" + name)
					}
					row := invites.BulkRow{Email: addresses[name]}
					if step.ids {
						row.ExternalID = fmt.Sprintf("%s-%d", name, i)
					}
					rows = append(rows, row)
				}
				if step.taken {
					rows[0].ExternalID = "M0"
				}
				var err error
				switch {
				case step.confirm:
					_, err = capped.ConfirmBulkInvite(ctx, admin.ID, *preview)
				case step.single:
					_, err = capped.CreateInvite(ctx, admin.ID, invites.CreateInviteInput{Email: rows[0].Email, ProjectID: &p.ID, Role: ptr(invites.RoleContributor)})
				default:
					var out *invites.BulkOutcome
					out, err = capped.BulkInvite(ctx, admin.ID, invites.BulkInput{ProjectID: p.ID, Rows: numbered(rows), DefaultRole: invites.RoleContributor, DryRun: step.dry})
					if err == nil {
						preview = out.PreviewID
					}
				}
				if got := invites.ErrorCode(err); err != nil && got != step.want || err == nil && step.want != "" {
					t.Fatalf("step %d: error %v, want code %q", i+1, err, step.want)
				}
			}
		})
	}
}

// Batches of one inviter at once that look up the same addresses count each once, and wait
// for each other rather than deadlock, whatever the order of their rows.
func TestService_BulkInvite_AddressQuotaRaces(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, func(c *config.Domain) { c.InviteRateLimit = 40 })
	clk.Advance(time.Until(clk.Now().Truncate(time.Hour).Add(time.Hour)) + time.Minute)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	projects := []uuid.UUID{mustProject(t, s, owner.ID, "Race A").ID, mustProject(t, s, owner.ID, "Race B").ID}
	var forward, backward []invites.BulkRow
	for i := range 40 {
		forward = append(forward, invites.BulkRow{Row: i + 1, Email: uniqueEmail("shared")})
	}
	for i := range forward {
		backward = append(backward, invites.BulkRow{Row: i + 1, Email: forward[len(forward)-1-i].Email})
	}
	// Two previews and two real runs, in two projects, all at once.
	errs := concurrently(4, func(i int) error {
		rows := [][]invites.BulkRow{forward, backward}[i%2]
		_, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: projects[i/2], Rows: rows, DefaultRole: invites.RoleContributor, DryRun: i%2 == 0})
		return err
	})
	if got := codes(t, errs); got[""] != 4 {
		t.Fatalf("outcomes %v, want 4 successes", got)
	}
	if n := count(t, "invite_quota_addresses", "inviter_id = ?", owner.ID); n != 40 {
		t.Errorf("%d addresses counted, want 40", n)
	}
	_, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: projects[0], Rows: numbered([]invites.BulkRow{{Email: uniqueEmail("one-more")}}),
		DefaultRole: invites.RoleContributor, DryRun: true})
	wantCode(t, err, invites.RateLimited)
}
