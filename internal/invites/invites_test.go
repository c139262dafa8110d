package invites_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
)

const week = 7 * 24 * time.Hour

func TestService_CreateInvite(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Apollo")

	t.Run("OK", func(t *testing.T) {
		email := uniqueEmail("invitee")
		inv, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{
			Email: "  " + strings.ToUpper(email) + " ", ProjectID: &p.ID, Role: ptr(invites.RoleContributor), ExternalID: ptr(" S-1 "),
		})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Email != email || inv.ProjectID != p.ID || *inv.Role != invites.RoleContributor || inv.InviterID != owner.ID {
			t.Errorf("invite = %+v", inv)
		}
		if inv.ExternalID == nil || *inv.ExternalID != "S-1" {
			t.Errorf("external ID = %v, want S-1 trimmed", inv.ExternalID)
		}
		if inv.Status != invites.StatusPending || inv.DeliveryStatus != mail.StatusQueued {
			t.Errorf("status %s, delivery %s; want PENDING, QUEUED", inv.Status, inv.DeliveryStatus)
		}
		if want := clk.Now().Add(week); !inv.ExpiresAt.Equal(want.Truncate(time.Microsecond)) {
			t.Errorf("expires at %v, want %v", inv.ExpiresAt, want)
		}

		// The email is in the outbox with the link, and only the token's hash is stored.
		if n := count(t, "emails", "recipient = ? AND status = 'QUEUED'", email); n != 1 {
			t.Errorf("queued emails = %d, want 1", n)
		}
		token := inviteToken(t, email)
		if len(token) != 43 {
			t.Errorf("token %q: want 32 bytes in unpadded base64url", token)
		}
		if n := count(t, "invites", "encode(token_hash, 'escape') LIKE ?", "%"+token+"%"); n != 0 {
			t.Error("the invite token is stored in the clear")
		}
		if n := count(t, "invites", "id = ? AND token_hash = sha256(convert_to(?, 'UTF8'))", inv.ID, token); n != 1 {
			t.Error("the stored token hash is not the SHA-256 of the link's token")
		}

		page, err := s.ProjectInvites(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.InviteFilter{}, invites.PageArgs{First: new(10)})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Items[0].ID != inv.ID || page.Items[0].DeliveryStatus != mail.StatusQueued {
			t.Errorf("project invites = %s, want the invite, QUEUED", describeInvites(page.Items))
		}

		events, err := s.Activity(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.PageArgs{First: new(10)})
		if err != nil {
			t.Fatal(err)
		}
		names := eventNames(events.Items)
		for _, want := range []string{invites.EventCreatedUserInvite, invites.EventUserInvited, invites.EventInvitedToProject, invites.EventInvitedToProjectInvitee} {
			if !slices.Contains(names, want) {
				t.Errorf("activity %v lacks %q", names, want)
			}
		}
		for _, e := range events.Items {
			if e.InviteID == nil || *e.InviteID != inv.ID {
				t.Errorf("event %q names invite %v, want %s", e.Name, e.InviteID, inv.ID)
			}
		}
	})

	t.Run("ServiceInvite", func(t *testing.T) {
		someone := mustVerifiedUser(t, s, uniqueEmail("someone"))
		email := uniqueEmail("newcomer")
		inv, err := s.CreateInvite(ctx, someone.ID, invites.CreateInviteInput{Email: email})
		if err != nil {
			t.Fatal(err)
		}
		if !inv.ForService() || inv.Role != nil || inv.Status != invites.StatusPending {
			t.Errorf("invite = %+v, want a pending invite to the service", inv)
		}
		inviteToken(t, email)
		for _, name := range []string{invites.EventCreatedUserInvite, invites.EventUserInvited} {
			if n := count(t, "activity_events", "invite_id = ? AND name = ? AND project_id = ?", inv.ID, name, invites.ServiceProjectID); n != 1 {
				t.Errorf("%q events = %d, want 1", name, n)
			}
		}
		if n := count(t, "activity_events", "invite_id = ?", inv.ID); n != 2 {
			t.Errorf("events = %d, want 2", n)
		}

		t.Run("ErrAlreadyInvited", func(t *testing.T) {
			_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: strings.ToUpper(email)})
			wantCode(t, err, invites.AlreadyInvited)
			if n := count(t, "invites", "email = ?", email); n != 1 {
				t.Errorf("invites = %d, want 1", n)
			}
		})

		t.Run("ErrEmailTaken", func(t *testing.T) {
			existing := uniqueEmail("existing")
			mustSignUp(t, s, existing)
			for _, e := range []string{existing, strings.ToUpper(existing)} {
				_, err := s.CreateInvite(ctx, someone.ID, invites.CreateInviteInput{Email: e})
				wantCode(t, err, invites.EmailTaken)
			}
			if n := count(t, "invites", "email = ?", existing); n != 0 {
				t.Errorf("invites = %d, want 0", n)
			}
		})
	})

	t.Run("ErrBadUserInput", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			in   invites.CreateInviteInput
		}{
			{"BadEmail", invites.CreateInviteInput{Email: "not an email", ProjectID: &p.ID, Role: ptr(invites.RolePending)}},
			{"NoEmail", invites.CreateInviteInput{Email: " ", ProjectID: &p.ID, Role: ptr(invites.RolePending)}},
			{"RoleWithoutProject", invites.CreateInviteInput{Email: uniqueEmail("x"), Role: ptr(invites.RolePending)}},
			{"ProjectWithoutRole", invites.CreateInviteInput{Email: uniqueEmail("x"), ProjectID: &p.ID}},
			{"ExternalIDWithoutProject", invites.CreateInviteInput{Email: uniqueEmail("x"), ExternalID: ptr("S-9")}},
			{"UnknownRole", invites.CreateInviteInput{Email: uniqueEmail("x"), ProjectID: &p.ID, Role: ptr(invites.Role("admin"))}},
			{"ExternalIDTooLong", invites.CreateInviteInput{Email: uniqueEmail("x"), ProjectID: &p.ID, Role: ptr(invites.RolePending), ExternalID: ptr(strings.Repeat("é", 65))}},
			{"ExternalIDControl", invites.CreateInviteInput{Email: uniqueEmail("x"), ProjectID: &p.ID, Role: ptr(invites.RolePending), ExternalID: ptr("S\t1")}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := projectState(t, p.ID)
				_, err := s.CreateInvite(ctx, owner.ID, tc.in)
				wantCode(t, err, invites.BadUserInput)
				if after := projectState(t, p.ID); after != before {
					t.Errorf("refused invite wrote:\n before %s\n after  %s", before, after)
				}
			})
		}
		// 64 characters is allowed.
		mustInvite(t, s, owner.ID, uniqueEmail("x"), &p.ID, invites.RolePending, strings.Repeat("é", 64))
	})

	t.Run("ErrAlreadyMember", func(t *testing.T) {
		m := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
		_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: strings.ToUpper(m.Email), ProjectID: &p.ID, Role: ptr(invites.RolePending)})
		wantCode(t, err, invites.AlreadyMember)
	})

	t.Run("ErrAlreadyInvited", func(t *testing.T) {
		email := uniqueEmail("twice")
		mustInvite(t, s, owner.ID, email, &p.ID, invites.RolePending, "")
		before := projectState(t, p.ID)
		_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: strings.ToUpper(email), ProjectID: &p.ID, Role: ptr(invites.RoleAdmin)})
		wantCode(t, err, invites.AlreadyInvited)
		if after := projectState(t, p.ID); after != before {
			t.Errorf("refused invite wrote:\n before %s\n after  %s", before, after)
		}
		// The same email may be invited to another project.
		other := mustProject(t, s, owner.ID, "Other")
		mustInvite(t, s, owner.ID, email, &other.ID, invites.RolePending, "")
	})

	t.Run("ErrExternalIDTaken", func(t *testing.T) {
		m := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
		if _, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: m.ID, ExternalID: ptr("MEMBER-1")}); err != nil {
			t.Fatal(err)
		}
		mustInvite(t, s, owner.ID, uniqueEmail("holder"), &p.ID, invites.RolePending, "INVITE-1")
		for _, id := range []string{"MEMBER-1", " INVITE-1 "} {
			before := projectState(t, p.ID)
			_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("x"), ProjectID: &p.ID, Role: ptr(invites.RolePending), ExternalID: &id})
			wantCode(t, err, invites.ExternalIDTaken)
			if after := projectState(t, p.ID); after != before {
				t.Errorf("refused invite wrote:\n before %s\n after  %s", before, after)
			}
		}
		// External IDs are per project.
		other := mustProject(t, s, owner.ID, "Other")
		mustInvite(t, s, owner.ID, uniqueEmail("x"), &other.ID, invites.RolePending, "MEMBER-1")
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("x"), ProjectID: ptr(uuid.New()), Role: ptr(invites.RolePending)})
		wantCode(t, err, invites.NotFound)
	})

	// Last: it moves the clock.
	t.Run("ExpiredBlocksNothing", func(t *testing.T) {
		email := uniqueEmail("late")
		old := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "EXP-1")
		clk.Advance(week)
		// Before anything writes, it reads as EXPIRED, holding no external ID.
		expired, err := s.ProjectInvites(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.InviteFilter{Status: ptr(invites.StatusExpired)}, invites.PageArgs{First: new(100)})
		if err != nil {
			t.Fatal(err)
		}
		if len(expired.Items) == 0 || expired.Items[0].ID != old.ID || expired.Items[0].Status != invites.StatusExpired || expired.Items[0].ExternalID != nil {
			t.Errorf("expired invites = %s, want %s first, EXPIRED, holding nothing", describeInvites(expired.Items), old.ID)
		}
		pending, err := s.ProjectInvites(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.InviteFilter{Status: ptr(invites.StatusPending)}, invites.PageArgs{First: new(100)})
		if err != nil {
			t.Fatal(err)
		}
		if pending.TotalCount != 0 {
			t.Errorf("%d invites still read as pending a week on", pending.TotalCount)
		}
		inv, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: ptr(invites.RolePending), ExternalID: ptr("EXP-1")})
		if err != nil {
			t.Fatalf("a new invite after the old one expired: %v", err)
		}
		if *inv.ExternalID != "EXP-1" {
			t.Errorf("external ID = %v, want EXP-1", inv.ExternalID)
		}
		if got := inviteRow(t, old.ID); got.Status != invites.StatusExpired || got.ExternalID != nil {
			t.Errorf("old invite = %s holding %v, want EXPIRED holding nothing", got.Status, got.ExternalID)
		}
	})
}

