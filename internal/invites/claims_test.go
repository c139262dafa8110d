package invites_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// wantMember fails unless user is a member of the project with role and external ID ("" for
// none).
func wantMember(t *testing.T, projectID, userID uuid.UUID, role invites.Role, externalID string) {
	t.Helper()
	m := memberRow(t, projectID, userID)
	if m == nil {
		t.Fatalf("user %s is not a member of project %s", userID, projectID)
	}
	got := ""
	if m.ExternalID != nil {
		got = *m.ExternalID
	}
	if m.Role != role || got != externalID {
		t.Errorf("membership = %s %q, want %s %q", m.Role, got, role, externalID)
	}
}

func wantStatus(t *testing.T, inviteID uuid.UUID, want invites.InviteStatus) *invites.Invite {
	t.Helper()
	inv := inviteRow(t, inviteID)
	if inv.Status != want {
		t.Errorf("invite status = %s, want %s", inv.Status, want)
	}
	return inv
}

func TestService_SignUpWithInvite(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Claims")
	q := mustProject(t, s, owner.ID, "Claims Too")

	t.Run("OK", func(t *testing.T) {
		email := uniqueEmail("invitee")
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleAdmin, "EXT-1")
		token := inviteToken(t, email)
		other := mustInvite(t, s, owner.ID, email, &q.ID, invites.RolePending, "EXT-Q")
		service := mustInvite(t, s, mustVerifiedUser(t, s, uniqueEmail("friend")).ID, email, nil, "", "")
		clk.Advance(time.Minute)

		sess, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: token, Password: "correct horse", Name: "Ivy"})
		if err != nil {
			t.Fatal(err)
		}
		u := sess.User
		if u.Email != email || !u.EmailVerified() {
			t.Errorf("user = %s verified %v, want %s verified", u.Email, u.EmailVerified(), email)
		}
		if _, err := s.Authenticate(ctx, sess.Token); err != nil {
			t.Errorf("session: %v", err)
		}
		wantMember(t, p.ID, u.ID, invites.RoleAdmin, "EXT-1")
		got := wantStatus(t, inv.ID, invites.StatusAccepted)
		if got.InviteeID == nil || *got.InviteeID != u.ID || got.ClaimedAt == nil || !got.ClaimedAt.Equal(clk.Now().Truncate(time.Microsecond)) {
			t.Errorf("accepted invite: invitee %v, claimed at %v", got.InviteeID, got.ClaimedAt)
		}
		// Every other pending invite to the email is claimed too.
		wantMember(t, q.ID, u.ID, invites.RolePending, "EXT-Q")
		wantStatus(t, other.ID, invites.StatusAccepted)
		wantStatus(t, service.ID, invites.StatusAccepted)
		for _, name := range []string{invites.EventClaimedUserInvite, invites.EventJoinedProject} {
			if n := count(t, "activity_events", "invite_id = ? AND name = ? AND actor_id = ?", inv.ID, name, u.ID); n != 1 {
				t.Errorf("%q events = %d, want 1", name, n)
			}
		}
		// No verification email: the email counts as verified. A welcome for each project
		// joined (welcome_test.go).
		if n := count(t, "emails", "recipient = ? AND kind NOT IN ('invite', 'welcome')", email); n != 0 {
			t.Errorf("%d other emails to an invitee who signed up with the token", n)
		}
	})

	t.Run("EmailInOtherCase", func(t *testing.T) {
		email := uniqueEmail("invitee")
		mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
		sess, err := s.SignUp(ctx, invites.SignUpInput{Email: " " + strings.ToUpper(email), InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Ivy"})
		if err != nil {
			t.Fatal(err)
		}
		if sess.User.Email != email {
			t.Errorf("email = %q, want %q", sess.User.Email, email)
		}
		wantMember(t, p.ID, sess.User.ID, invites.RoleContributor, "")
	})

	t.Run("ErrEmailMismatch", func(t *testing.T) {
		email, other := uniqueEmail("invitee"), uniqueEmail("other")
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
		_, err := s.SignUp(ctx, invites.SignUpInput{Email: other, InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Ivy"})
		wantCode(t, err, invites.EmailMismatch)
		if n := count(t, "users", "email IN (?, ?)", email, other); n != 0 {
			t.Errorf("%d accounts made", n)
		}
		wantStatus(t, inv.ID, invites.StatusPending)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: "no-such-token", Password: "correct horse", Name: "Ivy"})
		wantCode(t, err, invites.NotFound)
	})

	// Last: it moves the clock.
	t.Run("ErrInviteExpired", func(t *testing.T) {
		email := uniqueEmail("late")
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
		clk.Advance(week)
		_, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Ivy"})
		wantCode(t, err, invites.InviteExpired)
		if n := count(t, "users", "email = ?", email); n != 0 {
			t.Error("an expired invite's sign-up made an account")
		}
		if n := count(t, "project_members", "project_id = ? AND user_id IN (SELECT id FROM users WHERE email = ?)", p.ID, email); n != 0 {
			t.Error("an expired invite made a membership")
		}
		if got := inviteRow(t, inv.ID); got.InviteeID != nil || got.ClaimedAt != nil {
			t.Errorf("expired invite was claimed: %+v", got)
		}
	})
}

func TestService_VerifyEmailClaims(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Verified")

	email := uniqueEmail("invitee")
	inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "V-1")
	token := inviteToken(t, email)
	u := mustSignUp(t, s, email).User // without the token
	if u.EmailVerified() {
		t.Fatal("verified at sign-up without a token")
	}
	if memberRow(t, p.ID, u.ID) != nil {
		t.Fatal("a member before verifying the email")
	}
	if list, err := s.MyInvites(ctx, u, invites.StatusPending); err != nil || len(list) != 0 {
		t.Fatalf("MyInvites of an unverified user = %s, %v; want none", describeInvites(list), err)
	}
	wantStatus(t, inv.ID, invites.StatusPending)

	verified, err := s.VerifyEmail(ctx, linkToken(t, email, "verify-email"))
	if err != nil {
		t.Fatal(err)
	}
	if !verified.EmailVerified() {
		t.Error("email not verified")
	}
	wantMember(t, p.ID, u.ID, invites.RoleContributor, "V-1")
	if got := wantStatus(t, inv.ID, invites.StatusAccepted); got.InviteeID == nil || *got.InviteeID != u.ID {
		t.Errorf("invitee = %v, want %s", got.InviteeID, u.ID)
	}
	if prev, err := s.Invitation(ctx, token); err != nil || prev.Status != invites.StatusAccepted {
		t.Errorf("preview = %+v, %v; want ACCEPTED", prev, err)
	}
	list, err := s.MyInvites(ctx, verified, invites.StatusAccepted)
	if err != nil || len(list) != 1 || list[0].ID != inv.ID {
		t.Errorf("accepted MyInvites = %s, %v; want the invite", describeInvites(list), err)
	}
}

