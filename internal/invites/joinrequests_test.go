package invites_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// approvalLink makes an invite link that requires approval, granting role, and returns its token.
func approvalLink(t *testing.T, s *invites.Service, owner *invites.User, p *invites.Project, role invites.Role) string {
	t.Helper()
	_, token := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: role, RequiresApproval: true})
	return token
}

func mustRequest(t *testing.T, s *invites.Service, u *invites.User, token, msg string) *invites.JoinRequest {
	t.Helper()
	r, err := s.RequestToJoin(context.Background(), u, invites.RequestToJoinInput{LinkToken: &token, Message: &msg})
	if err != nil {
		t.Fatalf("RequestToJoin: %v", err)
	}
	return r
}

func TestJoinRequestService_RequestToJoin(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Requests")
	token := approvalLink(t, s, owner, p, invites.RoleContributor)
	_, openToken := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor})

	t.Run("joinWithLink answers APPROVAL_REQUIRED", func(t *testing.T) {
		u := mustVerifiedUser(t, s, uniqueEmail("joiner"))
		_, err := s.JoinWithLink(ctx, u, token)
		wantCode(t, err, invites.ApprovalRequired)
		if memberRow(t, p.ID, u.ID) != nil {
			t.Fatal("a join through an approval link made a membership")
		}
		prev, err := s.InviteLinkPreview(ctx, token)
		if err != nil || !prev.RequiresApproval {
			t.Fatalf("preview = %+v, %v; want requiresApproval", prev, err)
		}
	})

	t.Run("OK, then JOIN_REQUEST_EXISTS, then again after cancelling", func(t *testing.T) {
		u := mustVerifiedUser(t, s, uniqueEmail("asker"))
		r := mustRequest(t, s, u, token, "  Hello,\nI am on the team.  ")
		if r.Status != invites.RequestPending || r.Message == nil || *r.Message != "Hello,\nI am on the team." || r.AskedRole != invites.RoleContributor {
			t.Fatalf("request = %+v", r)
		}
		if !r.ExpiresAt.Equal(r.CreatedAt.Add(invites.JoinRequestTTL)) {
			t.Fatalf("expiresAt = %v, want 30 days after %v", r.ExpiresAt, r.CreatedAt)
		}
		_, err := s.RequestToJoin(ctx, u, invites.RequestToJoinInput{LinkToken: &token})
		wantCode(t, err, invites.JoinRequestExists)
		if n := count(t, "activity_events", "project_id = ? AND name = ?", p.ID, invites.EventRequestedToJoin); n < 1 {
			t.Fatal("no Requested to Join event")
		}
		if _, err := s.CancelJoinRequest(ctx, u, r.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.CancelJoinRequest(ctx, u, r.ID)
		wantCode(t, err, invites.InviteNotPending)
		mustRequest(t, s, u, token, "")
	})

	refusals := []struct {
		name  string
		in    func() invites.RequestToJoinInput
		user  func() *invites.User
		want  invites.Code
		field string
	}{
		{"neither link token nor project", func() invites.RequestToJoinInput { return invites.RequestToJoinInput{} }, nil, invites.BadUserInput, "linkToken"},
		{"a project no domain shows", func() invites.RequestToJoinInput { return invites.RequestToJoinInput{ProjectID: &p.ID} }, nil, invites.NotFound, ""},
		{"unknown token", func() invites.RequestToJoinInput { return invites.RequestToJoinInput{LinkToken: ptr("nope")} }, nil, invites.NotFound, ""},
		{"a link that admits at once", func() invites.RequestToJoinInput { return invites.RequestToJoinInput{LinkToken: &openToken} }, nil, invites.BadUserInput, "linkToken"},
		{"an invisible character", func() invites.RequestToJoinInput {
			return invites.RequestToJoinInput{LinkToken: &token, Message: ptr("hi\u200bthere")}
		}, nil, invites.BadUserInput, "message"},
		{"a control character", func() invites.RequestToJoinInput {
			return invites.RequestToJoinInput{LinkToken: &token, Message: ptr("hi\tthere")}
		}, nil, invites.BadUserInput, "message"},
		{"too long", func() invites.RequestToJoinInput {
			return invites.RequestToJoinInput{LinkToken: &token, Message: ptr(strings.Repeat("é", invites.MaxJoinRequestMessageLen+1))}
		}, nil, invites.BadUserInput, "message"},
		{"a member", func() invites.RequestToJoinInput { return invites.RequestToJoinInput{LinkToken: &token} },
			func() *invites.User { return owner }, invites.AlreadyMember, ""},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			u := owner
			if tc.user == nil {
				u = mustVerifiedUser(t, s, uniqueEmail("refused"))
			}
			_, err := s.RequestToJoin(ctx, u, tc.in())
			wantCode(t, err, tc.want)
			if e, ok := err.(*invites.Error); ok && tc.field != "" && e.Field != tc.field {
				t.Fatalf("field = %q, want %q", e.Field, tc.field)
			}
			if n := count(t, "join_requests", "user_id = ?", u.ID); n != 0 {
				t.Fatalf("%d requests written by a refused call", n)
			}
		})
	}
}

