package invites_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
)

// numbered gives rows without a Row number their 1-based position.
func numbered(rows []invites.BulkRow) []invites.BulkRow {
	for i := range rows {
		if rows[i].Row == 0 {
			rows[i].Row = i + 1
		}
	}
	return rows
}

// mustBulk runs a batch with default role CONTRIBUTOR and fails the test on an error.
func mustBulk(t *testing.T, s *invites.Service, actor, projectID uuid.UUID, rows ...invites.BulkRow) *invites.BulkOutcome {
	t.Helper()
	return mustBulkInput(t, s, actor, invites.BulkInput{ProjectID: projectID, Rows: numbered(rows), DefaultRole: invites.RoleContributor})
}

func mustBulkInput(t *testing.T, s *invites.Service, actor uuid.UUID, in invites.BulkInput) *invites.BulkOutcome {
	t.Helper()
	out, err := s.BulkInvite(context.Background(), actor, in)
	if err != nil {
		t.Fatalf("BulkInvite: %v", err)
	}
	if len(out.Results) != len(in.Rows) && in.CSV == nil {
		t.Fatalf("%d results for %d rows", len(out.Results), len(in.Rows))
	}
	return out
}

// bulkKind tells the four kinds of invites.BulkResult apart in the tables below.
type bulkKind int

const (
	bulkNewInvitation bulkKind = iota + 1
	bulkExistingInvitation
	bulkExistingMember
	bulkFailed
)

// bulkResult is any invites.BulkResult with its kind, read through one struct so that the
// tables and checks below read every kind alike. Invite is the new or existing invitation, or
// a failed row's ExistingInvite; Email is a failed row's, or an invitation's.
type bulkResult struct {
	Row                int
	Kind               bulkKind
	Invite             *invites.Invite
	Member             *invites.Member
	ExistingAccount    bool
	ExternalIDUpdated  bool
	PreviousExternalID *string
	PreviousRole       *invites.Role
	Email              string
	ExternalID         *string
	Reason             invites.FailureReason
	Message            string
	Retryable          bool
}

func (r *bulkResult) NewInvitation(v *invites.NewInvitation) {
	*r = bulkResult{Row: v.Row, Kind: bulkNewInvitation, Invite: v.Invite, ExistingAccount: v.ExistingAccount, Email: v.Invite.Email}
}

func (r *bulkResult) ExistingInvitation(v *invites.ExistingInvitation) {
	*r = bulkResult{Row: v.Row, Kind: bulkExistingInvitation, Invite: v.Invite, ExternalIDUpdated: v.ExternalIDUpdated,
		PreviousExternalID: v.PreviousExternalID, PreviousRole: v.PreviousRole, Email: v.Invite.Email}
}

func (r *bulkResult) ExistingMember(v *invites.ExistingMember) {
	*r = bulkResult{Row: v.Row, Kind: bulkExistingMember, Member: v.Member, ExternalIDUpdated: v.ExternalIDUpdated, PreviousExternalID: v.PreviousExternalID}
}

func (r *bulkResult) FailedInvite(v *invites.FailedInvite) {
	*r = bulkResult{Row: v.Row, Kind: bulkFailed, Invite: v.ExistingInvite, Email: v.Email, ExternalID: v.ExternalID,
		Reason: v.Reason, Message: v.Message, Retryable: v.Retryable}
}

// results reads out's results, in order.
func results(out *invites.BulkOutcome) []*bulkResult {
	list := make([]*bulkResult, len(out.Results))
	for i, r := range out.Results {
		list[i] = new(bulkResult)
		r.Visit(list[i])
	}
	return list
}

// bulkWant is what one result should be; a zero row means the result's position plus one.
type bulkWant struct {
	kind   bulkKind
	reason invites.FailureReason
	row    int
}

func ok(kind bulkKind) bulkWant { return bulkWant{kind: kind} }
func failed(reason invites.FailureReason) bulkWant {
	return bulkWant{kind: bulkFailed, reason: reason}
}

// wantResults checks the results' rows, kinds and reasons in order, and that a failure says
// why and is retryable exactly when it is EXTERNAL_ID_TAKEN.
func wantResults(t *testing.T, out *invites.BulkOutcome, wants ...bulkWant) {
	t.Helper()
	if len(out.Results) != len(wants) {
		t.Fatalf("%d results, want %d:\n%s", len(out.Results), len(wants), describeOutcome(out))
	}
	got := results(out)
	for i, w := range wants {
		r := got[i]
		if w.row == 0 {
			w.row = i + 1
		}
		if r.Row != w.row || r.Kind != w.kind || r.Reason != w.reason {
			t.Errorf("result %d = %s; want row %d %s %s", i, describeResult(r), w.row, kindName(w.kind), w.reason)
			continue
		}
		if r.Kind != bulkFailed {
			continue
		}
		if r.Message == "" {
			t.Errorf("result %d (%s) has no message", i, r.Reason)
		}
		if want := r.Reason == invites.ReasonExternalIDTaken; r.Retryable != want {
			t.Errorf("result %d (%s): retryable = %t, want %t", i, r.Reason, r.Retryable, want)
		}
	}
}

func wantSummary(t *testing.T, out *invites.BulkOutcome, want invites.BulkSummary) {
	t.Helper()
	if out.Summary != want {
		t.Errorf("summary = %+v, want %+v", out.Summary, want)
	}
}

func kindName(k bulkKind) string {
	switch k {
	case bulkNewInvitation:
		return "NewInvitation"
	case bulkExistingInvitation:
		return "ExistingInvitation"
	case bulkExistingMember:
		return "ExistingMember"
	case bulkFailed:
		return "Failed"
	}
	return fmt.Sprintf("bulkKind(%d)", k)
}

func str(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}

func roleStr(r *invites.Role) string {
	if r == nil {
		return "<none>"
	}
	return string(*r)
}

// describeResult shows everything of a result but generated IDs, so that a dry run and a
// real run can be compared.
func describeResult(r *bulkResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d %s email=%s", r.Row, kindName(r.Kind), r.Email)
	if r.Kind == bulkFailed {
		fmt.Fprintf(&b, " %s retryable=%t ext=%s", r.Reason, r.Retryable, str(r.ExternalID))
	}
	if inv := r.Invite; inv != nil {
		fmt.Fprintf(&b, " invite(%s %s ext=%s %s)", inv.Email, roleStr(inv.Role), str(inv.ExternalID), inv.Status)
	}
	if m := r.Member; m != nil {
		fmt.Fprintf(&b, " member(%s ext=%s)", m.Role, str(m.ExternalID))
	}
	if r.ExistingAccount {
		b.WriteString(" existing-account")
	}
	if r.ExternalIDUpdated {
		fmt.Fprintf(&b, " moved-from=%s", str(r.PreviousExternalID))
	}
	return b.String()
}

func describeOutcome(out *invites.BulkOutcome) string {
	lines := make([]string, 0, len(out.Results)+2)
	for _, r := range results(out) {
		lines = append(lines, describeResult(r))
	}
	lines = append(lines, fmt.Sprintf("summary %+v", out.Summary), fmt.Sprintf("ignored %q", out.IgnoredColumns))
	return strings.Join(lines, "\n")
}

// memberWithID returns a new CONTRIBUTOR of the project holding external ID ext ("" for none).
func memberWithID(t *testing.T, s *invites.Service, owner, projectID uuid.UUID, role invites.Role, ext string) *invites.User {
	t.Helper()
	u := mustMember(t, s, owner, projectID, role)
	if ext != "" {
		_, err := s.UpdateMember(context.Background(), owner, invites.UpdateMemberInput{ProjectID: projectID, UserID: u.ID, ExternalID: &ext})
		if err != nil {
			t.Fatalf("UpdateMember(%s): %v", ext, err)
		}
	}
	return u
}

// pendingInvite reads the project's pending invite for email; nil when there is none.
func pendingInvite(t *testing.T, projectID uuid.UUID, email string) *invites.Invite {
	t.Helper()
	var list []*invites.Invite
	err := pgDB(t).NewSelect().Model(&list).Where("project_id = ? AND email = ? AND status = 'PENDING'", projectID, email).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	switch len(list) {
	case 0:
		return nil
	case 1:
		return list[0]
	}
	t.Fatalf("%d pending invites for %s", len(list), email)
	return nil
}