func TestService_AcceptInvite(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Accepting")

	t.Run("ByToken", func(t *testing.T) {
		email := uniqueEmail("invitee")
		u := mustSignUp(t, s, email).User // unverified
		q := mustProject(t, s, owner.ID, "Another")
		other := mustInvite(t, s, owner.ID, email, &q.ID, invites.RolePending, "")
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "A-1")
		token := linkTokenOf(t, inv, email, 2)

		stranger := mustVerifiedUser(t, s, uniqueEmail("stranger"))
		_, err := s.AcceptInvite(ctx, stranger, invites.InviteRef{Token: token})
		wantCode(t, err, invites.EmailMismatch)
		wantStatus(t, inv.ID, invites.StatusPending)

		res, err := s.AcceptInvite(ctx, u, invites.InviteRef{Token: token})
		if err != nil {
			t.Fatal(err)
		}
		if res.Invite.Status != invites.StatusAccepted || res.Membership == nil || res.Membership.Role != invites.RoleContributor || *res.Membership.ExternalID != "A-1" {
			t.Errorf("result = %+v, %+v", res.Invite, res.Membership)
		}
		wantMember(t, p.ID, u.ID, invites.RoleContributor, "A-1")
		if got := mustUser(t, s, u.ID); !got.EmailVerified() {
			t.Error("accepting by token did not verify the email")
		}
		// Proven by the link, the email gets its other invites as by verifyEmail.
		wantStatus(t, other.ID, invites.StatusAccepted)
		wantMember(t, q.ID, u.ID, invites.RolePending, "")
	})

	t.Run("ByID", func(t *testing.T) {
		email := uniqueEmail("invitee")
		u := mustVerifiedUser(t, s, email)
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleAdmin, "")
		list, err := s.MyInvites(ctx, u, invites.StatusPending)
		if err != nil || len(list) != 1 || list[0].ID != inv.ID {
			t.Fatalf("MyInvites = %s, %v; want the invite", describeInvites(list), err)
		}
		if memberRow(t, p.ID, u.ID) != nil {
			t.Fatal("an existing account was added without accepting")
		}
		res, err := s.AcceptInvite(ctx, u, invites.InviteRef{InviteID: inv.ID.String()})
		if err != nil {
			t.Fatal(err)
		}
		if res.Membership == nil || res.Membership.Role != invites.RoleAdmin {
			t.Errorf("membership = %+v, want ADMIN", res.Membership)
		}
		wantMember(t, p.ID, u.ID, invites.RoleAdmin, "")
	})

	t.Run("ServiceInvite", func(t *testing.T) {
		email := uniqueEmail("newcomer")
		inv := mustInvite(t, s, owner.ID, email, nil, "", "")
		token := inviteToken(t, email)
		u := mustSignUp(t, s, email).User
		res, err := s.AcceptInvite(ctx, u, invites.InviteRef{Token: token})
		if err != nil {
			t.Fatal(err)
		}
		if res.Membership != nil || res.Invite.Status != invites.StatusAccepted {
			t.Errorf("result = %+v, %+v; want accepted, no membership", res.Invite, res.Membership)
		}
		wantStatus(t, inv.ID, invites.StatusAccepted)
	})

	t.Run("AlreadyMember", func(t *testing.T) {
		email := uniqueEmail("invitee")
		u := mustVerifiedUser(t, s, email)
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleAdmin, "AM-1")
		// A membership that came about meanwhile (no API path makes one while an invite is
		// pending, so it is written directly).
		now := time.Now()
		existing := &invites.Member{ID: uuid.New(), ProjectID: p.ID, UserID: u.ID, Role: invites.RolePending, ExternalID: ptr("OLD"), CreatedAt: now, UpdatedAt: now}
		if _, err := pgDB(t).NewInsert().Model(existing).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := s.AcceptInvite(ctx, u, invites.InviteRef{InviteID: inv.ID.String()})
		if err != nil {
			t.Fatal(err)
		}
		if res.Membership == nil || res.Membership.ID != existing.ID || res.Membership.Role != invites.RolePending {
			t.Errorf("membership = %+v, want the existing one", res.Membership)
		}
		wantMember(t, p.ID, u.ID, invites.RolePending, "OLD")
		if n := count(t, "project_members", "project_id = ? AND user_id = ?", p.ID, u.ID); n != 1 {
			t.Errorf("memberships = %d, want 1", n)
		}
		wantStatus(t, inv.ID, invites.StatusAccepted)
		if n := count(t, "activity_events", "invite_id = ? AND name = ?", inv.ID, invites.EventJoinedProject); n != 0 {
			t.Errorf("%q recorded for a member already", invites.EventJoinedProject)
		}
	})

	t.Run("ErrEmailNotVerified", func(t *testing.T) {
		email := uniqueEmail("invitee")
		u := mustSignUp(t, s, email).User
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
		_, err := s.AcceptInvite(ctx, u, invites.InviteRef{InviteID: inv.ID.String()})
		wantCode(t, err, invites.EmailNotVerified)
		wantStatus(t, inv.ID, invites.StatusPending)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		inv := mustInvite(t, s, owner.ID, uniqueEmail("invitee"), &p.ID, invites.RoleContributor, "")
		someone := mustVerifiedUser(t, s, uniqueEmail("someone"))
		_, err := s.AcceptInvite(ctx, someone, invites.InviteRef{InviteID: inv.ID.String()})
		wantCode(t, err, invites.NotFound)
		_, err = s.AcceptInvite(ctx, someone, invites.InviteRef{InviteID: uuid.New().String()})
		wantCode(t, err, invites.NotFound)
		_, err = s.AcceptInvite(ctx, someone, invites.InviteRef{InviteID: "not-an-id"})
		wantCode(t, err, invites.NotFound)
		_, err = s.AcceptInvite(ctx, someone, invites.InviteRef{Token: "no-such-token"})
		wantCode(t, err, invites.NotFound)
		wantStatus(t, inv.ID, invites.StatusPending)
	})

	t.Run("ErrBadUserInput", func(t *testing.T) {
		email := uniqueEmail("invitee")
		u := mustVerifiedUser(t, s, email)
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
		_, err := s.AcceptInvite(ctx, u, invites.InviteRef{Token: inviteToken(t, email), InviteID: inv.ID.String()})
		wantCode(t, err, invites.BadUserInput)
		_, err = s.AcceptInvite(ctx, u, invites.InviteRef{})
		wantCode(t, err, invites.BadUserInput)
		wantStatus(t, inv.ID, invites.StatusPending)
	})

	t.Run("ErrInviteNotPending", func(t *testing.T) {
		for _, end := range []string{"accepted", "declined", "revoked"} {
			t.Run(end, func(t *testing.T) {
				email := uniqueEmail("invitee")
				u := mustVerifiedUser(t, s, email)
				inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
				var err error
				switch end {
				case "accepted":
					_, err = s.AcceptInvite(ctx, u, invites.InviteRef{InviteID: inv.ID.String()})
				case "declined":
					_, err = s.DeclineInvite(ctx, u, invites.InviteRef{InviteID: inv.ID.String()})
				case "revoked":
					_, err = s.RevokeInvite(ctx, owner.ID, inv.ID)
				}
				if err != nil {
					t.Fatal(err)
				}
				_, err = s.AcceptInvite(ctx, u, invites.InviteRef{InviteID: inv.ID.String()})
				wantCode(t, err, invites.InviteNotPending)
				_, err = s.AcceptInvite(ctx, u, invites.InviteRef{Token: inviteToken(t, email)})
				wantCode(t, err, invites.InviteNotPending)
				if n := count(t, "project_members", "project_id = ? AND user_id = ?", p.ID, u.ID); (n == 1) != (end == "accepted") {
					t.Errorf("memberships = %d after the invite was %s", n, end)
				}
			})
		}
	})
}

