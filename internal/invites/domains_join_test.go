package invites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/invites/invites/internal/invites"
)

// verifiedDomain adds name to the project, publishes its record, verifies it and sets policy.
func verifiedDomain(t *testing.T, s *invites.Service, dnsServer interface {
	SetTXT(string, ...string)
}, owner *invites.User, p *invites.Project, name string, policy invites.DomainPolicy) *invites.ProjectDomain {
	t.Helper()
	ctx := context.Background()
	d, err := s.AddProjectDomain(ctx, owner.ID, p.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	dnsServer.SetTXT(d.TXTRecordName(), d.TXTRecordValue())
	if _, err := s.VerifyProjectDomain(ctx, owner.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	d, err = s.UpdateProjectDomain(ctx, owner.ID, invites.UpdateProjectDomainInput{ID: d.ID, Policy: &policy})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDomainPolicies(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	for _, tc := range []struct {
		policy invites.DomainPolicy
		// listed: joinableProjects shows it; join: joinProject's answer; auto: joined on
		// verifying the email.
		listed bool
		join   invites.Code
		auto   bool
	}{
		{invites.PolicyOff, false, invites.NotFound, false},
		{invites.PolicySuggest, true, "", false},
		{invites.PolicyRequest, true, invites.Forbidden, false},
		{invites.PolicyAuto, true, "", true},
	} {
		t.Run(string(tc.policy), func(t *testing.T) {
			owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
			p := mustProject(t, s, owner.ID, "Policy "+string(tc.policy))
			name := uniqueDomain("pol")
			verifiedDomain(t, s, dnsServer, owner, p, name, tc.policy)

			// Unverified at the domain: nothing is shown, nothing joins.
			email := "ada-" + strings.ToLower(string(tc.policy)) + "@" + name
			sess := mustSignUp(t, s, email)
			list, err := s.JoinableProjects(ctx, sess.User)
			if err != nil || len(list) != 0 {
				t.Fatalf("unverified: joinable = %v, %v; want none", list, err)
			}
			_, err = s.JoinProject(ctx, sess.User, p.ID)
			wantCode(t, err, invites.NotFound)

			u, err := s.VerifyEmail(ctx, linkToken(t, email, "verify-email"))
			if err != nil {
				t.Fatal(err)
			}
			if joined := memberRow(t, p.ID, u.ID) != nil; joined != tc.auto {
				t.Fatalf("member after verifying = %v, want %v", joined, tc.auto)
			}
			list, err = s.JoinableProjects(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			wantListed := tc.listed && !tc.auto // a member is not offered it again
			if (len(list) == 1) != wantListed || (wantListed && (list[0].Project.ID != p.ID || list[0].Policy != tc.policy || list[0].Role != invites.RoleContributor)) {
				t.Fatalf("joinable = %+v, want listed %v", list, wantListed)
			}
			m, err := s.JoinProject(ctx, u, p.ID)
			if tc.join != "" {
				wantCode(t, err, tc.join)
				return
			}
			if err != nil || m.Role != invites.RoleContributor {
				t.Fatalf("JoinProject = %+v, %v", m, err)
			}
		})
	}
}

func TestDomainJoinsOnlyTheDomain(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Exact")
	name := uniqueDomain("exact")
	verifiedDomain(t, s, dnsServer, owner, p, name, invites.PolicyAuto)
	// A subdomain's and another domain's verified emails see nothing and join nothing.
	for _, email := range []string{"bob@eu." + name, uniqueEmail("other")} {
		u := mustVerifiedUser(t, s, email)
		if memberRow(t, p.ID, u.ID) != nil {
			t.Fatalf("%s joined through %s", email, name)
		}
		list, _ := s.JoinableProjects(ctx, u)
		if len(list) != 0 {
			t.Fatalf("%s: joinable = %v", email, list)
		}
		_, err := s.JoinProject(ctx, u, p.ID)
		wantCode(t, err, invites.NotFound)
	}
}

func TestDomainAutoJoinsAtSignUpWithAnInvite(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	auto := mustProject(t, s, owner.ID, "Auto")
	other := mustProject(t, s, owner.ID, "Invited")
	name := uniqueDomain("signup")
	d := verifiedDomain(t, s, dnsServer, owner, auto, name, invites.PolicyAuto)
	if _, err := s.UpdateProjectDomain(ctx, owner.ID, invites.UpdateProjectDomainInput{ID: d.ID, DefaultRole: ptr(invites.RoleAdmin)}); err != nil {
		t.Fatal(err)
	}
	email := "cy@" + name
	mustInvite(t, s, owner.ID, email, &other.ID, invites.RoleContributor, "")
	sess, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: inviteToken(t, email), Password: "correct horse", Name: "Cy"})
	if err != nil {
		t.Fatal(err)
	}
	if m := memberRow(t, auto.ID, sess.User.ID); m == nil || m.Role != invites.RoleAdmin {
		t.Fatalf("membership of the AUTO project = %+v, want ADMIN", m)
	}
	if n := count(t, "activity_events", "project_id = ? AND name = ?", auto.ID, invites.EventJoinedByDomain); n != 1 {
		t.Fatalf("%d Joined by Domain events, want 1", n)
	}
}

// A REQUEST domain's project lists the person's own waiting request, and only while it waits.
func TestDomainJoinableProjectShowsThePendingRequest(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Asks")
	name := uniqueDomain("asks")
	verifiedDomain(t, s, dnsServer, owner, p, name, invites.PolicyRequest)
	u := mustVerifiedUser(t, s, "dee@"+name)
	joinable := func() *invites.JoinableProject {
		t.Helper()
		list, err := s.JoinableProjects(ctx, u)
		if err != nil || len(list) != 1 || list[0].Project.ID != p.ID {
			t.Fatalf("joinable = %v, %v; want the one project", list, err)
		}
		return list[0]
	}
	if got := joinable().PendingRequest; got != nil {
		t.Fatalf("pending request before asking = %+v, want none", got)
	}
	r, err := askByDomain(s, u, p.ID, "let me in")
	if err != nil {
		t.Fatal(err)
	}
	if got := joinable().PendingRequest; got == nil || got.ID != r.ID {
		t.Fatalf("pending request = %+v, want %s", got, r.ID)
	}
	if _, err := s.CancelJoinRequest(ctx, u, r.ID); err != nil {
		t.Fatal(err)
	}
	if got := joinable().PendingRequest; got != nil {
		t.Fatalf("pending request after cancelling = %+v, want none", got)
	}
}