func wantMemberExt(t *testing.T, projectID uuid.UUID, u *invites.User, want string) {
	t.Helper()
	m := memberRow(t, projectID, u.ID)
	if m == nil {
		t.Fatalf("%s is not a member", u.Email)
	}
	if got := str(m.ExternalID); got != want {
		t.Errorf("member %s: external ID %s, want %s", u.Email, got, want)
	}
}

func wantInviteExt(t *testing.T, id uuid.UUID, want string) {
	t.Helper()
	inv := inviteRow(t, id)
	if got := str(inv.ExternalID); got != want {
		t.Errorf("invite %s: external ID %s, want %s", inv.Email, got, want)
	}
}

// wantNewInvite checks that email got a pending invite with ext and returns it.
func wantNewInvite(t *testing.T, projectID uuid.UUID, email, ext string) *invites.Invite {
	t.Helper()
	inv := pendingInvite(t, projectID, email)
	if inv == nil {
		t.Fatalf("no pending invite for %s", email)
	}
	if got := str(inv.ExternalID); got != ext {
		t.Errorf("invite %s: external ID %s, want %s", email, got, ext)
	}
	return inv
}

func wantNoInvite(t *testing.T, projectID uuid.UUID, emails ...string) {
	t.Helper()
	for _, email := range emails {
		if n := count(t, "invites", "project_id = ? AND email = ?", projectID, email); n != 0 {
			t.Errorf("%d invites for %s, want none", n, email)
		}
		if n := count(t, "emails", "recipient = ?", email); n != 0 {
			t.Errorf("%d emails to %s, want none", n, email)
		}
	}
}

func TestService_BulkInvite_Input(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Bulk Input")
	contributor := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	outsider := mustVerifiedUser(t, s, uniqueEmail("outsider"))
	email := uniqueEmail("bulk")
	one := []invites.BulkRow{{Row: 1, Email: email}}
	before := projectState(t, p.ID)

	tests := []struct {
		name  string
		actor uuid.UUID
		in    invites.BulkInput
		code  invites.Code
		field string
	}{
		{"NeitherRowsNorCSV", owner.ID, invites.BulkInput{}, invites.BadUserInput, "rows"},
		{"RowsAndCSV", owner.ID, invites.BulkInput{Rows: one, CSV: strings.NewReader("email\n" + email + "\n")}, invites.BadUserInput, "rows"},
		{"EmptyRows", owner.ID, invites.BulkInput{Rows: []invites.BulkRow{}}, invites.BadUserInput, "rows"},
		{"TooManyRows", owner.ID, invites.BulkInput{Rows: make([]invites.BulkRow, 10001)}, invites.BadUserInput, "rows"},
		{"DefaultRoleInvalid", owner.ID, invites.BulkInput{Rows: one, DefaultRole: "BOSS"}, invites.BadUserInput, "defaultRole"},
		{"DefaultRoleMissing", owner.ID, invites.BulkInput{Rows: one, DefaultRole: ""}, invites.BadUserInput, "defaultRole"},
		{"NotMember", outsider.ID, invites.BulkInput{Rows: one}, invites.NotFound, ""},
		{"NoSuchProject", owner.ID, invites.BulkInput{ProjectID: uuid.New(), Rows: one}, invites.NotFound, ""},
		{"Contributor", contributor.ID, invites.BulkInput{Rows: one}, invites.Forbidden, ""},
		{"ContributorDryRun", contributor.ID, invites.BulkInput{Rows: one, DryRun: true}, invites.Forbidden, ""},
		{"CSVWithoutEmailColumn", owner.ID, invites.BulkInput{CSV: strings.NewReader("name,role\nAda,admin\n")}, invites.BadUserInput, "csv"},
		{"CSVEmpty", owner.ID, invites.BulkInput{CSV: strings.NewReader("")}, invites.BadUserInput, "csv"},
		{"CSVHeaderOnly", owner.ID, invites.BulkInput{CSV: strings.NewReader("email,role\n")}, invites.BadUserInput, "csv"},
		{"CSVEmailTwice", owner.ID, invites.BulkInput{CSV: strings.NewReader("email,E-mail\n" + email + "," + email + "\n")}, invites.BadUserInput, "csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.ProjectID == uuid.Nil {
				in.ProjectID = p.ID
			}
			if in.DefaultRole == "" && tt.name != "DefaultRoleMissing" {
				in.DefaultRole = invites.RoleContributor
			}
			out, err := s.BulkInvite(ctx, tt.actor, in)
			if out != nil {
				t.Errorf("outcome %v with the error", out)
			}
			wantCode(t, err, tt.code)
			if e, _ := errors.AsType[*invites.Error](err); tt.field != "" && e.Field != tt.field {
				t.Errorf("field = %q, want %q", e.Field, tt.field)
			}
		})
	}
	if after := projectState(t, p.ID); after != before {
		t.Errorf("refused calls wrote:\nbefore %s\nafter  %s", before, after)
	}
	wantNoInvite(t, p.ID, email)
}

func TestService_BulkInvite_RowChecks(t *testing.T) {
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Bulk Checks")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)

	t.Run("InOrder", func(t *testing.T) {
		e := func() string { return uniqueEmail("row") }
		dup, late, bad, admins := e(), e(), e(), e()
		long, longest := strings.Repeat("x", 65), strings.Repeat("y", 64)
		news := []string{e(), e(), e()}
		rows := []invites.BulkRow{
			{Row: 2, Email: "not an email", Role: "boss", ExternalID: long},            // the email is checked first
			{Row: 3, Email: "  ", Role: "contributor", ExternalID: "E-1", Name: "Ada"}, // other cells but no email
			{Row: 5, Email: dup, Role: "boss", ExternalID: long},                       // the role before the external ID
			{Row: 7, Email: admins, Role: "admin", ExternalID: long},                   // authority before the external ID
			{Row: 8, Email: e(), Role: "Owner"},                                        // nobody grants OWNER
			{Row: 11, Email: late, ExternalID: long},                                   // too long
			{Row: 12, Email: bad, ExternalID: "A\x01B"},                                // a control character
			// Row 5's email failed the earlier checks, so this is no duplicate.
			{Row: 13, Email: " " + strings.ToUpper(dup) + " ", Role: " contributor ", ExternalID: " " + longest + " "},
			{Row: 17, Email: dup, ExternalID: "D-1"},                      // the email of row 13
			{Row: 19, Email: news[0], ExternalID: longest},                // the ID of row 13
			{Row: 20, Email: strings.ToUpper(dup), ExternalID: longest},   // both: the email is checked first
			{Row: 23, Email: news[1], Role: "Pending", ExternalID: "D-1"}, // row 17 named D-1
			{Row: 29, Email: late},                                        // row 11's email failed earlier checks
			{Row: 30, Email: news[2], Role: "pEnDiNg"},
		}
		out := mustBulkInput(t, s, admin.ID, invites.BulkInput{ProjectID: p.ID, Rows: rows, DefaultRole: invites.RoleContributor})
		wantResults(t, out,
			bulkWant{bulkFailed, invites.ReasonInvalidEmail, 2},
			bulkWant{bulkFailed, invites.ReasonInvalidEmail, 3},
			bulkWant{bulkFailed, invites.ReasonInvalidRole, 5},
			bulkWant{bulkFailed, invites.ReasonRoleNotAllowed, 7},
			bulkWant{bulkFailed, invites.ReasonRoleNotAllowed, 8},
			bulkWant{bulkFailed, invites.ReasonInvalidExternalID, 11},
			bulkWant{bulkFailed, invites.ReasonInvalidExternalID, 12},
			bulkWant{bulkNewInvitation, "", 13},
			bulkWant{bulkFailed, invites.ReasonDuplicateEmail, 17},
			bulkWant{bulkFailed, invites.ReasonDuplicateExternalID, 19},
			bulkWant{bulkFailed, invites.ReasonDuplicateEmail, 20},
			bulkWant{bulkFailed, invites.ReasonDuplicateExternalID, 23},
			bulkWant{bulkNewInvitation, "", 29},
			bulkWant{bulkNewInvitation, "", 30},
		)
		wantSummary(t, out, invites.BulkSummary{Total: 14, NewInvitations: 3, Failed: 11})
		if r := results(out)[0]; r.Email != "not an email" || str(r.ExternalID) != long {
			t.Errorf("failed row names %q, %s; want the row's email and external ID", r.Email, str(r.ExternalID))
		}
		// A duplicate names the row that had the email or external ID first, so that the
		// person fixing the file finds both lines.
		list := results(out)
		for i, want := range map[int]string{
			8:  "row 13 has this email already",
			9:  fmt.Sprintf("row 13 names external ID %q already", longest),
			10: "row 13 has this email already",
			11: `row 17 names external ID "D-1" already`,
		} {
			if got := list[i].Message; got != want {
				t.Errorf("row %d's message = %q, want %q", list[i].Row, got, want)
			}
		}

		inv := wantNewInvite(t, p.ID, dup, longest)
		if *inv.Role != invites.RoleContributor {
			t.Errorf("row 13's invite grants %s, want CONTRIBUTOR", *inv.Role)
		}
		if inv := wantNewInvite(t, p.ID, late, "<none>"); *inv.Role != invites.RoleContributor {
			t.Errorf("a row without a role got %s, want the default CONTRIBUTOR", *inv.Role)
		}
		if inv := wantNewInvite(t, p.ID, news[2], "<none>"); *inv.Role != invites.RolePending {
			t.Errorf("role pEnDiNg gave %s, want PENDING", *inv.Role)
		}
		wantNoInvite(t, p.ID, admins, bad, news[0], news[1])
	})

	t.Run("DefaultRole", func(t *testing.T) {
		a, b := uniqueEmail("default"), uniqueEmail("default")
		in := invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleAdmin, Rows: numbered([]invites.BulkRow{{Email: a}, {Email: b, Role: "contributor"}})}
		// An ADMIN may not invite as ADMIN, by default or not.
		out := mustBulkInput(t, s, admin.ID, in)
		wantResults(t, out, failed(invites.ReasonRoleNotAllowed), ok(bulkNewInvitation))
		wantNoInvite(t, p.ID, a)

		// The OWNER may.
		c := uniqueEmail("default")
		in.Rows = numbered([]invites.BulkRow{{Email: c}, {Email: uniqueEmail("default"), Role: "admin"}})
		out = mustBulkInput(t, s, owner.ID, in)
		wantResults(t, out, ok(bulkNewInvitation), ok(bulkNewInvitation))
		for _, r := range results(out) {
			if *r.Invite.Role != invites.RoleAdmin {
				t.Errorf("row %d grants %s, want ADMIN", r.Row, *r.Invite.Role)
			}
		}
		if inv := wantNewInvite(t, p.ID, c, "<none>"); *inv.Role != invites.RoleAdmin {
			t.Errorf("stored role %s, want ADMIN", *inv.Role)
		}
	})
}

