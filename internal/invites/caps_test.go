package invites_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// wantOverLimit fails the test unless err is the BAD_USER_INPUT of a count cap on field.
func wantOverLimit(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := errors.AsType[*invites.Error](err)
	if !ok || e.Code != invites.BadUserInput || e.Reason != invites.ReasonLimitExceeded || e.Field != field || e.Message == "" {
		t.Fatalf("error = %v, want BAD_USER_INPUT with reason LIMIT_EXCEEDED on %q", err, field)
	}
}

// succeeded counts the calls that succeeded, failing the test on an error check refuses.
func succeeded(errs []error, check func(error)) int {
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			check(err)
		}
	}
	return ok
}

// An account keeps its SessionLimit newest sessions: a log-in past it ends the oldest, and
// concurrent log-ins never leave more.
func TestCaps_Sessions(t *testing.T) {
	ctx := context.Background()
	const limit = 3
	s, clk := newService(t, func(c *config.Domain) { c.SessionLimit = limit })
	email := uniqueEmail("sessions")
	first := mustSignUp(t, s, email)
	tokens := []string{first.Token}
	client := newClient()
	for range 4 {
		clk.Advance(time.Second) // the sessions' order is their start
		sess, err := s.LogIn(ctx, client, email, "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, sess.Token)
	}
	for i, tok := range tokens {
		_, err := s.Authenticate(ctx, tok)
		if ended := i < len(tokens)-limit; ended != (err != nil) {
			t.Errorf("session %d of %d: Authenticate = %v; want ended: %v", i+1, len(tokens), err, ended)
		}
	}
	// Rounds of log-ins at once, from clients of their own (one client's log-ins queue on its
	// failures' rows anyway): after each, the newest SessionLimit are left.
	for round := range 5 {
		clients := make([]netip.Addr, 8)
		for i := range clients {
			clients[i] = newClient()
		}
		ok := succeeded(concurrently(len(clients), func(i int) error { _, err := s.LogIn(ctx, clients[i], email, "correct horse"); return err }),
			func(err error) { t.Error(err) })
		if n := count(t, "sessions", "user_id = ?", first.User.ID); ok != len(clients) || n != limit {
			t.Fatalf("round %d: %d of %d concurrent log-ins, %d sessions kept; want all and %d", round, ok, len(clients), n, limit)
		}
	}
}

// An account owns at most ProjectLimit projects, by creating them or by a transfer of
// ownership, however many calls run at once.
func TestCaps_OwnedProjects(t *testing.T) {
	ctx := context.Background()
	const limit = 2
	s, _ := newService(t, func(c *config.Domain) { c.ProjectLimit = limit })

	t.Run("Create", func(t *testing.T) {
		owner := mustSignUp(t, s, uniqueEmail("creator")).User
		ok := succeeded(concurrently(6, func(int) error { _, err := s.CreateProject(ctx, owner.ID, "One of many"); return err }),
			func(err error) { wantOverLimit(t, err, "") })
		if n := count(t, "project_members", "user_id = ? AND role = 'OWNER'", owner.ID); ok != limit || n != limit {
			t.Fatalf("%d of 6 concurrent creates, %d projects owned; want %d", ok, n, limit)
		}
	})
	t.Run("Transfer", func(t *testing.T) {
		owner := mustVerifiedUser(t, s, uniqueEmail("transferrer"))
		p := mustProject(t, s, owner.ID, "Handed over")
		admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
		for range limit {
			mustProject(t, s, admin.ID, "The admin's own")
		}
		_, err := s.TransferOwnership(ctx, owner.ID, p.ID, admin.ID)
		wantOverLimit(t, err, "userId")
		if m := memberRow(t, p.ID, owner.ID); m.Role != invites.RoleOwner {
			t.Fatalf("after the refused transfer the owner is %s", m.Role)
		}
		// Owning fewer, the transferrer may create again.
		if _, err := s.CreateProject(ctx, owner.ID, "Another"); err != nil {
			t.Fatal(err)
		}
	})
}

// A project holds at most InviteLinkLimit invite links, revoked ones included, until the sweep
// deletes them INVITE_RETENTION after their expiry.
func TestCaps_InviteLinks(t *testing.T) {
	ctx := context.Background()
	const limit = 3
	set := func(c *config.Domain) { c.InviteLinkLimit, c.InviteRemindBefore = limit, 0 }
	s, clk := newService(t, set)
	sweeper := newSweeper(t, clk, set)
	owner := mustVerifiedUser(t, s, uniqueEmail("links-owner"))
	p := mustProject(t, s, owner.ID, "Capped links")
	in := invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor}

	ok := succeeded(concurrently(8, func(int) error { _, err := s.CreateInviteLink(ctx, owner.ID, in); return err }),
		func(err error) { wantOverLimit(t, err, "projectId") })
	if n := count(t, "invite_links", "project_id = ?", p.ID); ok != limit || n != limit {
		t.Fatalf("%d of 8 concurrent creates, %d links held; want %d", ok, n, limit)
	}
	links, err := s.ProjectInviteLinks(ctx, owner.ID, p.ID, invites.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeInviteLink(ctx, owner.ID, links.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateInviteLink(ctx, owner.ID, in)
	wantOverLimit(t, err, "projectId")

	// Past their expiry and the retention after it, the sweep deletes them: room again.
	clk.Advance(7*24*time.Hour + config.Default().Domain.InviteRetention)
	sweepOnce(t, sweeper)
	if n := count(t, "invite_links", "project_id = ?", p.ID); n != 0 {
		t.Fatalf("%d links left after the sweep, want 0", n)
	}
	mustLink(t, s, owner.ID, in)
}