func TestJoinRequestService_Decide(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Decide")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	contributor := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	token := approvalLink(t, s, owner, p, invites.RoleContributor)
	ask := func() *invites.JoinRequest {
		return mustRequest(t, s, mustVerifiedUser(t, s, uniqueEmail("asker")), token, "please")
	}

	cases := []struct {
		name     string
		actor    *invites.User
		role     *invites.Role
		deny     bool
		wantCode invites.Code
		wantRole invites.Role
	}{
		{"admin approves with the link's role", admin, nil, false, "", invites.RoleContributor},
		{"owner approves as ADMIN", owner, ptr(invites.RoleAdmin), false, "", invites.RoleAdmin},
		{"admin may not approve as ADMIN", admin, ptr(invites.RoleAdmin), false, invites.Forbidden, ""},
		{"a contributor may not decide", contributor, nil, false, invites.Forbidden, ""},
		{"admin denies", admin, nil, true, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ask()
			var rs []*invites.JoinRequestActionResult
			var err error
			if tc.deny {
				rs, err = s.DenyJoinRequests(ctx, tc.actor.ID, []string{r.ID.String()}, ptr("not now"))
			} else {
				rs, err = s.ApproveJoinRequests(ctx, tc.actor.ID, []string{r.ID.String()}, tc.role)
			}
			if err != nil || len(rs) != 1 {
				t.Fatalf("results %v, %v", rs, err)
			}
			if tc.wantCode != "" {
				if rs[0].Err == nil || rs[0].Err.Code != tc.wantCode {
					t.Fatalf("row error = %v, want %s", rs[0].Err, tc.wantCode)
				}
				if memberRow(t, p.ID, r.UserID) != nil {
					t.Fatal("a refused approval made a membership")
				}
				return
			}
			if rs[0].Err != nil {
				t.Fatal(rs[0].Err)
			}
			got := rs[0].Request
			if got.DecidedBy == nil || *got.DecidedBy != tc.actor.ID || got.DecidedAt == nil {
				t.Fatalf("decided = %+v", got)
			}
			m := memberRow(t, p.ID, r.UserID)
			// A denial is told by its own email, an approval by the welcome (welcome_test.go).
			kind := "welcome"
			if tc.deny {
				kind = "join_request_decided"
			}
			if n := count(t, "emails", "kind = ? AND recipient = (SELECT email FROM users WHERE id = ?)", kind, r.UserID); n != 1 {
				t.Fatalf("%d %s emails to the person, want 1", n, kind)
			}
			if tc.deny {
				if got.Status != invites.RequestDenied || m != nil || got.Reason == nil || *got.Reason != "not now" {
					t.Fatalf("denied request %+v, member %+v", got, m)
				}
				return
			}
			if got.Status != invites.RequestApproved || m == nil || m.Role != tc.wantRole || *got.Role != tc.wantRole {
				t.Fatalf("approved request %+v, member %+v; want role %s", got, m, tc.wantRole)
			}
		})
	}

	t.Run("many at once, with per-row refusals", func(t *testing.T) {
		a, b := ask(), ask()
		rs, err := s.ApproveJoinRequests(ctx, admin.ID, []string{a.ID.String(), "bad", a.ID.String(), b.ID.String()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		codes := make([]invites.Code, len(rs))
		for i, r := range rs {
			if r.Err != nil {
				codes[i] = r.Err.Code
			}
		}
		want := []invites.Code{"", invites.NotFound, invites.BadUserInput, ""}
		for i := range want {
			if codes[i] != want[i] {
				t.Fatalf("codes = %v, want %v", codes, want)
			}
		}
		rs, _ = s.DenyJoinRequests(ctx, admin.ID, []string{a.ID.String()}, nil)
		if rs[0].Err == nil || rs[0].Err.Code != invites.InviteNotPending {
			t.Fatalf("deny after approval: %v, want INVITE_NOT_PENDING", rs[0].Err)
		}
	})

	t.Run("a non-member learns nothing", func(t *testing.T) {
		r := ask()
		stranger := mustVerifiedUser(t, s, uniqueEmail("stranger"))
		rs, _ := s.ApproveJoinRequests(ctx, stranger.ID, []string{r.ID.String()}, nil)
		if rs[0].Err == nil || rs[0].Err.Code != invites.NotFound {
			t.Fatalf("row error = %v, want NOT_FOUND", rs[0].Err)
		}
		_, err := s.CancelJoinRequest(ctx, stranger, r.ID)
		wantCode(t, err, invites.NotFound)
	})
}

// TestJoinRequestService_ConcurrentApprovals approves one request from several goroutines at
// once: exactly one approval succeeds and one membership is made.
func TestJoinRequestService_ConcurrentApprovals(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Race")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	r := mustRequest(t, s, mustVerifiedUser(t, s, uniqueEmail("asker")), approvalLink(t, s, owner, p, invites.RoleContributor), "")

	const n = 6
	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make([]*invites.JoinRequestActionResult, n)
	for i := range n {
		actor := owner
		if i%2 == 1 {
			actor = admin
		}
		wg.Go(func() {
			<-start
			rs, err := s.ApproveJoinRequests(ctx, actor.ID, []string{r.ID.String()}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = rs[0]
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, res := range results {
		switch {
		case res == nil:
		case res.Err == nil:
			ok++
		case res.Err.Code != invites.InviteNotPending:
			t.Errorf("row error %v, want INVITE_NOT_PENDING", res.Err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d approvals succeeded, want 1", ok)
	}
	if c := count(t, "project_members", "project_id = ? AND user_id = ?", p.ID, r.UserID); c != 1 {
		t.Fatalf("%d memberships, want 1", c)
	}
	if c := count(t, "activity_events", "project_id = ? AND name = ?", p.ID, invites.EventApprovedJoinRequest); c != 1 {
		t.Fatalf("%d approval events, want 1", c)
	}
}

func TestJoinRequestService_ExpiryAndList(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Expiry")
	contributor := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	token := approvalLink(t, s, owner, p, invites.RoleContributor)
	asker := mustVerifiedUser(t, s, uniqueEmail("asker"))
	old := mustRequest(t, s, asker, token, "")
	clk.Advance(invites.JoinRequestTTL + time.Minute)
	// The link has expired by now too: a fresh one for the second request.
	token = approvalLink(t, s, owner, p, invites.RoleContributor)
	fresh := mustRequest(t, s, mustVerifiedUser(t, s, uniqueEmail("fresh")), token, "")

	rs, _ := s.ApproveJoinRequests(ctx, owner.ID, []string{old.ID.String()}, nil)
	if rs[0].Err == nil || rs[0].Err.Code != invites.InviteExpired {
		t.Fatalf("approving an expired request: %v, want INVITE_EXPIRED", rs[0].Err)
	}
	lists := []struct {
		status *invites.JoinRequestStatus
		want   []string
	}{
		{nil, []string{fresh.ID.String(), old.ID.String()}},
		{ptr(invites.RequestPending), []string{fresh.ID.String()}},
		{ptr(invites.RequestExpired), []string{old.ID.String()}},
		{ptr(invites.RequestApproved), nil},
	}
	for _, l := range lists {
		page, err := s.ProjectJoinRequests(ctx, owner.ID, p.ID, l.status, invites.PageArgs{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range page.Items {
			got = append(got, it.ID.String())
		}
		if strings.Join(got, ",") != strings.Join(l.want, ",") || page.TotalCount != len(l.want) {
			t.Fatalf("status %v: %v (total %d), want %v", l.status, got, page.TotalCount, l.want)
		}
	}
	_, err := s.ProjectJoinRequests(ctx, contributor.ID, p.ID, nil, invites.PageArgs{})
	wantCode(t, err, invites.Forbidden)

	// The person may ask again: the expired request makes way.
	again := mustRequest(t, s, asker, token, "")
	if n := count(t, "join_requests", "id = ? AND status = 'EXPIRED'", old.ID); n != 1 {
		t.Fatal("the expired request was not marked EXPIRED")
	}
	clk.Advance(invites.JoinRequestTTL + time.Minute)
	sweeper := newServices(t, pgDB(t), clk, func(c *config.Domain) { c.InviteRemindBefore = 0 }).Sweeper
	if _, err := sweeper.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, "join_requests", "id = ? AND status = 'EXPIRED'", again.ID); n != 1 {
		t.Fatal("the sweep did not mark the expired request")
	}
	if n := count(t, "activity_events", "project_id = ? AND name = ?", p.ID, invites.EventExpiredJoinRequest); n != 3 {
		// old (on asking again), then again and fresh (by the sweep).
		t.Fatalf("%d Expired Join Request events, want 3", n)
	}
}

// The read behind joinRequestChanged: ADMIN and above only, the project's own requests.
func TestJoinRequestService_Watched(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Watched requests")
	other := mustProject(t, s, owner.ID, "Other")
	contributor := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	r := mustRequest(t, s, mustVerifiedUser(t, s, uniqueEmail("asker")), approvalLink(t, s, owner, p, invites.RoleContributor), "")
	elsewhere := mustRequest(t, s, mustVerifiedUser(t, s, uniqueEmail("asker")), approvalLink(t, s, owner, other, invites.RoleContributor), "")

	got, err := s.WatchedJoinRequests(ctx, owner.ID, p.ID, []uuid.UUID{elsewhere.ID, r.ID})
	if err != nil || len(got) != 1 || got[0].ID != r.ID {
		t.Fatalf("WatchedJoinRequests = %v, %v; want only %s", got, err, r.ID)
	}
	_, err = s.WatchedJoinRequests(ctx, contributor.ID, p.ID, nil)
	wantCode(t, err, invites.Forbidden)
	_, err = s.WatchedJoinRequests(ctx, mustVerifiedUser(t, s, uniqueEmail("stranger")).ID, p.ID, nil)
	wantCode(t, err, invites.NotFound)
}

// The admins' digest: one email for the requests of every project, in the admin's language,
// at most one an hour, and none for an admin who turned it off.
func TestJoinRequestService_Digest(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	sweeper := newServices(t, pgDB(t), clk, func(c *config.Domain) { c.InviteRemindBefore = 0 }).Sweeper
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Digest A")
	q := mustProject(t, s, owner.ID, "Digest B")
	muted := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	if err := s.SetJoinRequestDigest(ctx, muted.ID, false); err != nil {
		t.Fatal(err)
	}
	if on, err := s.JoinRequestDigest(ctx, muted.ID); err != nil || on {
		t.Fatalf("JoinRequestDigest = %v, %v; want off", on, err)
	}
	digests := func(u *invites.User) int {
		return count(t, "emails", "kind = 'join_request_digest' AND recipient = ?", u.Email)
	}
	sweep := func() {
		t.Helper()
		if _, err := sweeper.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pgDB(t).NewRaw(`UPDATE users SET locale = 'de' WHERE id = ?`, owner.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	linkP, linkQ := approvalLink(t, s, owner, p, invites.RoleContributor), approvalLink(t, s, owner, q, invites.RoleContributor)
	mustRequest(t, s, mustVerifiedUser(t, s, uniqueEmail("a")), linkP, "")
	mustRequest(t, s, mustVerifiedUser(t, s, uniqueEmail("b")), linkQ, "")
	sweep()
	sweep()
	if digests(owner) != 1 || digests(muted) != 0 {
		t.Fatalf("digests: owner %d, muted admin %d; want 1 and 0", digests(owner), digests(muted))
	}
	if n := count(t, "emails", "kind = 'join_request_digest' AND recipient = ? AND subject = ?", owner.Email,
		"Neue Beitrittsanfragen für Digest A, Digest B"); n != 1 {
		t.Errorf("%d digests in German, the owner's language; want 1", n)
	}
	wantEmailsIn(t, "join_request_digest", owner.Email, invites.ServiceProjectID) // over projects p and q
	clk.Advance(time.Minute)
	mustRequest(t, s, mustVerifiedUser(t, s, uniqueEmail("c")), linkP, "")
	sweep()
	if digests(owner) != 1 {
		t.Fatalf("a second digest within the hour: %d", digests(owner))
	}
	clk.Advance(invites.JoinRequestDigestInterval)
	sweep()
	sweep()
	if digests(owner) != 2 {
		t.Fatalf("%d digests after the hour, want 2", digests(owner))
	}
}