func TestService_BulkInvite_Classification(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Bulk Kinds")
	member := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	invA := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "IA")
	invB := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RolePending, "")
	invC := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "")
	invF := mustInvite(t, s, owner.ID, uniqueEmail("bounced"), &p.ID, invites.RoleContributor, "IF")
	if _, err := pgDB(t).ExecContext(ctx, "UPDATE emails SET status = 'FAILED_PERMANENT' WHERE id = ?", *invF.EmailID); err != nil {
		t.Fatal(err)
	}
	verified := mustVerifiedUser(t, s, uniqueEmail("verified"))
	unverified := mustSignUp(t, s, uniqueEmail("unverified")).User
	fresh := uniqueEmail("fresh")
	clk.Advance(time.Minute) // so that a changed updatedAt shows
	eventsBefore := count(t, "activity_events", "project_id = ?", p.ID)

	out := mustBulk(t, s, owner.ID, p.ID,
		invites.BulkRow{Email: strings.ToUpper(member.Email), Role: "pending"},
		invites.BulkRow{Email: invA.Email, Role: "pending"},
		invites.BulkRow{Email: invB.Email},
		invites.BulkRow{Email: invC.Email, Role: "CONTRIBUTOR"},
		invites.BulkRow{Email: invF.Email, Role: "pending", ExternalID: "IF-2"},
		invites.BulkRow{Email: verified.Email},
		invites.BulkRow{Email: unverified.Email, Role: "pending"},
		invites.BulkRow{Email: fresh, ExternalID: "N-1"},
	)
	wantResults(t, out,
		ok(bulkExistingMember),
		ok(bulkExistingInvitation),
		ok(bulkExistingInvitation),
		ok(bulkExistingInvitation),
		failed(invites.ReasonFailedToSend),
		ok(bulkNewInvitation),
		ok(bulkNewInvitation),
		ok(bulkNewInvitation),
	)
	wantSummary(t, out, invites.BulkSummary{Total: 8, NewInvitations: 3, ExistingInvitations: 3, ExistingMembers: 1, Failed: 1})
	res := results(out)

	t.Run("ExistingMember", func(t *testing.T) {
		m := memberRow(t, p.ID, member.ID)
		if m.Role != invites.RoleContributor {
			t.Errorf("member's role = %s, want CONTRIBUTOR: a batch never changes it", m.Role)
		}
		if r := res[0]; r.Member == nil || r.Member.UserID != member.ID || r.Member.Role != invites.RoleContributor || r.ExternalIDUpdated {
			t.Errorf("result = %s, want the unchanged membership", describeResult(r))
		}
	})

	t.Run("ExistingInvitation", func(t *testing.T) {
		for i, want := range []struct {
			inv      *invites.Invite
			role     invites.Role
			previous string // the role before the batch, where the row changed it
		}{{invA, invites.RolePending, "CONTRIBUTOR"}, {invB, invites.RolePending, ""}, {invC, invites.RoleContributor, ""}} {
			r := res[i+1]
			if got := r.PreviousRole; (got == nil) != (want.previous == "") || (got != nil && string(*got) != want.previous) {
				t.Errorf("%s: previous role %v, want %q", want.inv.Email, got, want.previous)
			}
			stored := inviteRow(t, want.inv.ID)
			if r.Invite == nil || r.Invite.ID != want.inv.ID {
				t.Fatalf("result = %s, want invite %s", describeResult(r), want.inv.ID)
			}
			if *stored.Role != want.role || *r.Invite.Role != want.role {
				t.Errorf("%s: role %s stored, %s returned; want %s", want.inv.Email, *stored.Role, *r.Invite.Role, want.role)
			}
			if !r.Invite.UpdatedAt.Equal(stored.UpdatedAt) || str(r.Invite.ExternalID) != str(stored.ExternalID) {
				t.Errorf("%s: returned updatedAt %v, ext %s; stored %v, %s", want.inv.Email, r.Invite.UpdatedAt, str(r.Invite.ExternalID), stored.UpdatedAt, str(stored.ExternalID))
			}
			if r.ExternalIDUpdated {
				t.Errorf("%s: external ID updated without one given", want.inv.Email)
			}
		}
		if !inviteRow(t, invA.ID).UpdatedAt.After(invA.UpdatedAt) {
			t.Error("the invite whose role changed keeps its updatedAt")
		}
		if !inviteRow(t, invC.ID).UpdatedAt.Equal(invC.UpdatedAt) {
			t.Error("the invite given its own role again has a new updatedAt")
		}
		wantInviteExt(t, invA.ID, "IA")
		for _, inv := range []*invites.Invite{invA, invB, invC} {
			if n := count(t, "emails", "recipient = ?", inv.Email); n != 1 {
				t.Errorf("%d emails to %s, want only the first invite's", n, inv.Email)
			}
		}
	})

	t.Run("FailedToSend", func(t *testing.T) {
		r := res[4]
		if r.Invite == nil || r.Invite.ID != invF.ID || r.Invite.DeliveryStatus != mail.StatusFailedPermanent {
			t.Errorf("result = %s, want the invite whose email failed", describeResult(r))
		}
		stored := inviteRow(t, invF.ID)
		if *stored.Role != invites.RoleContributor || str(stored.ExternalID) != "IF" || !stored.UpdatedAt.Equal(invF.UpdatedAt) {
			t.Errorf("invite changed: %s %s %v", *stored.Role, str(stored.ExternalID), stored.UpdatedAt)
		}
	})

	t.Run("NewInvitation", func(t *testing.T) {
		for i, want := range []struct {
			email    string
			role     invites.Role
			ext      string
			existing bool
		}{
			{verified.Email, invites.RoleContributor, "<none>", true},
			{unverified.Email, invites.RolePending, "<none>", true},
			{fresh, invites.RoleContributor, "N-1", false},
		} {
			r := res[i+5]
			inv := wantNewInvite(t, p.ID, want.email, want.ext)
			if r.Invite == nil || r.Invite.ID != inv.ID || *inv.Role != want.role || *r.Invite.Role != want.role || str(r.Invite.ExternalID) != want.ext {
				t.Errorf("result %s, stored %s %s; want %s %s", describeResult(r), *inv.Role, inv.ID, want.role, want.ext)
			}
			if r.ExistingAccount != want.existing {
				t.Errorf("%s: existingAccount = %t, want %t", want.email, r.ExistingAccount, want.existing)
			}
			if inv.InviterID != owner.ID || inv.EmailID == nil || !inv.ExpiresAt.Equal(clk.Now().Add(week).Truncate(time.Microsecond)) {
				t.Errorf("invite %+v", inv)
			}
			if n := count(t, "emails", "recipient = ? AND kind = 'invite' AND status = 'QUEUED' AND id = ?", want.email, *inv.EmailID); n != 1 {
				t.Errorf("%s: %d invite emails queued, want 1", want.email, n)
			}
			var names []string
			err := pgDB(t).NewSelect().TableExpr("activity_events").Column("name").Where("invite_id = ?", inv.ID).OrderExpr("name").Scan(ctx, &names)
			if err != nil {
				t.Fatal(err)
			}
			wantNames := []string{invites.EventCreatedUserInvite, invites.EventInvitedToProject, invites.EventInvitedToProjectInvitee, invites.EventUserInvited}
			if !slices.Equal(names, wantNames) {
				t.Errorf("%s: events %q, want %q", want.email, names, wantNames)
			}
		}
		if n := count(t, "activity_events", "project_id = ?", p.ID) - eventsBefore; n != 13 {
			t.Errorf("%d events recorded, want 4 for each of 3 new invitations and the batch's own", n)
		}
		// The batch's own event counts its invitations; rows given as a list name no file.
		if n := count(t, "activity_events", "project_id = ? AND name = ? AND actor_id = ? AND invitations = 3 AND file_name IS NULL",
			p.ID, invites.EventBulkInvited, owner.ID); n != 1 {
			t.Errorf("%d %q events with 3 invitations and no file, want 1", n, invites.EventBulkInvited)
		}
	})

	t.Run("AfterwardsAlreadyInvited", func(t *testing.T) {
		for _, email := range []string{fresh, invA.Email, verified.Email} {
			_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: ptr(invites.RolePending)})
			wantCode(t, err, invites.AlreadyInvited)
		}
	})

	t.Run("TokenClaims", func(t *testing.T) {
		sess, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: inviteToken(t, fresh), Password: "correct horse", Name: "Fresh"})
		if err != nil {
			t.Fatal(err)
		}
		m := memberRow(t, p.ID, sess.User.ID)
		if m == nil || m.Role != invites.RoleContributor || str(m.ExternalID) != "N-1" {
			t.Errorf("membership = %+v, want CONTRIBUTOR with N-1", m)
		}
		if inv := inviteRow(t, res[7].Invite.ID); inv.Status != invites.StatusAccepted {
			t.Errorf("invite status %s, want ACCEPTED", inv.Status)
		}
	})
}

