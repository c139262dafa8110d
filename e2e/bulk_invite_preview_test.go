package e2e

import (
	"testing"
	"time"

	"github.com/invites/invites/internal/mail/smtptest"
)

// e2eBulkPreview previews rows; it asks only for what today's and earlier schemas both have,
// so that the test fails on what a preview tells, not on the query.
const e2eBulkPreview = `mutation($p: ID!, $rows: [InviteRowInput!]!) {
	bulkInvite(input: {projectId: $p, rows: $rows, dryRun: true}) { results { __typename ... on NewInvitation { existingAccount invite { email } } } }
}`

// e2ePreviewed is e2eBulkPreview's answer.
type e2ePreviewed struct {
	BulkInvite struct {
		Results []struct {
			Typename        string `json:"__typename"`
			ExistingAccount bool
			Invite          struct{ Email string }
		}
	}
}

// Issue 19, finding 3: a bulk invite's dry run told, for 10,000 addresses at a time and at no
// cost, which of them have accounts. A preview now tells nothing of accounts, and every address
// new to the project that it looks up counts against the inviter's hourly invite cap (once an
// hour, so previewing the same roster again costs nothing); confirming the preview sends the
// invites, and only then says which addresses have accounts.
func TestBulkInvite_PreviewTellsNothingOfAccounts(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "INVITE_RATE_LIMIT": "3"})}
	// The owner's own verification and project cost nothing; the cap counts per inviter and hour.
	for attempt := range 2 {
		hour := time.Now().Truncate(time.Hour)
		owner := c.signUpVerified(smtp, e2eEmail("enum-owner"), "Owner")
		project := c.createProject(owner, "Enumeration")
		account := e2eEmail("has-account")
		c.signUp(map[string]any{"email": account, "password": "correct horse", "name": "Has Account"})
		roster := []any{map[string]any{"email": account}, map[string]any{"email": e2eEmail("no-account")}, map[string]any{"email": e2eEmail("no-account")}}

		var d e2ePreviewed
		c.do(owner, e2eBulkPreview, map[string]any{"p": project, "rows": roster}, &d)
		for _, r := range d.BulkInvite.Results {
			if r.Typename != "NewInvitation" || r.ExistingAccount {
				t.Fatalf("preview row %+v, want a NewInvitation saying nothing of an account", r)
			}
		}
		// The same roster again costs nothing; one more address passes the cap of 3.
		c.do(owner, e2eBulkPreview, map[string]any{"p": project, "rows": roster}, nil)
		errs := c.try(owner, e2eBulkPreview, map[string]any{"p": project, "rows": []any{map[string]any{"email": e2eEmail("one-more")}}}, nil)
		if time.Now().Truncate(time.Hour) != hour && attempt == 0 {
			continue // the clock hour turned: its count started afresh, so try again
		}
		if errs.code() != "RATE_LIMITED" {
			t.Fatalf("a fourth address in the hour, with INVITE_RATE_LIMIT=3: %+v, want RATE_LIMITED", errs)
		}

		// Confirmed, the invites are sent: now the answer says which address has an account.
		var p struct {
			BulkInvite struct{ PreviewID string }
		}
		c.do(owner, `mutation($p: ID!, $rows: [InviteRowInput!]!) { bulkInvite(input: {projectId: $p, rows: $rows, dryRun: true}) { previewId } }`,
			map[string]any{"p": project, "rows": roster}, &p)
		var confirmed struct {
			ConfirmBulkInvite struct {
				Results []struct {
					Typename        string `json:"__typename"`
					ExistingAccount bool
				}
			}
		}
		c.do(owner, `mutation($id: ID!) { confirmBulkInvite(previewId: $id) { results { __typename ... on NewInvitation { existingAccount } } } }`,
			map[string]any{"id": p.BulkInvite.PreviewID}, &confirmed)
		if r := confirmed.ConfirmBulkInvite.Results; len(r) != 3 || !r[0].ExistingAccount || r[1].ExistingAccount {
			t.Errorf("confirmed results %+v, want the account's row (only) to say it has one", r)
		}
		// The account's emails: its verification link and the invite, in either order (two
		// jobs, which a busy machine may run in any order).
		got := smtp.WaitFor(t, account, 2, mailWait)
		if got[0].Link("https://app.example/invite/") == "" && got[1].Link("https://app.example/invite/") == "" {
			t.Errorf("neither of the account's emails has an invite link: %q, %q", got[0].Text, got[1].Text)
		}
		return
	}
}
