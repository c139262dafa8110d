package invites_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// concurrently runs fn(0) ... fn(n-1) in n goroutines released at the same moment and returns
// their errors.
func concurrently(n int, fn func(i int) error) []error {
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// codes counts the outcomes: "" for success, else the error's code (INTERNAL for an error
// that is not a domain error).
func codes(t *testing.T, errs []error) map[invites.Code]int {
	t.Helper()
	got := map[invites.Code]int{}
	for _, err := range errs {
		if err == nil {
			got[""]++
			continue
		}
		code := invites.ErrorCode(err)
		if code == invites.Internal {
			t.Errorf("unexpected error: %v", err)
		}
		got[code]++
	}
	return got
}

// externalIDHolders counts the records of a project that hold id: members and pending invites.
func externalIDHolders(t *testing.T, projectID uuid.UUID, id string) int {
	t.Helper()
	return count(t, "project_members", "project_id = ? AND external_id = ?", projectID, id) +
		count(t, "invites", "project_id = ? AND external_id = ? AND status = 'PENDING'", projectID, id)
}

func TestService_Races(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))

	t.Run("AcceptInviteTwenty", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "Race Accept")
		email := uniqueEmail("invitee")
		user := mustSignUp(t, s, email).User // unverified: accepting by token verifies too
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "R-1")
		token := inviteToken(t, email)
		errs := concurrently(20, func(int) error {
			u := *user // each request reads its own copy of the signed-in user
			_, err := s.AcceptInvite(ctx, &u, invites.InviteRef{Token: token})
			return err
		})
		if got := codes(t, errs); got[""] != 1 || got[invites.InviteNotPending] != 19 {
			t.Errorf("outcomes = %v, want 1 success and 19 INVITE_NOT_PENDING", got)
		}
		if n := count(t, "project_members", "project_id = ? AND user_id = ?", p.ID, user.ID); n != 1 {
			t.Errorf("memberships = %d, want 1", n)
		}
		if n := len(welcomes(t, email)); n != 1 {
			t.Errorf("welcomes = %d, want 1: one per joining, whoever loses the race", n)
		}
		if n := count(t, "activity_events", "invite_id = ? AND name = ?", inv.ID, invites.EventClaimedUserInvite); n != 1 {
			t.Errorf("%q events = %d, want 1", invites.EventClaimedUserInvite, n)
		}
		wantStatus(t, inv.ID, invites.StatusAccepted)
	})

	t.Run("CreateInviteTen", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "Race Invite")
		email := uniqueEmail("invitee")
		errs := concurrently(10, func(int) error {
			_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: ptr(invites.RoleContributor)})
			return err
		})
		if got := codes(t, errs); got[""] != 1 || got[invites.AlreadyInvited] != 9 {
			t.Errorf("outcomes = %v, want 1 success and 9 ALREADY_INVITED", got)
		}
		if n := count(t, "invites", "project_id = ? AND email = ? AND status = 'PENDING'", p.ID, email); n != 1 {
			t.Errorf("pending invites = %d, want 1", n)
		}
		if n := count(t, "emails", "recipient = ?", email); n != 1 {
			t.Errorf("emails queued = %d, want 1", n)
		}
	})

	t.Run("UpdateMemberExternalID", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "Race Update")
		members := []*invites.User{
			mustMember(t, s, owner.ID, p.ID, invites.RoleContributor),
			mustMember(t, s, owner.ID, p.ID, invites.RoleContributor),
		}
		errs := concurrently(10, func(i int) error {
			_, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: members[i%2].ID, ExternalID: ptr("SAME")})
			return err
		})
		if n := externalIDHolders(t, p.ID, "SAME"); n != 1 {
			t.Fatalf("holders of SAME = %d, want 1", n)
		}
		// The member who got it may be given it again (no conflict with itself); every call
		// for the other member is refused.
		holder := 0
		if memberRow(t, p.ID, members[1].ID).ExternalID != nil {
			holder = 1
		}
		for i, err := range errs {
			if i%2 == holder {
				if err != nil {
					t.Errorf("call %d for the holder: %v", i, err)
				}
			} else {
				wantCode(t, err, invites.ExternalIDTaken)
			}
		}
	})

	t.Run("CreateInviteAndUpdateMember", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "Race Both")
		m := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
		for round := range 5 {
			id := fmt.Sprintf("BOTH-%d", round)
			errs := concurrently(2, func(i int) error {
				if i == 0 {
					_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("invitee"), ProjectID: &p.ID, Role: ptr(invites.RolePending), ExternalID: &id})
					return err
				}
				_, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: m.ID, ExternalID: &id})
				return err
			})
			if got := codes(t, errs); got[""] != 1 || got[invites.ExternalIDTaken] != 1 {
				t.Errorf("round %d: outcomes = %v, want 1 success and 1 EXTERNAL_ID_TAKEN", round, got)
			}
			if n := externalIDHolders(t, p.ID, id); n != 1 {
				t.Errorf("round %d: holders of %s = %d, want 1", round, id, n)
			}
		}
	})

	t.Run("ClaimAndDecline", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "Race Claim")
		for round := range 5 {
			email := uniqueEmail("invitee")
			inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
			token := inviteToken(t, email)
			errs := concurrently(2, func(i int) error {
				if i == 0 {
					_, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: token, Password: "correct horse", Name: "Racer"})
					return err
				}
				_, err := s.DeclineInvite(ctx, nil, invites.InviteRef{Token: token})
				return err
			})
			if got := codes(t, errs); got[""] != 1 || got[invites.InviteNotPending] != 1 {
				t.Errorf("round %d: outcomes = %v, want 1 success and 1 INVITE_NOT_PENDING", round, got)
			}
			members := count(t, "project_members", "project_id = ? AND user_id IN (SELECT id FROM users WHERE email = ?)", p.ID, email)
			accounts := count(t, "users", "email = ?", email)
			switch inviteRow(t, inv.ID).Status {
			case invites.StatusAccepted:
				if members != 1 || accounts != 1 {
					t.Errorf("round %d: accepted with %d accounts, %d memberships", round, accounts, members)
				}
			case invites.StatusDeclined:
				if members != 0 || accounts != 0 {
					t.Errorf("round %d: declined with %d accounts, %d memberships", round, accounts, members)
				}
			default:
				t.Errorf("round %d: invite neither accepted nor declined", round)
			}
		}
	})

	t.Run("SignUpSameToken", func(t *testing.T) {
		p := mustProject(t, s, owner.ID, "Race Sign-up")
		email := uniqueEmail("invitee")
		mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
		token := inviteToken(t, email)
		errs := concurrently(5, func(int) error {
			_, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: token, Password: "correct horse", Name: "Racer"})
			return err
		})
		if got := codes(t, errs); got[""] != 1 || got[invites.InviteNotPending] != 4 {
			t.Errorf("outcomes = %v, want 1 success and 4 INVITE_NOT_PENDING", got)
		}
		if n := count(t, "users", "email = ?", email); n != 1 {
			t.Errorf("accounts = %d, want 1", n)
		}
		if n := count(t, "project_members", "project_id = ?", p.ID); n != 2 {
			t.Errorf("members = %d, want the owner and the invitee", n)
		}
	})

	// Claims that span projects lock them in one order: people invited to the same projects
	// who sign up at once, through links to different projects, all get in.
	t.Run("SignUpSharedProjects", func(t *testing.T) {
		for round := range 5 {
			projects := []uuid.UUID{mustProject(t, s, owner.ID, "Course").ID, mustProject(t, s, owner.ID, "Lab").ID}
			var emails, tokens []string
			for i := range 4 {
				email := uniqueEmail("student")
				mustInvite(t, s, owner.ID, email, &projects[(i+1)%2], invites.RoleContributor, "")
				mustInvite(t, s, owner.ID, email, &projects[i%2], invites.RoleContributor, "")
				emails, tokens = append(emails, email), append(tokens, inviteToken(t, email))
			}
			errs := concurrently(len(tokens), func(i int) error {
				_, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: tokens[i], Password: "correct horse", Name: "Student"})
				return err
			})
			if got := codes(t, errs); got[""] != len(tokens) {
				t.Errorf("round %d: outcomes = %v, want all successes", round, got)
			}
			for _, p := range projects {
				if n := count(t, "project_members", "project_id = ? AND role = 'CONTRIBUTOR'", p); n != len(tokens) {
					t.Errorf("round %d: contributors = %d, want %d", round, n, len(tokens))
				}
			}
		}
	})

	t.Run("AcceptTwoLinksOneUser", func(t *testing.T) {
		for round := range 5 {
			email := uniqueEmail("invitee")
			user := mustSignUp(t, s, email).User // unverified: either link claims both invites
			var projects []uuid.UUID
			var tokens []string
			for range 2 {
				p := mustProject(t, s, owner.ID, "Race Links")
				mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
				projects, tokens = append(projects, p.ID), append(tokens, inviteToken(t, email))
			}
			errs := concurrently(2, func(i int) error {
				u := *user
				_, err := s.AcceptInvite(ctx, &u, invites.InviteRef{Token: tokens[i]})
				return err
			})
			if got := codes(t, errs); got[""] != 1 || got[invites.InviteNotPending] != 1 {
				t.Errorf("round %d: outcomes = %v, want 1 success and 1 INVITE_NOT_PENDING", round, got)
			}
			for _, p := range projects {
				if n := count(t, "project_members", "project_id = ? AND user_id = ?", p, user.ID); n != 1 {
					t.Errorf("round %d: memberships = %d, want 1", round, n)
				}
			}
		}
	})

	t.Run("VerifyEmailAndAccept", func(t *testing.T) {
		for round := range 5 {
			email := uniqueEmail("invitee")
			user := mustSignUp(t, s, email).User
			verifyToken := linkToken(t, email, "verify-email")
			p := mustProject(t, s, owner.ID, "Race Verify")
			mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
			token := inviteToken(t, email)
			errs := concurrently(2, func(i int) error {
				if i == 0 {
					_, err := s.VerifyEmail(ctx, verifyToken)
					return err
				}
				u := *user
				_, err := s.AcceptInvite(ctx, &u, invites.InviteRef{Token: token})
				return err
			})
			if errs[0] != nil {
				t.Errorf("round %d: VerifyEmail: %v", round, errs[0])
			}
			if err := errs[1]; err != nil && invites.ErrorCode(err) != invites.InviteNotPending {
				t.Errorf("round %d: AcceptInvite: %v, want success or INVITE_NOT_PENDING", round, err)
			}
			if n := count(t, "project_members", "project_id = ? AND user_id = ?", p.ID, user.ID); n != 1 {
				t.Errorf("round %d: memberships = %d, want 1", round, n)
			}
			if n := len(welcomes(t, email)); n != 1 {
				t.Errorf("round %d: welcomes = %d, want 1", round, n)
			}
		}
	})
}