func TestService_BulkInvite_Authority(t *testing.T) {
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Bulk Authority")
	admin := memberWithID(t, s, owner.ID, p.ID, invites.RoleAdmin, "")
	admin2 := memberWithID(t, s, owner.ID, p.ID, invites.RoleAdmin, "AD-2")
	contrib := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "C-1")
	adminInv := mustInvite(t, s, owner.ID, uniqueEmail("admin-invite"), &p.ID, invites.RoleAdmin, "AI-1")
	adminInv2 := mustInvite(t, s, owner.ID, uniqueEmail("admin-invite"), &p.ID, invites.RoleAdmin, "")
	contribInv := mustInvite(t, s, owner.ID, uniqueEmail("invite"), &p.ID, invites.RoleContributor, "")

	out := mustBulk(t, s, admin.ID, p.ID,
		invites.BulkRow{Email: admin2.Email, ExternalID: "AD-3"},
		invites.BulkRow{Email: owner.Email, ExternalID: "O-1"},
		invites.BulkRow{Email: admin.Email, ExternalID: "SELF"},
		invites.BulkRow{Email: contrib.Email, ExternalID: "C-2"},
		invites.BulkRow{Email: adminInv.Email, Role: "pending"},
		invites.BulkRow{Email: contribInv.Email, Role: "pending", ExternalID: "CI"},
		invites.BulkRow{Email: adminInv2.Email},
	)
	wantResults(t, out,
		failed(invites.ReasonRoleNotAllowed),
		failed(invites.ReasonRoleNotAllowed),
		ok(bulkExistingMember),
		ok(bulkExistingMember),
		failed(invites.ReasonRoleNotAllowed),
		ok(bulkExistingInvitation),
		ok(bulkExistingInvitation),
	)
	wantSummary(t, out, invites.BulkSummary{Total: 7, ExistingInvitations: 2, ExistingMembers: 2, Failed: 3, ExternalIDsUpdated: 3})
	wantMemberExt(t, p.ID, admin2, "AD-2")
	wantMemberExt(t, p.ID, owner, "<none>")
	wantMemberExt(t, p.ID, admin, "SELF")
	wantMemberExt(t, p.ID, contrib, "C-2")
	if inv := inviteRow(t, adminInv.ID); *inv.Role != invites.RoleAdmin {
		t.Errorf("an ADMIN changed an ADMIN invite's role to %s", *inv.Role)
	}
	if inv := inviteRow(t, contribInv.ID); *inv.Role != invites.RolePending || str(inv.ExternalID) != "CI" {
		t.Errorf("invite = %s %s, want PENDING CI", *inv.Role, str(inv.ExternalID))
	}
	for _, u := range []*invites.User{admin, contrib} {
		if n := count(t, "activity_events", "project_id = ? AND name = ? AND email = ? AND actor_id = ?", p.ID, invites.EventUpdatedMember, u.Email, admin.ID); n != 1 {
			t.Errorf("%d %q events for %s, want 1", n, invites.EventUpdatedMember, u.Email)
		}
	}

	// Naming the ID an ADMIN record has already changes nothing, so it is allowed.
	out = mustBulk(t, s, admin.ID, p.ID,
		invites.BulkRow{Email: admin2.Email, ExternalID: "AD-2"},
		invites.BulkRow{Email: adminInv.Email, ExternalID: "AI-2"},
	)
	wantResults(t, out, ok(bulkExistingMember), failed(invites.ReasonRoleNotAllowed))
	wantInviteExt(t, adminInv.ID, "AI-1")

	// The OWNER may change both.
	out = mustBulk(t, s, owner.ID, p.ID,
		invites.BulkRow{Email: admin2.Email, ExternalID: "AD-3"},
		invites.BulkRow{Email: adminInv.Email, Role: "contributor", ExternalID: "AI-2"},
	)
	wantResults(t, out, ok(bulkExistingMember), ok(bulkExistingInvitation))
	wantMemberExt(t, p.ID, admin2, "AD-3")
	if inv := inviteRow(t, adminInv.ID); *inv.Role != invites.RoleContributor || str(inv.ExternalID) != "AI-2" {
		t.Errorf("invite = %s %s, want CONTRIBUTOR AI-2", *inv.Role, str(inv.ExternalID))
	}
}

