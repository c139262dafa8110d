package invites_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/invites/invites/internal/invites"
)

// wantField fails the test unless err is BAD_USER_INPUT naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, invites.BadUserInput)
	if e, _ := errors.AsType[*invites.Error](err); e.Field != field {
		t.Errorf("error %v names field %q, want %q", err, e.Field, field)
	}
}

// Every place an email, a name, a project name or an external ID enters refuses the characters
// a person cannot see, so that no two values look alike.
func TestService_InvisibleCharacters(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	ada := uniqueEmail("ada")
	owner := mustVerifiedUser(t, s, ada)
	p := mustProject(t, s, owner.ID, "Invisible")

	t.Run("SignUp", func(t *testing.T) {
		_, err := s.SignUp(ctx, invites.SignUpInput{Email: ada + "\u200b", Password: "correct horse", Name: "Ada Again"})
		wantField(t, err, "email")
		if n := count(t, "users", "email LIKE ?", strings.TrimSuffix(ada, "@example.com")+"%"); n != 1 {
			t.Errorf("%d accounts for %s, want 1", n, ada)
		}
		_, err = s.SignUp(ctx, invites.SignUpInput{Email: uniqueEmail("bidi"), Password: "correct horse", Name: "\u202eecalevoL adA"})
		wantField(t, err, "name")
	})
	t.Run("SignUpWithInvite", func(t *testing.T) {
		email := uniqueEmail("invited")
		mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
		_, err := s.SignUp(ctx, invites.SignUpInput{Email: "\ufeff" + email, InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Bo"})
		wantField(t, err, "email")
	})
	t.Run("LogIn", func(t *testing.T) {
		// As for any email without an account: nothing tells a zero-width space apart.
		for _, email := range []string{ada + "\u200b", "\u202e" + ada, ada + "\ufeff"} {
			_, err := s.LogIn(ctx, newClient(), email, "correct horse")
			wantCode(t, err, invites.InvalidCredentials)
		}
		if _, err := s.LogIn(ctx, newClient(), ada, "correct horse"); err != nil {
			t.Errorf("LogIn(%s) with the right password: %v", ada, err)
		}
	})
	t.Run("CreateProject", func(t *testing.T) {
		_, err := s.CreateProject(ctx, owner.ID, "Apollo\u200b")
		wantField(t, err, "name")
	})
	t.Run("CreateInvite", func(t *testing.T) {
		role := invites.RoleContributor
		_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("x") + "\u200e", ProjectID: &p.ID, Role: &role})
		wantField(t, err, "email")
		_, err = s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("x"), ProjectID: &p.ID, Role: &role, ExternalID: ptr("a\u200bb")})
		wantField(t, err, "externalId")
	})
	t.Run("UpdateMember", func(t *testing.T) {
		m := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
		_, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: m.ID, ExternalID: ptr("\u2066S-1\u2069")})
		wantField(t, err, "externalId")
	})

	member := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor).Email
	// The emails of the finding: a BOM, a trailing ZWSP and an RLO around a member's email.
	disguised := []string{"\ufeff" + member, member + "\u200b", "\u202e" + member}
	wantRowsRefused := func(t *testing.T, out *invites.BulkOutcome, rows ...int) {
		t.Helper()
		wants := make([]bulkWant, len(rows))
		for i, row := range rows {
			wants[i] = bulkWant{bulkFailed, invites.ReasonInvalidEmail, row}
		}
		wantResults(t, out, wants...)
		wantSummary(t, out, invites.BulkSummary{Total: len(rows), Failed: len(rows)})
		for i, r := range results(out) {
			// The single path's message, word for word.
			_, err := invites.NormalizeEmail("email", disguised[i])
			if e, _ := errors.AsType[*invites.Error](err); e == nil || r.Message != e.Message {
				t.Errorf("row %d: message %q, want NormalizeEmail's %v", r.Row, r.Message, err)
			}
		}
		if n := count(t, "invites", "project_id = ? AND status = 'PENDING' AND email LIKE ?", p.ID, "%"+member+"%"); n != 0 {
			t.Errorf("%d pending invites for the member's email, want none", n)
		}
		if n := count(t, "emails", "recipient LIKE ? AND kind <> 'welcome'", "%"+member+"%"); n != 1 {
			t.Errorf("%d emails to the member, want only the invite they joined by", n)
		}
	}
	t.Run("BulkRows", func(t *testing.T) {
		var rows []invites.BulkRow
		for _, email := range disguised {
			rows = append(rows, invites.BulkRow{Email: email})
		}
		wantRowsRefused(t, mustBulk(t, s, owner.ID, p.ID, rows...), 1, 2, 3)
	})
	t.Run("BulkCSV", func(t *testing.T) {
		// The file's own byte-order mark is the file's; the one in a cell is refused.
		file := "\ufeffemail,name\r\n" + strings.Join(disguised, ",\r\n") + ",\r\n"
		out := mustBulkInput(t, s, owner.ID, invites.BulkInput{ProjectID: p.ID, CSV: strings.NewReader(file), DefaultRole: invites.RoleContributor})
		wantRowsRefused(t, out, 2, 3, 4)
	})
	t.Run("BulkOtherCells", func(t *testing.T) {
		e := func() string { return uniqueEmail("cells") }
		refused := []string{e(), e()}
		out := mustBulk(t, s, owner.ID, p.ID,
			invites.BulkRow{Email: refused[0], ExternalID: "a\u200bb"},
			invites.BulkRow{Email: refused[1], Name: "Ada\u200b"},
			invites.BulkRow{Email: e(), ExternalID: "ab", Name: "Ada"},
		)
		wantResults(t, out, failed(invites.ReasonInvalidExternalID), failed(invites.ReasonInvalidName), ok(bulkNewInvitation))
		if msg := results(out)[1].Message; !strings.HasPrefix(msg, "name holds a character that cannot be seen or is easily mistaken, U+200B (ZERO WIDTH SPACE)") {
			t.Errorf("INVALID_NAME message %q", msg)
		}
		wantNoInvite(t, p.ID, refused...)
	})
}

