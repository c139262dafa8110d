package invites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// staleFixture is a project with a member (external ID M-1), a pending invite (P-1), an admin
// who previews, and two addresses new to it; each case of TestService_ConfirmBulkInvite_Stale
// previews rows over it, changes it, and confirms.
type staleFixture struct {
	owner, admin     *invites.User
	project          uuid.UUID
	member           *invites.User
	pending          *invites.Invite
	freshA, freshB   string
	otherProjectByMe uuid.UUID
}

// The preview is written only if every row comes to what it showed; a change to the project
// that changes a row's outcome makes the confirmation PREVIEW_STALE, naming the rows and what
// changed, and writes nothing; a change that changes no row's outcome lets it through.
func TestService_ConfirmBulkInvite_Stale(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, func(c *config.Domain) { c.InviteRecipientDailyLimit = 2 })
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	setup := func(t *testing.T) *staleFixture {
		p := mustProject(t, s, owner.ID, "Stale")
		f := &staleFixture{owner: owner, project: p.ID,
			admin:  mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin),
			member: memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "M-1"),
			freshA: uniqueEmail("fresh-a"), freshB: uniqueEmail("fresh-b")}
		f.pending = mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "P-1")
		f.otherProjectByMe = mustProject(t, s, owner.ID, "Elsewhere").ID
		return f
	}
	rows := func(f *staleFixture) []invites.BulkRow {
		return []invites.BulkRow{
			{Email: f.freshA, ExternalID: "A-1"},
			{Email: f.member.Email, ExternalID: "M-2"},
			{Email: f.pending.Email, ExternalID: "P-2"},
			{Email: f.freshB},
		}
	}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, f *staleFixture)
		// rows are the rows that the confirmation names as changed (none: it goes through);
		// says is what its message must say.
		rows []int
		says string
	}{
		{"InvitedMeanwhile", func(t *testing.T, f *staleFixture) {
			mustInvite(t, s, f.owner.ID, f.freshA, &f.project, invites.RoleContributor, "")
		}, []int{1}, "row 1 (" + "%A" + "): was a new invitation as CONTRIBUTOR, with external ID A-1, now its pending invitation"},
		{"IDTakenMeanwhile", func(t *testing.T, f *staleFixture) {
			mustInvite(t, s, f.owner.ID, uniqueEmail("taker"), &f.project, invites.RoleContributor, "A-1")
		}, []int{1}, "now failed (EXTERNAL_ID_TAKEN)"},
		{"InviteRevoked", func(t *testing.T, f *staleFixture) {
			if _, err := s.RevokeInvite(ctx, f.owner.ID, f.pending.ID); err != nil {
				t.Fatal(err)
			}
		}, []int{3}, "was its pending invitation, as CONTRIBUTOR, changing external ID P-1 to P-2, now a new invitation"},
		{"MemberPromoted", func(t *testing.T, f *staleFixture) {
			admin := invites.RoleAdmin
			if _, err := s.UpdateMember(ctx, f.owner.ID, invites.UpdateMemberInput{ProjectID: f.project, UserID: f.member.ID, Role: &admin}); err != nil {
				t.Fatal(err)
			}
		}, []int{2}, "now failed (ROLE_NOT_ALLOWED)"},
		{"MemberIDChanged", func(t *testing.T, f *staleFixture) {
			id := "M-9"
			if _, err := s.UpdateMember(ctx, f.owner.ID, invites.UpdateMemberInput{ProjectID: f.project, UserID: f.member.ID, ExternalID: &id}); err != nil {
				t.Fatal(err)
			}
		}, []int{2}, "was an existing member, changing external ID M-1 to M-2, now an existing member, changing external ID M-9 to M-2"},
		{"RecipientCapped", func(t *testing.T, f *staleFixture) {
			mustInvite(t, s, f.owner.ID, f.freshB, &f.otherProjectByMe, invites.RoleContributor, "")
			mustInvite(t, s, f.owner.ID, f.freshB, nil, "", "")
		}, []int{4}, "now failed (FAILED_TO_SEND)"},
		{"SeveralRows", func(t *testing.T, f *staleFixture) {
			mustInvite(t, s, f.owner.ID, f.freshA, &f.project, invites.RoleContributor, "")
			mustInvite(t, s, f.owner.ID, f.freshB, &f.project, invites.RoleContributor, "")
			if _, err := s.RevokeInvite(ctx, f.owner.ID, f.pending.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.RemoveMember(ctx, f.owner.ID, f.project, f.member.ID); err != nil {
				t.Fatal(err)
			}
		}, []int{1, 2, 3, 4}, "; and 1 more"},
		// Changes that change no row's outcome.
		{"AccountMeanwhile", func(t *testing.T, f *staleFixture) { mustSignUp(t, s, f.freshA) }, nil, ""},
		{"OtherPeople", func(t *testing.T, f *staleFixture) {
			mustInvite(t, s, f.owner.ID, uniqueEmail("other"), &f.project, invites.RolePending, "O-1")
			memberWithID(t, s, f.owner.ID, f.project, invites.RoleContributor, "O-2")
		}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			preview := mustPreview(t, s, f.admin.ID, f.project, rows(f)...)
			tc.change(t, f)
			before := projectState(t, f.project)
			out, err := s.ConfirmBulkInvite(ctx, f.admin.ID, *preview.PreviewID)
			if tc.rows == nil {
				if err != nil {
					t.Fatalf("ConfirmBulkInvite: %v", err)
				}
				if got, want := withoutAccounts(out), describeOutcome(preview); got != want {
					t.Errorf("confirmed:\n%s\npreviewed:\n%s", got, want)
				}
				return
			}
			staleRows(t, err, invites.ReasonPreviewChanged, tc.rows...)
			if msg, says := invites.ErrorMessage(err), strings.ReplaceAll(tc.says, "%A", f.freshA); !strings.Contains(msg, says) {
				t.Errorf("message %q, want it to say %q", msg, says)
			}
			if after := projectState(t, f.project); after != before {
				t.Errorf("a stale confirmation wrote:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