func TestService_BulkInvite_ExternalIDs(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	project := func(name string) uuid.UUID { return mustProject(t, s, owner.ID, name).ID }
	member := func(pid uuid.UUID, ext string) *invites.User {
		return memberWithID(t, s, owner.ID, pid, invites.RoleContributor, ext)
	}
	invite := func(pid uuid.UUID, ext string) *invites.Invite {
		return mustInvite(t, s, owner.ID, uniqueEmail("invite"), &pid, invites.RoleContributor, ext)
	}
	moved := func(t *testing.T, r *bulkResult, from string) {
		t.Helper()
		if !r.ExternalIDUpdated || str(r.PreviousExternalID) != from {
			t.Errorf("result = %s, want moved from %s", describeResult(r), from)
		}
	}

	t.Run("Upsert", func(t *testing.T) {
		pid := project("Upsert")
		m0, m1, m2 := member(pid, ""), member(pid, "U-2"), member(pid, "U-3")
		i0, i1, i2 := invite(pid, "U-4"), invite(pid, ""), invite(pid, "U-7")
		out := mustBulk(t, s, owner.ID, pid,
			invites.BulkRow{Email: m0.Email, ExternalID: "U-1"},
			invites.BulkRow{Email: m1.Email},
			invites.BulkRow{Email: m2.Email, ExternalID: " U-3 "},
			invites.BulkRow{Email: i0.Email, ExternalID: "U-5"},
			invites.BulkRow{Email: i1.Email, ExternalID: "U-6"},
			invites.BulkRow{Email: i2.Email, ExternalID: ""},
		)
		wantResults(t, out, ok(bulkExistingMember), ok(bulkExistingMember), ok(bulkExistingMember),
			ok(bulkExistingInvitation), ok(bulkExistingInvitation), ok(bulkExistingInvitation))
		wantSummary(t, out, invites.BulkSummary{Total: 6, ExistingInvitations: 3, ExistingMembers: 3, ExternalIDsUpdated: 3})
		moved(t, results(out)[0], "<none>")
		moved(t, results(out)[3], "U-4")
		moved(t, results(out)[4], "<none>")
		for _, i := range []int{1, 2, 5} {
			if r := results(out)[i]; r.ExternalIDUpdated || r.PreviousExternalID != nil {
				t.Errorf("result = %s, want no external ID change", describeResult(r))
			}
		}
		if m := results(out)[0].Member; str(m.ExternalID) != "U-1" {
			t.Errorf("returned member holds %s, want U-1", str(m.ExternalID))
		}
		if inv := results(out)[3].Invite; str(inv.ExternalID) != "U-5" {
			t.Errorf("returned invite holds %s, want U-5", str(inv.ExternalID))
		}
		wantMemberExt(t, pid, m0, "U-1")
		wantMemberExt(t, pid, m1, "U-2")
		wantMemberExt(t, pid, m2, "U-3")
		wantInviteExt(t, i0.ID, "U-5")
		wantInviteExt(t, i1.ID, "U-6")
		wantInviteExt(t, i2.ID, "U-7")
		if n := count(t, "activity_events", "project_id = ? AND name = ?", pid, invites.EventUpdatedMember); n != 3 {
			t.Errorf("%d %q events, want 2 from the setup and 1 from the batch", n, invites.EventUpdatedMember)
		}
	})

	t.Run("SameKind", func(t *testing.T) {
		pid := project("Same kind")
		iA, iB := invite(pid, "K1"), invite(pid, "")
		mA, mB := member(pid, "K2"), member(pid, "K2x")
		out := mustBulk(t, s, owner.ID, pid,
			invites.BulkRow{Email: iA.Email, ExternalID: "K1b"},
			invites.BulkRow{Email: iB.Email, ExternalID: "K1"},
			invites.BulkRow{Email: mA.Email, ExternalID: "K2b"},
			invites.BulkRow{Email: mB.Email, ExternalID: "K2"},
		)
		wantResults(t, out, ok(bulkExistingInvitation), ok(bulkExistingInvitation), ok(bulkExistingMember), ok(bulkExistingMember))
		moved(t, results(out)[3], "K2x")
		wantInviteExt(t, iA.ID, "K1b")
		wantInviteExt(t, iB.ID, "K1")
		wantMemberExt(t, pid, mA, "K2b")
		wantMemberExt(t, pid, mB, "K2")
	})

	t.Run("CrossKind", func(t *testing.T) {
		pid := project("Cross kind")
		mA, mB := member(pid, "X1"), member(pid, "")
		iA, iB := invite(pid, "X2"), invite(pid, "X3")
		e1, e2 := uniqueEmail("new"), uniqueEmail("new")
		out := mustBulk(t, s, owner.ID, pid,
			invites.BulkRow{Email: mA.Email, ExternalID: "X1b"},
			invites.BulkRow{Email: e1, ExternalID: "X1"},
			invites.BulkRow{Email: iA.Email, ExternalID: "X2b"},
			invites.BulkRow{Email: mB.Email, ExternalID: "X2"},
			invites.BulkRow{Email: iB.Email, ExternalID: "X3b"},
			invites.BulkRow{Email: e2, ExternalID: "X3"},
		)
		wantResults(t, out, ok(bulkExistingMember), ok(bulkNewInvitation), ok(bulkExistingInvitation),
			ok(bulkExistingMember), ok(bulkExistingInvitation), ok(bulkNewInvitation))
		wantMemberExt(t, pid, mA, "X1b")
		wantNewInvite(t, pid, e1, "X1")
		wantInviteExt(t, iA.ID, "X2b")
		wantMemberExt(t, pid, mB, "X2")
		wantInviteExt(t, iB.ID, "X3b")
		wantNewInvite(t, pid, e2, "X3")
	})

	t.Run("ReverseOrder", func(t *testing.T) {
		pid := project("Reverse")
		mA, mB := member(pid, "R1"), member(pid, "")
		iA := invite(pid, "R3")
		e1 := uniqueEmail("new")
		out := mustBulk(t, s, owner.ID, pid,
			invites.BulkRow{Email: e1, ExternalID: "R1"},
			invites.BulkRow{Email: mA.Email, ExternalID: "R2"},
			invites.BulkRow{Email: mB.Email, ExternalID: "R3"},
			invites.BulkRow{Email: iA.Email, ExternalID: "R4"},
		)
		wantResults(t, out, ok(bulkNewInvitation), ok(bulkExistingMember), ok(bulkExistingMember), ok(bulkExistingInvitation))
		wantNewInvite(t, pid, e1, "R1")
		wantMemberExt(t, pid, mA, "R2")
		wantMemberExt(t, pid, mB, "R3")
		wantInviteExt(t, iA.ID, "R4")
	})

	t.Run("Swap", func(t *testing.T) {
		pid := project("Swap")
		mA, mB, mC := member(pid, "S1"), member(pid, "S2"), member(pid, "S3")
		iA, iB, iC := invite(pid, "S4"), invite(pid, "S5"), invite(pid, "S6")
		out := mustBulk(t, s, owner.ID, pid,
			invites.BulkRow{Email: mA.Email, ExternalID: "S2"},
			invites.BulkRow{Email: mB.Email, ExternalID: "S1"},
			invites.BulkRow{Email: mC.Email, ExternalID: "S4"},
			invites.BulkRow{Email: iA.Email, ExternalID: "S3"},
			invites.BulkRow{Email: iB.Email, ExternalID: "S6"},
			invites.BulkRow{Email: iC.Email, ExternalID: "S5"},
		)
		wantResults(t, out, ok(bulkExistingMember), ok(bulkExistingMember), ok(bulkExistingMember),
			ok(bulkExistingInvitation), ok(bulkExistingInvitation), ok(bulkExistingInvitation))
		wantSummary(t, out, invites.BulkSummary{Total: 6, ExistingInvitations: 3, ExistingMembers: 3, ExternalIDsUpdated: 6})
		moved(t, results(out)[0], "S1")
		moved(t, results(out)[1], "S2")
		wantMemberExt(t, pid, mA, "S2")
		wantMemberExt(t, pid, mB, "S1")
		wantMemberExt(t, pid, mC, "S4")
		wantInviteExt(t, iA.ID, "S3")
		wantInviteExt(t, iB.ID, "S6")
		wantInviteExt(t, iC.ID, "S5")
	})

	t.Run("Chain", func(t *testing.T) {
		pid := project("Chain")
		mA, mB := member(pid, "C1"), member(pid, "C3")
		iA := invite(pid, "C2")
		e1 := uniqueEmail("new")
		// A new invite takes C1 from mA, who takes C2 from iA, which takes C3 from mB, who takes
		// the free C4; the rows in no helpful order.
		out := mustBulk(t, s, owner.ID, pid,
			invites.BulkRow{Email: iA.Email, ExternalID: "C3"},
			invites.BulkRow{Email: e1, ExternalID: "C1"},
			invites.BulkRow{Email: mB.Email, ExternalID: "C4"},
			invites.BulkRow{Email: mA.Email, ExternalID: "C2"},
		)
		wantResults(t, out, ok(bulkExistingInvitation), ok(bulkNewInvitation), ok(bulkExistingMember), ok(bulkExistingMember))
		wantNewInvite(t, pid, e1, "C1")
		wantMemberExt(t, pid, mA, "C2")
		wantInviteExt(t, iA.ID, "C3")
		wantMemberExt(t, pid, mB, "C4")
	})

	t.Run("Taken", func(t *testing.T) {
		pid := project("Taken")
		mA, mB := member(pid, "T1"), member(pid, "")
		iA, iB, iC := invite(pid, "TA"), invite(pid, "T2"), invite(pid, "T3")
		e1 := uniqueEmail("new")
		before := projectState(t, pid)
		out := mustBulk(t, s, owner.ID, pid,
			invites.BulkRow{Email: e1, ExternalID: "T1"},
			invites.BulkRow{Email: iA.Email, ExternalID: "T2"},
			invites.BulkRow{Email: mB.Email, ExternalID: "T3"},
		)
		wantResults(t, out, failed(invites.ReasonExternalIDTaken), failed(invites.ReasonExternalIDTaken), failed(invites.ReasonExternalIDTaken))
		wantSummary(t, out, invites.BulkSummary{Total: 3, Failed: 3})
		if r := results(out)[0]; r.Invite != nil || str(r.ExternalID) != "T1" || r.Email != e1 {
			t.Errorf("result = %s, want the row's email and ID and no invite", describeResult(r))
		}
		if after := projectState(t, pid); after != before {
			t.Errorf("a batch of failures wrote:\nbefore %s\nafter  %s", before, after)
		}
		wantNoInvite(t, pid, e1)
		wantMemberExt(t, pid, mA, "T1")
		wantInviteExt(t, iA.ID, "TA")
		wantInviteExt(t, iB.ID, "T2")
		wantInviteExt(t, iC.ID, "T3")
	})

	// A row that fails keeps its record's ID, which fails the rows that counted on it being
	// freed, and so on down the chain, in whatever order the rows come.
	t.Run("Cascade", func(t *testing.T) {
		for _, reverse := range []bool{false, true} {
			pid := project("Cascade")
			mM, mN := member(pid, "K"), member(pid, "L")
			iX := invite(pid, "X")
			e1, e2 := uniqueEmail("new"), uniqueEmail("new")
			rows := []invites.BulkRow{
				{Email: mM.Email, ExternalID: "L"}, // held by mN, untouched
				{Email: iX.Email, ExternalID: "K"}, // mM keeps K
				{Email: e1, ExternalID: "X"},       // iX keeps X
				{Email: e2, ExternalID: "Y"},       // free
			}
			want := []bulkWant{failed(invites.ReasonExternalIDTaken), failed(invites.ReasonExternalIDTaken), failed(invites.ReasonExternalIDTaken), ok(bulkNewInvitation)}
			if reverse {
				slices.Reverse(rows)
				slices.Reverse(want)
			}
			out := mustBulk(t, s, owner.ID, pid, rows...)
			wantResults(t, out, want...)
			wantMemberExt(t, pid, mM, "K")
			wantMemberExt(t, pid, mN, "L")
			wantInviteExt(t, iX.ID, "X")
			wantNoInvite(t, pid, e1)
			wantNewInvite(t, pid, e2, "Y")
			if n := count(t, "activity_events", "project_id = ? AND name = ? AND email = ?", pid, invites.EventUpdatedMember, mM.Email); n != 1 {
				t.Errorf("%d %q events for the member whose row failed, want only the setup's", n, invites.EventUpdatedMember)
			}
		}
	})

	// Rows that fail for other reasons keep their records' IDs too.
	t.Run("FailedRowKeepsID", func(t *testing.T) {
		pid := project("Failed keeps")
		admin := memberWithID(t, s, owner.ID, pid, invites.RoleAdmin, "")
		admin2 := memberWithID(t, s, owner.ID, pid, invites.RoleAdmin, "F2")
		iF := invite(pid, "F1")
		if _, err := pgDB(t).ExecContext(ctx, "UPDATE emails SET status = 'FAILED_PERMANENT' WHERE id = ?", *iF.EmailID); err != nil {
			t.Fatal(err)
		}
		mD := member(pid, "F3")
		e1, e2, e3 := uniqueEmail("new"), uniqueEmail("new"), uniqueEmail("new")
		out := mustBulk(t, s, admin.ID, pid,
			invites.BulkRow{Email: e1, ExternalID: "F1"},
			invites.BulkRow{Email: iF.Email, ExternalID: "F1b"},
			invites.BulkRow{Email: admin2.Email, ExternalID: "F2b"},
			invites.BulkRow{Email: e2, ExternalID: "F2"},
			invites.BulkRow{Email: mD.Email, ExternalID: "F3b"},
			invites.BulkRow{Email: strings.ToUpper(mD.Email), ExternalID: "F3c"},
			invites.BulkRow{Email: e3, ExternalID: "F3"},
		)
		wantResults(t, out,
			failed(invites.ReasonExternalIDTaken),
			failed(invites.ReasonFailedToSend),
			failed(invites.ReasonRoleNotAllowed),
			failed(invites.ReasonExternalIDTaken),
			ok(bulkExistingMember),
			failed(invites.ReasonDuplicateEmail),
			ok(bulkNewInvitation),
		)
		wantInviteExt(t, iF.ID, "F1")
		wantMemberExt(t, pid, admin2, "F2")
		wantMemberExt(t, pid, mD, "F3b")
		wantNoInvite(t, pid, e1, e2)
		wantNewInvite(t, pid, e3, "F3")
	})
}

