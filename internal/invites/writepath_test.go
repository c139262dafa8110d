package invites_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
)

// A single invite and its claim each run as one transaction of a few statements: what the
// write costs stays near what the database needs for the rows it writes (issue 25).
func TestService_WritePath_Statements(t *testing.T) {
	// Issue 25: at most 6 statements each (16 and 13 before the project lock was shared, 10
	// and 10 before the reads were folded into the writes), BEGIN and COMMIT not counted.
	const maxStatements, maxCommits = 6, 1
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Write Path")
	other := mustProject(t, s, owner.ID, "Write Path 2")
	// A service of its own on a counting pool; a first invite warms River's client, whose
	// first insert also sends a NOTIFY.
	db, counter := pgtest.CountingDB(t)
	counted := newServices(t, db, newClock(), nil).Invites
	ctx := context.Background()
	if _, err := counted.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("warm"), ProjectID: &p.ID, Role: ptr(invites.RoleContributor)}); err != nil {
		t.Fatal(err)
	}

	email := uniqueEmail("invitee")
	user := mustSignUp(t, s, email).User
	counter.Reset()
	inv, err := counted.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: ptr(invites.RoleContributor), ExternalID: ptr("W-1")})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "createInvite", counter, maxStatements, maxCommits)

	token := inviteToken(t, email)
	counter.Reset()
	u := *user
	if _, err := counted.AcceptInvite(ctx, &u, invites.InviteRef{Token: token}); err != nil {
		t.Fatal(err)
	}
	// The welcome's email is written by the membership's statement, its job beside the
	// event hook's deliveries.
	check(t, "acceptInvite", counter, maxStatements, maxCommits)
	wantStatus(t, inv.ID, invites.StatusAccepted)
	wantWelcomesWithJobs(t, email, 1)

	// By ID, for a verified user: the project's lock and the invite's row in turn.
	inv, err = counted.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: u.Email, ProjectID: &other.ID, Role: ptr(invites.RoleContributor)})
	if err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	if _, err := counted.AcceptInvite(ctx, &u, invites.InviteRef{InviteID: inv.ID.String()}); err != nil {
		t.Fatal(err)
	}
	check(t, "acceptInvite by ID", counter, maxStatements, maxCommits)
	wantStatus(t, inv.ID, invites.StatusAccepted)
	wantWelcomesWithJobs(t, email, 2)
}

// wantWelcomesWithJobs checks that want welcomes are queued to recipient, each with a job
// that sends it.
func wantWelcomesWithJobs(t *testing.T, recipient string, want int) {
	t.Helper()
	if got := len(welcomes(t, recipient)); got != want {
		t.Errorf("welcomes to %s: %d, want %d", recipient, got, want)
	}
	sent := count(t, "emails AS e", `e.recipient = ? AND e.kind = 'welcome'
		AND EXISTS (SELECT 1 FROM river_job AS j WHERE jsonb_exists(j.args->'email_ids', e.id::text))`, recipient)
	if sent != want {
		t.Errorf("welcomes to %s with a send job: %d, want %d", recipient, sent, want)
	}
}

func check(t *testing.T, what string, counter *pgtest.Counter, statements, commits int) {
	t.Helper()
	n, c := counter.Count(), counter.Commits()
	t.Logf("%s: %d statements, %d commits", what, n, c)
	if n > statements || c > commits {
		t.Errorf("%s: %d statements and %d commits, want at most %d and %d:\n%s", what, n, c, statements, commits, strings.Join(counter.Statements(), "\n"))
	}
}