func TestService_Invitation(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner, err := s.SignUp(ctx, invites.SignUpInput{Email: uniqueEmail("owner"), Password: "correct horse", Name: "Olive Owner"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.VerifyEmail(ctx, linkToken(t, owner.User.Email, "verify-email")); err != nil {
		t.Fatal(err)
	}
	p := mustProject(t, s, owner.User.ID, "Voyager")

	t.Run("OK", func(t *testing.T) {
		email := uniqueEmail("invitee")
		inv := mustInvite(t, s, owner.User.ID, email, &p.ID, invites.RoleAdmin, "")
		token := inviteToken(t, email)
		got, err := s.Invitation(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != email || got.ProjectID == nil || *got.ProjectID != p.ID || got.ProjectName == nil || *got.ProjectName != "Voyager" || got.InviterName != "Olive Owner" ||
			*got.Role != invites.RoleAdmin || got.Status != invites.StatusPending || !got.ExpiresAt.Equal(inv.ExpiresAt) || got.AccountExists {
			t.Errorf("preview = %+v", got)
		}
		mustSignUp(t, s, email)
		if got, err := s.Invitation(ctx, token); err != nil || !got.AccountExists {
			t.Errorf("after sign-up: preview %+v, %v; want accountExists", got, err)
		}
	})

	t.Run("ServiceInvite", func(t *testing.T) {
		email := uniqueEmail("newcomer")
		mustInvite(t, s, owner.User.ID, email, nil, "", "")
		got, err := s.Invitation(ctx, inviteToken(t, email))
		if err != nil {
			t.Fatal(err)
		}
		if got.ProjectID != nil || got.ProjectName != nil || got.Role != nil || got.InviterName != "Olive Owner" {
			t.Errorf("preview = %+v, want no project", got)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.Invitation(ctx, "no-such-token")
		wantCode(t, err, invites.NotFound)
	})

	t.Run("Expired", func(t *testing.T) {
		email := uniqueEmail("late")
		mustInvite(t, s, owner.User.ID, email, &p.ID, invites.RolePending, "")
		token := inviteToken(t, email)
		clk.Advance(week - time.Second)
		if got, err := s.Invitation(ctx, token); err != nil || got.Status != invites.StatusPending {
			t.Fatalf("a second before expiry: %+v, %v; want PENDING", got, err)
		}
		clk.Advance(time.Second)
		if got, err := s.Invitation(ctx, token); err != nil || got.Status != invites.StatusExpired {
			t.Errorf("at expiry, before any sweep: %+v, %v; want EXPIRED", got, err)
		}
	})
}

func TestService_RevokeInvite(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Revocations")

	t.Run("OK", func(t *testing.T) {
		email := uniqueEmail("invitee")
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "REV-1")
		token := inviteToken(t, email)
		got, err := s.RevokeInvite(ctx, owner.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != invites.StatusRevoked || got.ExternalID != nil || got.EndedAt == nil {
			t.Errorf("revoked invite = %+v", got)
		}
		if n := count(t, "activity_events", "invite_id = ? AND name = ? AND actor_id = ?", inv.ID, invites.EventRevokedUserInvite, owner.ID); n != 1 {
			t.Errorf("%q events = %d, want 1", invites.EventRevokedUserInvite, n)
		}
		// Its link no longer claims it, and its external ID is free.
		_, err = s.SignUp(ctx, invites.SignUpInput{InviteToken: token, Password: "correct horse", Name: "Late"})
		wantCode(t, err, invites.InviteNotPending)
		if n := count(t, "users", "email = ?", email); n != 0 {
			t.Error("a refused sign-up made an account")
		}
		if prev, err := s.Invitation(ctx, token); err != nil || prev.Status != invites.StatusRevoked {
			t.Errorf("preview = %+v, %v; want REVOKED", prev, err)
		}
		mustInvite(t, s, owner.ID, uniqueEmail("next"), &p.ID, invites.RolePending, "REV-1")
		_, err = s.RevokeInvite(ctx, owner.ID, inv.ID)
		wantCode(t, err, invites.InviteNotPending)
	})

	t.Run("ServiceInvite", func(t *testing.T) {
		inviter := mustVerifiedUser(t, s, uniqueEmail("inviter"))
		other := mustSignUp(t, s, uniqueEmail("other")).User
		email := uniqueEmail("newcomer")
		inv := mustInvite(t, s, inviter.ID, email, nil, "", "")
		_, err := s.RevokeInvite(ctx, other.ID, inv.ID)
		wantCode(t, err, invites.NotFound)
		if got, err := s.RevokeInvite(ctx, inviter.ID, inv.ID); err != nil || got.Status != invites.StatusRevoked {
			t.Fatalf("revoke by the inviter: %+v, %v", got, err)
		}
		_, err = s.SignUp(ctx, invites.SignUpInput{InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Late"})
		wantCode(t, err, invites.InviteNotPending)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.RevokeInvite(ctx, owner.ID, uuid.New())
		wantCode(t, err, invites.NotFound)
	})
}

func TestService_ResendInvite(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		s, clk := newService(t, nil)
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Resends")
		email := uniqueEmail("invitee")
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "RES-1")
		oldToken := inviteToken(t, email)
		clk.Advance(time.Hour)
		got, err := s.ResendInvite(ctx, owner.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.ExpiresAt.After(inv.ExpiresAt) || got.Status != invites.StatusPending || got.DeliveryStatus != mail.StatusQueued {
			t.Errorf("resent invite = %+v; want a later expiry, PENDING, QUEUED", got)
		}
		if got.ExternalID == nil || *got.ExternalID != "RES-1" {
			t.Errorf("external ID = %v, want RES-1 kept", got.ExternalID)
		}
		if n := count(t, "emails", "recipient = ?", email); n != 2 {
			t.Errorf("emails = %d, want 2", n)
		}
		newToken := inviteToken(t, email)
		if newToken == oldToken {
			t.Fatal("resend kept the token")
		}
		_, err = s.Invitation(ctx, oldToken)
		wantCode(t, err, invites.NotFound)
		if prev, err := s.Invitation(ctx, newToken); err != nil || prev.Status != invites.StatusPending || !prev.ExpiresAt.Equal(got.ExpiresAt) {
			t.Errorf("new link's preview = %+v, %v", prev, err)
		}
		if n := count(t, "activity_events", "invite_id = ? AND name = ?", inv.ID, invites.EventResentUserInvite); n != 1 {
			t.Errorf("%q events = %d, want 1", invites.EventResentUserInvite, n)
		}
		_, err = s.SignUp(ctx, invites.SignUpInput{InviteToken: oldToken, Password: "correct horse", Name: "Old"})
		wantCode(t, err, invites.NotFound)
		u := mustSignUpWithToken(t, s, email).User
		if m := memberRow(t, p.ID, u.ID); m == nil || m.Role != invites.RoleContributor {
			t.Errorf("membership through the new link = %+v", m)
		}

		t.Run("ErrInviteNotPending", func(t *testing.T) {
			_, err := s.ResendInvite(ctx, owner.ID, inv.ID)
			wantCode(t, err, invites.InviteNotPending)
		})
	})

	t.Run("Expired", func(t *testing.T) {
		s, clk := newService(t, nil)
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Resends")
		email := uniqueEmail("invitee")
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RolePending, "")
		clk.Advance(week + time.Hour)
		_, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Late"})
		wantCode(t, err, invites.InviteExpired)
		got, err := s.ResendInvite(ctx, owner.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != invites.StatusPending || !got.ExpiresAt.Equal(clk.Now().Add(week).Truncate(time.Microsecond)) {
			t.Errorf("resent invite = %s until %v, want PENDING for a week", got.Status, got.ExpiresAt)
		}
		if row := inviteRow(t, inv.ID); row.Status != invites.StatusPending || row.EndedAt != nil {
			t.Errorf("stored invite = %s ended %v, want PENDING", row.Status, row.EndedAt)
		}
		mustSignUpWithToken(t, s, email)
	})

	t.Run("ResenderBecomesInviter", func(t *testing.T) {
		// An admin's invite outlives the admin's authority once another admin resends it:
		// the demotion, which revokes the invites the demoted admin sent, leaves it alone, and
		// the claim checks the one who vouched for it last.
		s, _ := newService(t, nil)
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Resends")
		first := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		second := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		email := uniqueEmail("invitee")
		inv := mustInvite(t, s, first.ID, email, &p.ID, invites.RoleContributor, "")
		got, err := s.ResendInvite(ctx, second.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: first.ID, Role: ptr(invites.RoleContributor)}); err != nil {
			t.Fatal(err)
		}
		if got.InviterID != second.ID || inviteRow(t, inv.ID).InviterID != second.ID {
			t.Errorf("inviter = %v, want the resender %v", got.InviterID, second.ID)
		}
		prev, err := s.Invitation(ctx, inviteToken(t, email))
		if err != nil || prev.InviterName != second.Name {
			t.Errorf("preview inviter = %+v, %v", prev, err)
		}
		u := mustSignUpWithToken(t, s, email).User
		if m := memberRow(t, p.ID, u.ID); m == nil || m.Role != invites.RoleContributor {
			t.Errorf("claim after a resend by a current admin: membership %+v", m)
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		s, _ := newService(t, nil)
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Resends")
		admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		inv := mustInvite(t, s, owner.ID, uniqueEmail("invitee"), &p.ID, invites.RoleAdmin, "")
		before := projectState(t, p.ID)
		_, err := s.ResendInvite(ctx, admin.ID, inv.ID)
		wantCode(t, err, invites.Forbidden)
		if after := projectState(t, p.ID); after != before {
			t.Errorf("refused resend wrote:\n before %s\n after  %s", before, after)
		}
	})
}

func TestService_Activity(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "History")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	contrib := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)

	t.Run("OK", func(t *testing.T) {
		var ids []uuid.UUID
		for i := range 3 {
			clk.Advance(time.Minute)
			inv := mustInvite(t, s, admin.ID, uniqueEmail("invitee"), &p.ID, invites.RolePending, "")
			ids = append(ids, inv.ID)
			if i == 1 {
				clk.Advance(time.Minute)
				if _, err := s.RevokeInvite(ctx, owner.ID, inv.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		page, err := s.Activity(ctx, admin.ID, &invites.Project{ID: p.ID}, invites.PageArgs{First: new(100)})
		if err != nil {
			t.Fatal(err)
		}
		if page.TotalCount != len(page.Items) || len(page.Items) < 13 {
			t.Fatalf("%d items, totalCount %d; want all, at least 13", len(page.Items), page.TotalCount)
		}
		for i := 1; i < len(page.Items); i++ {
			if page.Items[i].CreatedAt.After(page.Items[i-1].CreatedAt) {
				t.Fatalf("events not newest first: %v after %v", page.Items[i].CreatedAt, page.Items[i-1].CreatedAt)
			}
		}
		// Newest first: the third invite's four events, the revocation of the second, the
		// second's four, the first's four.
		wantInvite := []uuid.UUID{ids[2], ids[2], ids[2], ids[2], ids[1], ids[1], ids[1], ids[1], ids[1], ids[0], ids[0], ids[0], ids[0]}
		for i, want := range wantInvite {
			if e := page.Items[i]; e.InviteID == nil || *e.InviteID != want {
				t.Errorf("event %d (%q) is about invite %v, want %s", i, e.Name, e.InviteID, want)
			}
		}
		if page.Items[4].Name != invites.EventRevokedUserInvite {
			t.Errorf("fifth newest event = %q, want %q", page.Items[4].Name, invites.EventRevokedUserInvite)
		}

		// Paging walks the same list.
		var walked []uuid.UUID
		args := invites.PageArgs{First: new(3)}
		for {
			pg, err := s.Activity(ctx, owner.ID, &invites.Project{ID: p.ID}, args)
			if err != nil {
				t.Fatal(err)
			}
			if pg.TotalCount != page.TotalCount || len(pg.Items) > 3 {
				t.Fatalf("page of %d items, total %d", len(pg.Items), pg.TotalCount)
			}
			for _, e := range pg.Items {
				walked = append(walked, e.ID)
			}
			if !pg.HasNextPage {
				break
			}
			args.After = pg.Cursors[len(pg.Cursors)-1]
		}
		var all []uuid.UUID
		for _, e := range page.Items {
			all = append(all, e.ID)
		}
		if !slices.Equal(walked, all) {
			t.Errorf("paging walked %d events, want the %d of one page in order", len(walked), len(all))
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := s.Activity(ctx, contrib.ID, &invites.Project{ID: p.ID}, invites.PageArgs{First: new(10)})
		wantCode(t, err, invites.Forbidden)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		outsider := mustSignUp(t, s, uniqueEmail("outsider")).User
		_, err := s.Activity(ctx, outsider.ID, &invites.Project{ID: p.ID}, invites.PageArgs{First: new(10)})
		wantCode(t, err, invites.NotFound)
	})

	t.Run("ErrBadUserInput", func(t *testing.T) {
		for _, args := range []invites.PageArgs{{First: new(101)}, {First: new(-1)}, {First: new(10), After: "garbage"}} {
			_, err := s.Activity(ctx, admin.ID, &invites.Project{ID: p.ID}, args)
			wantCode(t, err, invites.BadUserInput)
		}
	})
}