func TestService_BulkInvite_CSV(t *testing.T) {
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Bulk CSV")
	e1, e2 := uniqueEmail("csv"), uniqueEmail("csv")
	file := "\uFEFFE-mail,Role,External ID,Team\r\n" +
		e1 + ",admin,X-1,red\r\n" +
		"\r\n" +
		"\"" + strings.ToUpper(e2) + "\",,,blue\r\n" +
		",contributor,,\r\n"
	out := mustBulkInput(t, s, owner.ID, invites.BulkInput{ProjectID: p.ID, CSV: strings.NewReader(file), DefaultRole: invites.RolePending,
		FileName: "C:\\Users\\ada\\class\x07 list.csv"})
	// The batch's event names the file as the activity shows it: no folders, no control characters.
	if n := count(t, "activity_events", "project_id = ? AND name = ? AND invitations = 2 AND file_name = ?",
		p.ID, invites.EventBulkInvited, "class list.csv"); n != 1 {
		t.Errorf("%d %q events naming class list.csv with 2 invitations, want 1", n, invites.EventBulkInvited)
	}
	wantResults(t, out,
		bulkWant{bulkNewInvitation, "", 2},
		bulkWant{bulkNewInvitation, "", 4},
		bulkWant{bulkFailed, invites.ReasonInvalidEmail, 5},
	)
	if !slices.Equal(out.IgnoredColumns, []string{"Team"}) {
		t.Errorf("ignored columns %q, want [Team]", out.IgnoredColumns)
	}
	if inv := wantNewInvite(t, p.ID, e1, "X-1"); *inv.Role != invites.RoleAdmin {
		t.Errorf("%s invited as %s, want ADMIN", e1, *inv.Role)
	}
	if inv := wantNewInvite(t, p.ID, e2, "<none>"); *inv.Role != invites.RolePending {
		t.Errorf("%s invited as %s, want the default PENDING", e2, *inv.Role)
	}

	// Rows given as a list have an empty list of ignored columns, not none.
	out = mustBulk(t, s, owner.ID, p.ID, invites.BulkRow{Email: uniqueEmail("list")})
	if out.IgnoredColumns == nil || len(out.IgnoredColumns) != 0 {
		t.Errorf("ignored columns %#v, want empty", out.IgnoredColumns)
	}
}