// Single invites and claims of one project share its lock: what they must keep unique is
// kept by the unique indexes and by locks on the email and external ID each one touches. Each
// case runs the calls at the same moment, a few rounds over.
func TestService_WritePath_Races(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	role := ptr(invites.RoleContributor)

	t.Run("DistinctEmailsAllSucceed", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "WP Distinct")
		errs := concurrently(10, func(i int) error {
			_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("many"), ProjectID: &p.ID, Role: role, ExternalID: ptr(fmt.Sprintf("D-%d", i))})
			return err
		})
		if got := codes(t, errs); got[""] != 10 {
			t.Errorf("outcomes = %v, want 10 successes", got)
		}
	})

	t.Run("OneExternalIDManyEmails", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "WP External ID")
		for round := range 3 {
			id := fmt.Sprintf("X-%d", round)
			errs := concurrently(8, func(int) error {
				_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("x"), ProjectID: &p.ID, Role: role, ExternalID: &id})
				return err
			})
			if got := codes(t, errs); got[""] != 1 || got[invites.ExternalIDTaken] != 7 {
				t.Errorf("round %d: outcomes = %v, want 1 success and 7 EXTERNAL_ID_TAKEN", round, got)
			}
			if n := externalIDHolders(t, p.ID, id); n != 1 {
				t.Errorf("round %d: holders of %s = %d, want 1", round, id, n)
			}
		}
	})

	t.Run("ClaimAndInviteSameExternalID", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "WP Claim External ID")
		for round := range 4 {
			id := fmt.Sprintf("C-%d", round)
			email := uniqueEmail("claimer")
			user := mustSignUp(t, s, email).User
			mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, id)
			token := inviteToken(t, email)
			errs := concurrently(2, func(i int) error {
				if i == 0 {
					u := *user
					_, err := s.AcceptInvite(ctx, &u, invites.InviteRef{Token: token})
					return err
				}
				_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("other"), ProjectID: &p.ID, Role: role, ExternalID: &id})
				return err
			})
			if errs[0] != nil {
				t.Errorf("round %d: accept: %v", round, errs[0])
			}
			wantCode(t, errs[1], invites.ExternalIDTaken)
			if n := externalIDHolders(t, p.ID, id); n != 1 {
				t.Errorf("round %d: holders of %s = %d, want 1", round, id, n)
			}
		}
	})

	t.Run("ClaimAndInviteSameEmail", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "WP Claim Email")
		for round := range 4 {
			email := uniqueEmail("joiner")
			user := mustSignUp(t, s, email).User
			mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
			token := inviteToken(t, email)
			errs := concurrently(2, func(i int) error {
				if i == 0 {
					u := *user
					_, err := s.AcceptInvite(ctx, &u, invites.InviteRef{Token: token})
					return err
				}
				_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: role})
				return err
			})
			if errs[0] != nil {
				t.Errorf("round %d: accept: %v", round, errs[0])
			}
			if c := invites.ErrorCode(errs[1]); c != invites.AlreadyInvited && c != invites.AlreadyMember {
				t.Errorf("round %d: second invite: %v, want ALREADY_INVITED or ALREADY_MEMBER", round, errs[1])
			}
			members := count(t, "project_members", "project_id = ? AND user_id = ?", p.ID, user.ID)
			pending := count(t, "invites", "project_id = ? AND email = ? AND status = 'PENDING'", p.ID, email)
			if members != 1 || pending != 0 {
				t.Errorf("round %d: %d memberships and %d pending invites, want 1 and 0", round, members, pending)
			}
		}
	})

	t.Run("BulkAndSingleSameEmails", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "WP Bulk")
		emails := make([]string, 6)
		var rows []invites.BulkRow
		for i := range emails {
			emails[i] = uniqueEmail("bulk")
			rows = append(rows, invites.BulkRow{Email: emails[i], ExternalID: fmt.Sprintf("B-%d", i)})
		}
		errs := concurrently(len(emails)+1, func(i int) error {
			if i == len(emails) {
				_, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: numbered(rows), DefaultRole: invites.RoleContributor})
				return err
			}
			_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: emails[i], ProjectID: &p.ID, Role: role, ExternalID: ptr(fmt.Sprintf("B-%d", i))})
			if c := invites.ErrorCode(err); c == invites.AlreadyInvited {
				return nil // the bulk invite came first
			}
			return err
		})
		codes(t, errs) // no INTERNAL
		for i, e := range emails {
			if n := count(t, "invites", "project_id = ? AND email = ? AND status = 'PENDING'", p.ID, e); n != 1 {
				t.Errorf("%s: %d pending invites, want 1", e, n)
			}
			if n := externalIDHolders(t, p.ID, fmt.Sprintf("B-%d", i)); n != 1 {
				t.Errorf("B-%d: %d holders, want 1", i, n)
			}
		}
	})
}