// The bulk name column is stored on the invite and offered by the preview; on an existing
// invitation a blank name keeps its name and a given one replaces it.
func TestService_BulkInvite_Names(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Names")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	member := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	e := func() string { return uniqueEmail("named") }
	named, unnamed, renamed, kept := e(), e(), e(), e()

	out := mustBulk(t, s, owner.ID, p.ID,
		invites.BulkRow{Email: named, Name: "  Zoe\u0308 Lovelace "},
		invites.BulkRow{Email: unnamed, Name: " "},
		invites.BulkRow{Email: renamed, Name: "Old Name"},
		invites.BulkRow{Email: kept, Name: "Kept Name"},
		invites.BulkRow{Email: member.Email, Name: "Not Stored"},
	)
	wantResults(t, out, ok(bulkNewInvitation), ok(bulkNewInvitation), ok(bulkNewInvitation), ok(bulkNewInvitation), ok(bulkExistingMember))
	if got := str(results(out)[0].Invite.Name); got != "Zo\u00eb Lovelace" {
		t.Errorf("result's invite name %q, want it trimmed and NFC", got)
	}
	wantName := func(email, want string) {
		t.Helper()
		if got := str(wantNewInvite(t, p.ID, email, "<none>").Name); got != want {
			t.Errorf("%s: stored name %s, want %s", email, got, want)
		}
	}
	wantName(named, "Zo\u00eb Lovelace")
	wantName(unnamed, "<none>")
	if got := mustUser(t, s, member.ID).Name; got != "Member CONTRIBUTOR" {
		t.Errorf("the member's name became %q", got)
	}

	t.Run("Preview", func(t *testing.T) {
		for email, want := range map[string]string{named: "Zo\u00eb Lovelace", unnamed: "<none>"} {
			preview, err := s.Invitation(ctx, inviteToken(t, email))
			if err != nil {
				t.Fatal(err)
			}
			if got := str(preview.InviteeName); got != want {
				t.Errorf("preview of %s: inviteeName %s, want %s", email, got, want)
			}
		}
	})
	t.Run("DryRunChangesNothing", func(t *testing.T) {
		out := mustBulkInput(t, s, owner.ID, invites.BulkInput{ProjectID: p.ID, DryRun: true, DefaultRole: invites.RoleContributor,
			Rows: numbered([]invites.BulkRow{{Email: renamed, Name: "New Name"}})})
		wantResults(t, out, ok(bulkExistingInvitation))
		if got := str(results(out)[0].Invite.Name); got != "New Name" {
			t.Errorf("dry run shows name %s, want New Name", got)
		}
		wantName(renamed, "Old Name")
	})
	t.Run("Upsert", func(t *testing.T) {
		out := mustBulk(t, s, owner.ID, p.ID,
			invites.BulkRow{Email: renamed, Name: "New Name"},
			invites.BulkRow{Email: kept},
			invites.BulkRow{Email: unnamed, Name: "Now Named"},
		)
		wantResults(t, out, ok(bulkExistingInvitation), ok(bulkExistingInvitation), ok(bulkExistingInvitation))
		wantSummary(t, out, invites.BulkSummary{Total: 3, ExistingInvitations: 3})
		for i, want := range []string{"New Name", "Kept Name", "Now Named"} {
			if got := str(results(out)[i].Invite.Name); got != want {
				t.Errorf("row %d: result's name %s, want %s", i+1, got, want)
			}
		}
		wantName(renamed, "New Name")
		wantName(kept, "Kept Name")
		wantName(unnamed, "Now Named")
	})
	t.Run("Authority", func(t *testing.T) {
		// An ADMIN may not change an invite that grants ADMIN, its name included; naming it as
		// it is named changes nothing and is allowed.
		email := e()
		mustBulkInput(t, s, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleAdmin, Rows: numbered([]invites.BulkRow{{Email: email, Name: "Admin To Be"}})})
		out := mustBulk(t, s, admin.ID, p.ID,
			invites.BulkRow{Email: email, Name: "Renamed"},
		)
		wantResults(t, out, failed(invites.ReasonRoleNotAllowed))
		out = mustBulk(t, s, admin.ID, p.ID, invites.BulkRow{Email: email, Name: "Admin To Be"})
		wantResults(t, out, ok(bulkExistingInvitation))
		wantName(email, "Admin To Be")
	})
}