func TestService_BulkInvite_DryRun(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Bulk Preview")
	expired := mustInvite(t, s, owner.ID, uniqueEmail("expired"), &p.ID, invites.RoleContributor, "EXP")
	mA := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "D1")
	mB := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "D2")
	mC := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "D5")
	iA := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "D3")
	iB := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RolePending, "")
	iF := mustInvite(t, s, owner.ID, uniqueEmail("bounced"), &p.ID, invites.RoleContributor, "D4")
	if _, err := pgDB(t).ExecContext(ctx, "UPDATE emails SET status = 'FAILED_PERMANENT' WHERE id = ?", *iF.EmailID); err != nil {
		t.Fatal(err)
	}
	account := mustSignUp(t, s, uniqueEmail("account")).User
	news := []string{uniqueEmail("new"), uniqueEmail("new"), uniqueEmail("new"), uniqueEmail("new")}
	clk.Advance(time.Minute)
	// An invite that has expired but that nothing has marked yet: its email and ID are free.
	if _, err := pgDB(t).ExecContext(ctx, "UPDATE invites SET expires_at = ? WHERE id = ?", clk.Now().Add(-time.Second), expired.ID); err != nil {
		t.Fatal(err)
	}

	rows := numbered([]invites.BulkRow{
		{Email: mA.Email, ExternalID: "D2"}, // swap with mB
		{Email: mB.Email, ExternalID: "D1"},
		{Email: iA.Email, Role: "pending", ExternalID: "D9"}, // frees D3
		{Email: news[0], ExternalID: "D3"},
		{Email: iF.Email, ExternalID: "D4b"}, // FAILED_TO_SEND: keeps D4
		{Email: news[1], ExternalID: "D4"},   // so this one fails
		{Email: iB.Email, Role: "contributor"},
		{Email: account.Email, ExternalID: "EXP"}, // the expired invite's ID
		{Email: expired.Email},                    // the expired invite's email: a new invitation
		{Email: mC.Email, ExternalID: "D6"},
		{Email: news[2], ExternalID: "D5"}, // mC's old ID
		{Email: "nope"},
		{Email: strings.ToUpper(news[2])},
		{Email: news[3], Role: "owner"},
	})
	in := invites.BulkInput{ProjectID: p.ID, Rows: rows, DefaultRole: invites.RoleContributor, DryRun: true}
	batchEmails := []string{news[0], news[1], news[2], news[3], account.Email}
	stateBefore := projectState(t, p.ID)
	jobsBefore := count(t, "river_job", "TRUE")

	dry := mustBulkInput(t, s, owner.ID, in)
	if after := projectState(t, p.ID); after != stateBefore {
		t.Errorf("the dry run wrote:\nbefore %s\nafter  %s", stateBefore, after)
	}
	if n := count(t, "river_job", "TRUE"); n != jobsBefore {
		t.Errorf("the dry run queued %d jobs", n-jobsBefore)
	}
	if n := count(t, "invites", "project_id = ? AND email = ANY(?) AND status = 'PENDING'", p.ID, pgdialect.Array(batchEmails)); n != 0 {
		t.Errorf("the dry run made %d invites", n)
	}
	if inv := inviteRow(t, expired.ID); inv.Status != invites.StatusPending || str(inv.ExternalID) != "EXP" {
		t.Errorf("the dry run marked the expired invite: %s %s", inv.Status, str(inv.ExternalID))
	}

	if results(dry)[7].ExistingAccount {
		t.Error("the dry run told that the account's email has an account")
	}

	in.DryRun = false
	live := mustBulkInput(t, s, owner.ID, in)
	// The same results, but for what only sending tells: whether an email has an account.
	if got, want := describeOutcome(dry), strings.ReplaceAll(describeOutcome(live), " existing-account", ""); got != want {
		t.Errorf("dry run:\n%s\nreal run:\n%s", got, want)
	}
	wantResults(t, live,
		ok(bulkExistingMember), ok(bulkExistingMember),
		ok(bulkExistingInvitation), ok(bulkNewInvitation),
		failed(invites.ReasonFailedToSend), failed(invites.ReasonExternalIDTaken),
		ok(bulkExistingInvitation), ok(bulkNewInvitation), ok(bulkNewInvitation),
		ok(bulkExistingMember), ok(bulkNewInvitation),
		failed(invites.ReasonInvalidEmail), failed(invites.ReasonDuplicateEmail), failed(invites.ReasonRoleNotAllowed),
	)
	wantSummary(t, live, invites.BulkSummary{Total: 14, NewInvitations: 4, ExistingInvitations: 2, ExistingMembers: 3, Failed: 5, ExternalIDsUpdated: 4})
	if !results(live)[7].ExistingAccount {
		t.Error("the account's row: existingAccount false")
	}
	wantNewInvite(t, p.ID, account.Email, "EXP")
	wantNewInvite(t, p.ID, expired.Email, "<none>")
	wantMemberExt(t, p.ID, mA, "D2")
	wantMemberExt(t, p.ID, mB, "D1")
	// The four new invites' emails go out in one chunk job of the mail queue.
	if n := count(t, "river_job", "TRUE") - jobsBefore; n != 1 {
		t.Errorf("the real run queued %d jobs, want 1 (one chunk of emails)", n)
	}
	if n := count(t, "emails", "recipient IN (?)", bun.In([]string{account.Email, expired.Email})); n < 2 {
		t.Errorf("the new invites of existing emails queued %d emails, want one each", n)
	}
}

// A failure of the database part-way through a batch leaves nothing of it: no invites, no
// emails or their jobs, no external-ID moves.
func TestService_BulkInvite_OneTransaction(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Bulk Rollback")
	mA := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "M-1")
	iA := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "I-1")
	boom := uniqueEmail("boom")

	db := pgDB(t)
	_, err := db.ExecContext(ctx, `CREATE FUNCTION bulk_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'bulk test: refused event for %', NEW.email; END $$`)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.ExecContext(context.Background(), "DROP TRIGGER IF EXISTS bulk_test_fail ON activity_events")
		db.ExecContext(context.Background(), "DROP FUNCTION IF EXISTS bulk_test_fail()")
	})
	// The address comes from uniqueEmail: letters, digits, dashes, @ and dots only.
	_, err = db.ExecContext(ctx, `CREATE TRIGGER bulk_test_fail BEFORE INSERT ON activity_events
		FOR EACH ROW WHEN (NEW.email = '`+boom+`') EXECUTE FUNCTION bulk_test_fail()`)
	if err != nil {
		t.Fatal(err)
	}

	e1, e2, e3 := uniqueEmail("new"), uniqueEmail("new"), uniqueEmail("new")
	stateBefore := projectState(t, p.ID)
	jobsBefore, emailsBefore := count(t, "river_job", "TRUE"), count(t, "emails", "TRUE")
	_, err = s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor, Rows: numbered([]invites.BulkRow{
		{Email: e1, ExternalID: "M-1"},
		{Email: mA.Email, ExternalID: "M-2"},
		{Email: iA.Email, Role: "pending", ExternalID: "I-2"},
		{Email: boom},
		{Email: e2},
		{Email: e3, ExternalID: "I-1"},
	})})
	if err == nil || invites.ErrorCode(err) != invites.Internal {
		t.Fatalf("error = %v (code %s), want INTERNAL", err, invites.ErrorCode(err))
	}
	if !strings.Contains(err.Error(), "bulk test: refused event") {
		t.Fatalf("error = %v, want the trigger's", err)
	}
	if after := projectState(t, p.ID); after != stateBefore {
		t.Errorf("the failed batch wrote:\nbefore %s\nafter  %s", stateBefore, after)
	}
	if n := count(t, "river_job", "TRUE"); n != jobsBefore {
		t.Errorf("the failed batch left %d jobs", n-jobsBefore)
	}
	if n := count(t, "emails", "TRUE"); n != emailsBefore {
		t.Errorf("the failed batch left %d emails", n-emailsBefore)
	}
	wantNoInvite(t, p.ID, e1, e2, e3, boom)
	wantMemberExt(t, p.ID, mA, "M-1")
	wantInviteExt(t, iA.ID, "I-1")
	if inv := inviteRow(t, iA.ID); *inv.Role != invites.RoleContributor {
		t.Errorf("invite role %s, want CONTRIBUTOR", *inv.Role)
	}
}