// linkTokenOf returns the token of the invite link emailed to email, checking that it names
// inv and that n emails went to the address.
func linkTokenOf(t *testing.T, inv *invites.Invite, email string, n int) string {
	t.Helper()
	if got := count(t, "emails", "recipient = ? AND kind = 'invite'", email); got != n {
		t.Fatalf("invite emails to %s = %d, want %d", email, got, n)
	}
	token := inviteToken(t, email)
	if got := count(t, "invites", "id = ? AND token_hash = sha256(convert_to(?, 'UTF8'))", inv.ID, token); got != 1 {
		t.Fatalf("the newest invite link to %s does not name invite %s", email, inv.ID)
	}
	return token
}

// TestService_ClaimRechecksInviter checks that a claim of an invite whose inviter may no
// longer send it revokes the invite and refuses the claim, on every path that claims.
func TestService_ClaimRechecksInviter(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)

	// setUp makes an ADMIN invite email as CONTRIBUTOR and then demotes or removes that ADMIN,
	// through the service or otherwise.
	setUp := func(t *testing.T, email, change string) (*invites.Project, *invites.Invite, string) {
		t.Helper()
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Recheck")
		admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		inv := mustInvite(t, s, admin.ID, email, &p.ID, invites.RoleContributor, "RC-1")
		token := inviteToken(t, email)
		var err error
		switch change {
		case "demoted":
			_, err = s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: admin.ID, Role: ptr(invites.RoleContributor)})
		case "removed":
			err = s.RemoveMember(ctx, owner.ID, p.ID, admin.ID)
		// Changed otherwise than by the service, which revokes the orphans in that call (as
		// were the invites of admins demoted or removed before that rule): the claim's own
		// check is what revokes the invite then.
		case "demotedOtherwise":
			_, err = pgDB(t).NewUpdate().TableExpr("project_members").Set("role = 'CONTRIBUTOR'").Where("project_id = ? AND user_id = ?", p.ID, admin.ID).Exec(ctx)
		case "removedOtherwise":
			_, err = pgDB(t).NewDelete().TableExpr("project_members").Where("project_id = ? AND user_id = ?", p.ID, admin.ID).Exec(ctx)
		}
		if strings.HasSuffix(change, "Otherwise") {
			wantStatus(t, inv.ID, invites.StatusPending)
		}
		if err != nil {
			t.Fatal(err)
		}
		return p, inv, token
	}
	wantRevoked := func(t *testing.T, p *invites.Project, inv *invites.Invite) {
		t.Helper()
		if n := count(t, "project_members", "project_id = ? AND user_id IN (SELECT id FROM users WHERE email = ?)", p.ID, inv.Email); n != 0 {
			t.Errorf("%d memberships made by a revoked invite", n)
		}
		got := wantStatus(t, inv.ID, invites.StatusRevoked)
		if got.ExternalID != nil || got.InviteeID != nil {
			t.Errorf("revoked invite holds %v, invitee %v", got.ExternalID, got.InviteeID)
		}
		if n := count(t, "activity_events", "invite_id = ? AND name = ?", inv.ID, invites.EventRevokedUserInvite); n != 1 {
			t.Errorf("%q events = %d, want 1", invites.EventRevokedUserInvite, n)
		}
	}

	for _, change := range []string{"demoted", "removed", "demotedOtherwise", "removedOtherwise"} {
		t.Run(change, func(t *testing.T) {
			t.Run("SignUp", func(t *testing.T) {
				email := uniqueEmail("invitee")
				p, inv, token := setUp(t, email, change)
				_, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: token, Password: "correct horse", Name: "Ivy"})
				wantCode(t, err, invites.InviteNotPending)
				if n := count(t, "users", "email = ?", email); n != 0 {
					t.Error("a refused claim made an account")
				}
				wantRevoked(t, p, inv)
				_, err = s.SignUp(ctx, invites.SignUpInput{InviteToken: token, Password: "correct horse", Name: "Ivy"})
				wantCode(t, err, invites.InviteNotPending)
			})

			t.Run("AcceptByToken", func(t *testing.T) {
				email := uniqueEmail("invitee")
				u := mustSignUp(t, s, email).User
				p, inv, token := setUp(t, email, change)
				_, err := s.AcceptInvite(ctx, u, invites.InviteRef{Token: token})
				wantCode(t, err, invites.InviteNotPending)
				wantRevoked(t, p, inv)
			})

			t.Run("AcceptByID", func(t *testing.T) {
				email := uniqueEmail("invitee")
				u := mustVerifiedUser(t, s, email)
				p, inv, _ := setUp(t, email, change)
				_, err := s.AcceptInvite(ctx, u, invites.InviteRef{InviteID: inv.ID.String()})
				wantCode(t, err, invites.InviteNotPending)
				wantRevoked(t, p, inv)
			})

			t.Run("VerifyEmail", func(t *testing.T) {
				email := uniqueEmail("invitee")
				p, inv, _ := setUp(t, email, change)
				u := mustVerifiedUser(t, s, email)
				if !u.EmailVerified() {
					t.Error("email not verified")
				}
				wantRevoked(t, p, inv)
			})
		})
	}

	// An inviter who keeps enough authority keeps the invite good.
	t.Run("OK", func(t *testing.T) {
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Recheck")
		admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		email := uniqueEmail("invitee")
		mustInvite(t, s, admin.ID, email, &p.ID, invites.RolePending, "")
		if _, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: admin.ID, ExternalID: ptr("ADM")}); err != nil {
			t.Fatal(err)
		}
		u := mustSignUpWithToken(t, s, email).User
		wantMember(t, p.ID, u.ID, invites.RolePending, "")
	})
}

