package invites_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

// askByDomain is requestToJoin with a projectId, the way in by a domain whose policy is REQUEST.
func askByDomain(s *invites.Service, u *invites.User, projectID uuid.UUID, msg string) (*invites.JoinRequest, error) {
	return s.RequestToJoin(context.Background(), u, invites.RequestToJoinInput{ProjectID: &projectID, Message: &msg})
}

// Each policy × each kind of email: only a verified email at a verified REQUEST domain asks;
// SUGGEST and AUTO answer that the project admits at once; everyone else gets the very answer
// of a project that does not exist, and no row is written.
func TestRequestToJoinThroughDomain_Policies(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	_, unknownErr := askByDomain(s, mustVerifiedUser(t, s, uniqueEmail("nobody")), uuid.New(), "")
	wantCode(t, unknownErr, invites.NotFound)

	emails := []struct {
		kind string
		user func(domain string) *invites.User
	}{
		{"unverified at the domain", func(d string) *invites.User { return mustSignUp(t, s, "una-"+uuid.NewString()[:8]+"@"+d).User }},
		{"verified at the domain", func(d string) *invites.User { return mustVerifiedUser(t, s, "ver-"+uuid.NewString()[:8]+"@"+d) }},
		{"verified at another domain", func(string) *invites.User { return mustVerifiedUser(t, s, uniqueEmail("other")) }},
		{"verified at a subdomain", func(d string) *invites.User { return mustVerifiedUser(t, s, "sub-"+uuid.NewString()[:8]+"@eu."+d) }},
	}
	for _, policy := range []invites.DomainPolicy{invites.PolicyOff, invites.PolicySuggest, invites.PolicyRequest, invites.PolicyAuto} {
		owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
		p := mustProject(t, s, owner.ID, "Asked "+string(policy))
		name := uniqueDomain("ask")
		verifiedDomain(t, s, dnsServer, owner, p, name, policy)
		for _, e := range emails {
			t.Run(string(policy)+"/"+e.kind, func(t *testing.T) {
				u := e.user(name)
				want := invites.NotFound
				if e.kind == "verified at the domain" {
					switch policy {
					case invites.PolicyRequest:
						want = ""
					case invites.PolicySuggest, invites.PolicyAuto:
						want = invites.Forbidden
					}
				}
				r, err := askByDomain(s, u, p.ID, "hello")
				if want != "" {
					wantCode(t, err, want)
					if want == invites.NotFound && invites.ErrorMessage(err) != invites.ErrorMessage(unknownErr) {
						t.Fatalf("message %q tells the project from an unknown one (%q)", invites.ErrorMessage(err), invites.ErrorMessage(unknownErr))
					}
					if n := count(t, "join_requests", "user_id = ?", u.ID); n != 0 {
						t.Fatalf("%d requests written by a refused call", n)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if r.ProjectID != p.ID || r.LinkID != nil || r.AskedRole != invites.RoleContributor || r.Status != invites.RequestPending || *r.Message != "hello" {
					t.Fatalf("request = %+v", r)
				}
				if n := count(t, "activity_events", "project_id = ? AND name = ? AND email = ?", p.ID, invites.EventRequestedToJoin, u.Email); n != 1 {
					t.Fatalf("%d Requested to Join events, want 1", n)
				}
				_, err = askByDomain(s, u, p.ID, "")
				wantCode(t, err, invites.JoinRequestExists)
			})
		}
	}
}

// The request's answers beyond the policy: one of projectId and linkToken; a member is told so;
// approval gives the domain's role (ADMIN where the OWNER set it, so only the OWNER approves it).
func TestRequestToJoinThroughDomain_Requests(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Asked")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	name := uniqueDomain("asked")
	d := verifiedDomain(t, s, dnsServer, owner, p, name, invites.PolicyRequest)
	token := approvalLink(t, s, owner, p, invites.RoleContributor)

	u := mustVerifiedUser(t, s, "asa@"+name)
	for _, in := range []invites.RequestToJoinInput{{}, {LinkToken: ptr(" ")}, {ProjectID: &p.ID, LinkToken: &token}} {
		_, err := s.RequestToJoin(ctx, u, in)
		wantCode(t, err, invites.BadUserInput)
	}
	_, err := askByDomain(s, owner, p.ID, "")
	wantCode(t, err, invites.NotFound) // the owner's email is not at the domain
	inside := mustVerifiedUser(t, s, "ina@"+name)
	r, err := askByDomain(s, inside, p.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if rs, _ := s.ApproveJoinRequests(ctx, admin.ID, []string{r.ID.String()}, nil); rs[0].Err != nil {
		t.Fatal(rs[0].Err)
	}
	_, err = askByDomain(s, inside, p.ID, "")
	wantCode(t, err, invites.AlreadyMember)

	if _, err := s.UpdateProjectDomain(ctx, owner.ID, invites.UpdateProjectDomainInput{ID: d.ID, DefaultRole: ptr(invites.RoleAdmin)}); err != nil {
		t.Fatal(err)
	}
	r, err = askByDomain(s, u, p.ID, "")
	if err != nil || r.AskedRole != invites.RoleAdmin {
		t.Fatalf("request = %+v, %v; want ADMIN asked", r, err)
	}
	if rs, _ := s.ApproveJoinRequests(ctx, admin.ID, []string{r.ID.String()}, nil); rs[0].Err == nil || rs[0].Err.Code != invites.Forbidden {
		t.Fatalf("an ADMIN approving ADMIN: %v, want FORBIDDEN", rs[0].Err)
	}
	if rs, _ := s.ApproveJoinRequests(ctx, owner.ID, []string{r.ID.String()}, nil); rs[0].Err != nil || *rs[0].Request.Role != invites.RoleAdmin {
		t.Fatalf("the OWNER approving: %+v", rs[0])
	}
	if m := memberRow(t, p.ID, u.ID); m == nil || m.Role != invites.RoleAdmin {
		t.Fatalf("membership = %+v, want ADMIN", m)
	}
	// The approval is told by the welcome of an approved request, not by a decision email.
	if n := count(t, "emails", "kind = 'welcome' AND params->>'approved' = 'true' AND recipient = ?", u.Email); n != 1 {
		t.Fatalf("%d welcomes of an approved request, want 1", n)
	}
	if n := count(t, "emails", "kind = 'join_request_decided' AND recipient = ?", u.Email); n != 0 {
		t.Fatalf("%d decision emails besides the welcome, want 0", n)
	}
}

// restrictToDomains on both ways to ask: a link's request from outside the verified domains is
// refused, a domain's request is admitted, and an approval after the domain was removed is
// refused with EMAIL_DOMAIN_NOT_ALLOWED and makes no membership.
func TestRequestToJoin_RestrictToDomains(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Restricted")
	name := uniqueDomain("restricted")
	d := verifiedDomain(t, s, dnsServer, owner, p, name, invites.PolicyRequest)
	token := approvalLink(t, s, owner, p, invites.RoleContributor)
	if _, err := s.UpdateProject(ctx, owner.ID, invites.UpdateProjectInput{ID: p.ID, RestrictToDomains: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	outsider := mustVerifiedUser(t, s, uniqueEmail("outside"))
	_, err := s.RequestToJoin(ctx, outsider, invites.RequestToJoinInput{LinkToken: &token})
	wantCode(t, err, invites.EmailDomainNotAllowed)

	insider := mustVerifiedUser(t, s, "ida@"+name)
	r, err := askByDomain(s, insider, p.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveProjectDomain(ctx, owner.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	rs, err := s.ApproveJoinRequests(ctx, owner.ID, []string{r.ID.String()}, nil)
	if err != nil || rs[0].Err == nil || rs[0].Err.Code != invites.EmailDomainNotAllowed {
		t.Fatalf("approval after the domain went: %+v, %v; want EMAIL_DOMAIN_NOT_ALLOWED", rs, err)
	}
	if memberRow(t, p.ID, insider.ID) != nil {
		t.Fatal("a refused approval made a membership")
	}
}

// The admins' digest counts requests through a domain as it counts a link's.
func TestRequestToJoinThroughDomain_Digest(t *testing.T) {
	s, clk, dnsServer := newDomainService(t)
	sweeper := newServices(t, pgDB(t), clk, func(c *config.Domain) { c.InviteRemindBefore = 0 }).Sweeper
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Digest by domain")
	name := uniqueDomain("digest")
	verifiedDomain(t, s, dnsServer, owner, p, name, invites.PolicyRequest)
	if _, err := askByDomain(s, mustVerifiedUser(t, s, "dia@"+name), p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := sweeper.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, "emails", "kind = 'join_request_digest' AND recipient = ? AND subject LIKE ?", owner.Email, "%Digest by domain%"); n != 1 {
		t.Fatalf("%d digests to the owner, want 1", n)
	}
}

// Two requests by one person at once make one (join_requests_pending_key); the other is
// JOIN_REQUEST_EXISTS.
func TestRequestToJoinThroughDomain_ConcurrentRequests(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Twice")
	name := uniqueDomain("twice")
	verifiedDomain(t, s, dnsServer, owner, p, name, invites.PolicyRequest)
	u := mustVerifiedUser(t, s, "tia@"+name)
	got := codes(t, concurrently(6, func(int) error {
		_, err := askByDomain(s, u, p.ID, "")
		return err
	}))
	if got[""] != 1 || got[invites.JoinRequestExists] != 5 {
		t.Fatalf("outcomes %v, want one request and five JOIN_REQUEST_EXISTS", got)
	}
	if n := count(t, "join_requests", "project_id = ? AND user_id = ?", p.ID, u.ID); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// A policy turned OFF while a request is being made: the request waits for the change's
// transaction (the domain's row lock) and then finds the project invisible; no request is made.
func TestRequestToJoinThroughDomain_PolicyTurnedOff(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Closing")
	name := uniqueDomain("closing")
	d := verifiedDomain(t, s, dnsServer, owner, p, name, invites.PolicyRequest)
	u := mustVerifiedUser(t, s, "cleo@"+name)

	db := pgDB(t)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.NewRaw("UPDATE project_domains SET policy = 'OFF' WHERE id = ?", d.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := askByDomain(s, u, p.ID, "")
		done <- err
	}()
	waitForLockWait(t, "project_domains")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		wantCode(t, err, invites.NotFound)
	case <-time.After(time.Minute):
		t.Fatal("the request did not finish within a minute of the policy change")
	}
	if n := count(t, "join_requests", "user_id = ?", u.ID); n != 0 {
		t.Fatalf("%d requests made under a policy turned OFF", n)
	}
}

// waitForLockWait waits until a session of this database waits for a lock in a statement that
// names table.
func waitForLockWait(t *testing.T, table string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		n, err := pgDB(t).NewSelect().TableExpr("pg_stat_activity").
			Where("datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?", "%"+table+"%").
			Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond) // polling the probe, not synchronising by time
	}
	t.Fatalf("no session waited for a lock on %s within a minute", table)
}

// The person is told of the decision in their language (the one they signed up in): an
// approval by the welcome, a denial by its own email.
func TestRequestToJoin_DecisionEmailInTheirLanguage(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Sprachen")
	name := uniqueDomain("lang")
	verifiedDomain(t, s, dnsServer, owner, p, name, invites.PolicyRequest)
	for _, tc := range []struct{ lang, deny, kind, subject string }{
		{"de-DE,de;q=0.9", "", "welcome", "Sie sind Sprachen beigetreten"},
		{"ja", "満員です", "join_request_decided", "Sprachen への参加リクエストは承認されませんでした"},
	} {
		email := "p-" + uuid.NewString()[:8] + "@" + name
		if _, err := s.SignUp(ctx, invites.SignUpInput{Email: email, Password: "correct horse", Name: "Pia", AcceptLanguage: tc.lang}); err != nil {
			t.Fatal(err)
		}
		u, err := s.VerifyEmail(ctx, linkToken(t, email, "verify-email"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := askByDomain(s, u, p.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		var rs []*invites.JoinRequestActionResult
		if tc.deny != "" {
			rs, err = s.DenyJoinRequests(ctx, owner.ID, []string{r.ID.String()}, &tc.deny)
		} else {
			rs, err = s.ApproveJoinRequests(ctx, owner.ID, []string{r.ID.String()}, nil)
		}
		if err != nil || rs[0].Err != nil {
			t.Fatalf("deciding: %v, %v", err, rs[0].Err)
		}
		if n := count(t, "emails", "kind = ? AND recipient = ? AND subject = ?", tc.kind, email, tc.subject); n != 1 {
			t.Fatalf("%s: %d %s emails with the subject %q, want 1", tc.lang, n, tc.kind, tc.subject)
		}
	}
}