// A batch costs the same number of statements whatever its size.
func TestService_BulkInvite_Statements(t *testing.T) {
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))

	measure := func(n int) (int, []string) {
		// A service of its own for each measure: River sends a NOTIFY with the first insert of
		// a client and then at most once per fetch cooldown, so a shared client would count it
		// or not by the clock.
		db, counter := pgtest.CountingDB(t)
		counted := newServices(t, db, newClock(), nil).Invites
		p := mustProject(t, s, owner.ID, fmt.Sprintf("Bulk %d", n))
		mA := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "MA")
		mB := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "MB")
		iA := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "IA")
		iB := mustInvite(t, s, owner.ID, uniqueEmail("pending"), &p.ID, invites.RoleContributor, "")
		rows := []invites.BulkRow{
			{Email: mA.Email, ExternalID: "MA2"},
			{Email: mB.Email, ExternalID: "IA"},
			{Email: iA.Email, ExternalID: "IA2"},
			{Email: iB.Email, Role: "pending"},
		}
		for i := range n {
			row := invites.BulkRow{Email: uniqueEmail("many")}
			switch i {
			case 0:
				row.ExternalID = "MA"
			case 1:
				row.ExternalID = "MB"
			default:
				row.ExternalID = fmt.Sprintf("N-%d", i)
			}
			rows = append(rows, row)
		}
		counter.Reset()
		out, err := counted.BulkInvite(context.Background(), owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: numbered(rows), DefaultRole: invites.RoleContributor})
		got, statements := counter.Count(), counter.Statements()
		if err != nil {
			t.Fatal(err)
		}
		wantSummary(t, out, invites.BulkSummary{Total: n + 4, NewInvitations: n, ExistingInvitations: 2, ExistingMembers: 2, ExternalIDsUpdated: 3})
		return got, statements
	}
	small, smallStatements := measure(10)
	large, largeStatements := measure(1000)
	t.Logf("statements: %d for 14 rows, %d for 1,004 rows", small, large)
	// 20 before the invites and events went in with COPY (a COPY counts as one statement); 21
	// with the suppression list's lookup (one statement for all the rows' addresses).
	if large > 21 {
		t.Errorf("statements: %d for 1,004 rows, want at most 21\n%s", large, strings.Join(largeStatements, "\n"))
	}
	if small != large {
		t.Errorf("statements: %d for 14 rows, %d for 1,004 rows; want equal\nsmall:\n%s\nlarge:\n%s",
			small, large, strings.Join(smallStatements, "\n"), strings.Join(largeStatements, "\n"))
	}
	// No move here takes an ID that another record of its table holds (mB takes IA from an
	// invite, in another unique index): no ID is cleared before the moves.
	for _, st := range largeStatements {
		if strings.Contains(st, "SET external_id = NULL FROM") {
			t.Errorf("IDs cleared before moves that need no clearing: %s", st)
		}
	}
}

// The statements that find a batch's rows by arrays of its values are planned with those
// values on every run, never kept as named prepared statements: from its sixth run on a
// connection PostgreSQL plans a prepared statement generically, and "= ANY($n)" over a
// re-upload's 10,000 emails then compared every pending invite with every email (1.4 to 1.9 s).
func TestService_BulkInvite_PlannedWithItsValues(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sqldb, err := sql.Open("pgx", pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	// One connection: every statement of every batch runs, and is prepared or not, on it.
	sqldb.SetMaxOpenConns(1)
	db := bun.NewDB(sqldb, pgdialect.New())
	defer db.Close()
	s := newServices(t, db, newClock(), nil).Invites
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Planned")
	member := memberWithID(t, s, owner.ID, p.ID, invites.RoleContributor, "M-0")
	emails := []string{uniqueEmail("a"), uniqueEmail("b"), member.Email}
	for run := range 7 {
		rows := make([]invites.BulkRow, len(emails))
		for i, e := range emails {
			rows[i] = invites.BulkRow{Email: e, ExternalID: fmt.Sprintf("X-%d-%d", i, run)}
		}
		_, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: numbered(rows), DefaultRole: invites.RoleContributor})
		if err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
	}
	wantMemberExt(t, p.ID, member, "X-2-6")
	var kept []string
	if err := db.NewRaw(`SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%ANY($%' AND statement NOT LIKE '%pg_prepared_statements%'`).Scan(ctx, &kept); err != nil {
		t.Fatal(err)
	}
	for _, st := range kept {
		t.Errorf("a prepared statement filters by an array parameter: %s", strings.Join(strings.Fields(st), " "))
	}
}

// A bulk invite's events, written with COPY, list as createInvite's do: the same four, in the
// same order, with the same actor and email, paged the same way in both directions.
func TestService_BulkInvite_EventsAsCreateInvite(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Events")
	one, bulk := uniqueEmail("one"), uniqueEmail("bulk")
	if _, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: one, ProjectID: &p.ID, Role: ptr(invites.RoleContributor)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: numbered([]invites.BulkRow{{Email: bulk}}), DefaultRole: invites.RoleContributor})
	if err != nil {
		t.Fatal(err)
	}
	// What a reader of the list sees of an event, with the invitee's email standing in as "@".
	type seen struct {
		Name, Actor, Email string
	}
	describe := func(e *invites.Event, invitee string) seen {
		d := seen{Name: e.Name}
		if e.ActorID != nil {
			d.Actor = "owner"
			if *e.ActorID != owner.ID {
				d.Actor = e.ActorID.String()
			}
		}
		if e.Email != nil {
			d.Email = strings.Replace(*e.Email, invitee, "@", 1)
		}
		if e.ProjectID != p.ID || e.InviteID == nil {
			d.Name += " (no project or invite)"
		}
		return d
	}
	page, err := s.Activity(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.PageArgs{First: ptr(100)})
	if err != nil {
		t.Fatal(err)
	}
	var created []*invites.Event
	for _, e := range page.Items {
		if e.InviteID != nil {
			created = append(created, e)
		}
	}
	if len(created) != 8 {
		t.Fatalf("%d invite events, want 4 for each invite", len(created))
	}
	// Newest first: the bulk invite's four, then createInvite's.
	var fromBulk, fromOne []seen
	for _, e := range created[:4] {
		fromBulk = append(fromBulk, describe(e, bulk))
	}
	for _, e := range created[4:] {
		fromOne = append(fromOne, describe(e, one))
	}
	want := []seen{
		{invites.EventInvitedToProjectInvitee, "", "@"},
		{invites.EventInvitedToProject, "owner", "@"},
		{invites.EventUserInvited, "", "@"},
		{invites.EventCreatedUserInvite, "owner", ""},
	}
	if !slices.Equal(fromOne, want) {
		t.Errorf("createInvite's events %v, want %v", fromOne, want)
	}
	if !slices.Equal(fromBulk, want) {
		t.Errorf("bulk invite's events %v, want %v as createInvite's", fromBulk, want)
	}

	// Two at a time, forwards and backwards through the cursors, the same events in order.
	var forward, backward []uuid.UUID
	for after := ""; ; {
		pg, err := s.Activity(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.PageArgs{First: ptr(2), After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range pg.Items {
			forward = append(forward, e.ID)
		}
		if !pg.HasNextPage {
			break
		}
		after = pg.Cursors[len(pg.Cursors)-1]
	}
	for before := ""; ; {
		pg, err := s.Activity(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.PageArgs{Last: ptr(2), Before: before})
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]uuid.UUID, len(pg.Items))
		for i, e := range pg.Items {
			ids[i] = e.ID
		}
		backward = append(ids, backward...)
		if !pg.HasPreviousPage {
			break
		}
		before = pg.Cursors[0]
	}
	all := make([]uuid.UUID, len(page.Items))
	for i, e := range page.Items {
		all[i] = e.ID
	}
	if !slices.Equal(forward, all) || !slices.Equal(backward, all) {
		t.Errorf("paged forwards %v and backwards %v, want %v", forward, backward, all)
	}
}