func TestService_DeclineInvite(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Declines")

	t.Run("ByToken", func(t *testing.T) {
		email := uniqueEmail("invitee")
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "D-1")
		token := inviteToken(t, email)
		got, err := s.DeclineInvite(ctx, nil, invites.InviteRef{Token: token})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != invites.StatusDeclined || got.ExternalID != nil {
			t.Errorf("declined invite = %s holding %v", got.Status, got.ExternalID)
		}
		if row := wantStatus(t, inv.ID, invites.StatusDeclined); row.ExternalID != nil || row.EndedAt == nil {
			t.Errorf("stored invite holds %v, ended %v", row.ExternalID, row.EndedAt)
		}
		if n := count(t, "activity_events", "invite_id = ? AND name = ? AND actor_id IS NULL", inv.ID, invites.EventDeclinedUserInvite); n != 1 {
			t.Errorf("%q events = %d, want 1", invites.EventDeclinedUserInvite, n)
		}
		_, err = s.DeclineInvite(ctx, nil, invites.InviteRef{Token: token})
		wantCode(t, err, invites.InviteNotPending)
		_, err = s.SignUp(ctx, invites.SignUpInput{InviteToken: token, Password: "correct horse", Name: "Ivy"})
		wantCode(t, err, invites.InviteNotPending)
		// Its external ID and email are free again.
		mustInvite(t, s, owner.ID, uniqueEmail("next"), &p.ID, invites.RolePending, "D-1")
		mustInvite(t, s, owner.ID, email, &p.ID, invites.RolePending, "")
	})

	t.Run("ByID", func(t *testing.T) {
		email := uniqueEmail("invitee")
		u := mustVerifiedUser(t, s, email)
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "D-2")
		got, err := s.DeclineInvite(ctx, u, invites.InviteRef{InviteID: inv.ID.String()})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != invites.StatusDeclined {
			t.Errorf("status = %s, want DECLINED", got.Status)
		}
		if n := count(t, "activity_events", "invite_id = ? AND name = ? AND actor_id = ?", inv.ID, invites.EventDeclinedUserInvite, u.ID); n != 1 {
			t.Errorf("%q events by the invitee = %d, want 1", invites.EventDeclinedUserInvite, n)
		}
		if memberRow(t, p.ID, u.ID) != nil {
			t.Error("declining made a membership")
		}
		_, err = s.DeclineInvite(ctx, u, invites.InviteRef{InviteID: inv.ID.String()})
		wantCode(t, err, invites.InviteNotPending)
		mustInvite(t, s, owner.ID, uniqueEmail("next"), &p.ID, invites.RolePending, "D-2")
	})

	t.Run("Errors", func(t *testing.T) {
		email := uniqueEmail("invitee")
		unverified := mustSignUp(t, s, email).User
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
		_, err := s.DeclineInvite(ctx, nil, invites.InviteRef{InviteID: inv.ID.String()})
		wantCode(t, err, invites.Unauthenticated)
		_, err = s.DeclineInvite(ctx, unverified, invites.InviteRef{InviteID: inv.ID.String()})
		wantCode(t, err, invites.EmailNotVerified)
		someone := mustVerifiedUser(t, s, uniqueEmail("someone"))
		_, err = s.DeclineInvite(ctx, someone, invites.InviteRef{InviteID: inv.ID.String()})
		wantCode(t, err, invites.NotFound)
		_, err = s.DeclineInvite(ctx, nil, invites.InviteRef{Token: "no-such-token"})
		wantCode(t, err, invites.NotFound)
		_, err = s.DeclineInvite(ctx, nil, invites.InviteRef{})
		wantCode(t, err, invites.BadUserInput)
		wantStatus(t, inv.ID, invites.StatusPending)
	})
}
