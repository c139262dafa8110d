package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/invites/invites/internal/dnstest"
	"github.com/invites/invites/internal/mail/smtptest"
)

const (
	e2eAddDomain    = `mutation($p: ID!, $d: String!) { addProjectDomain(projectId: $p, domain: $d) { id domain verified txtRecordName txtRecordValue policy } }`
	e2eVerifyDomain = `mutation($id: ID!) { verifyProjectDomain(id: $id) { verified policy } }`
	e2eSetPolicy    = `mutation($i: UpdateProjectDomainInput!) { updateProjectDomain(input: $i) { policy defaultRole } }`
	e2eJoinable     = `{ joinableProjects { policy role } }`
)

type e2eDomain struct {
	ID, Domain, TxtRecordName, TxtRecordValue, Policy string
	Verified                                          bool
}

// TestServer_Domains is SPEC §16 through the real server, with DNS_RESOLVER pointing at a real
// DNS server on loopback: refusals of free mail and public suffixes; a domain proven by its TXT
// record; each policy on the ways in (joinableProjects, joinProject, AUTO at verification); a
// record removed falling back to OFF; restrictToDomains refusing an invite and a link join.
func TestServer_Domains(t *testing.T) {
	dns, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{
		"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SIGNUP_CLIENT_LIMIT": "0", "DNS_RESOLVER": dns.Addr,
	})}
	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := c.createProject(owner, "Acme")
	for domain, code := range map[string]string{"gmail.com": "FREE_EMAIL_DOMAIN", "co.uk": "FREE_EMAIL_DOMAIN", "not a domain": "BAD_USER_INPUT"} {
		if got := c.try(owner, e2eAddDomain, map[string]any{"p": project, "d": domain}, nil).code(); got != code {
			t.Fatalf("addProjectDomain(%s): code %q, want %s", domain, got, code)
		}
	}
	name := "acme-" + strconv.FormatInt(time.Now().UnixNano(), 36) + ".test"
	var added struct{ AddProjectDomain e2eDomain }
	c.do(owner, e2eAddDomain, map[string]any{"p": project, "d": name}, &added)
	d := added.AddProjectDomain
	if d.Verified || d.TxtRecordName != "_invites-challenge."+name {
		t.Fatalf("addProjectDomain = %+v", d)
	}
	if code := c.try(owner, e2eVerifyDomain, map[string]any{"id": d.ID}, nil).code(); code != "DOMAIN_NOT_VERIFIED" {
		t.Fatalf("verify before the record: code %q", code)
	}
	dns.SetTXT(d.TxtRecordName, d.TxtRecordValue)
	c.do(owner, e2eVerifyDomain, map[string]any{"id": d.ID}, nil)

	// SUGGEST: shown to a verified email there (never to an unverified one), joined at once.
	c.do(owner, e2eSetPolicy, map[string]any{"i": map[string]any{"id": d.ID, "policy": "SUGGEST"}}, nil)
	unverified := c.signUp(map[string]any{"email": "una@" + name, "password": "correct horse", "name": "Una"}).SignUp.Token
	var list struct {
		JoinableProjects []struct{ Policy, Role string }
	}
	c.do(unverified, e2eJoinable, nil, &list)
	if len(list.JoinableProjects) != 0 {
		t.Fatalf("an unverified email sees %+v", list.JoinableProjects)
	}
	ada := c.signUpVerified(smtp, "ada@"+name, "Ada")
	c.do(ada, e2eJoinable, nil, &list)
	if len(list.JoinableProjects) != 1 || list.JoinableProjects[0].Policy != "SUGGEST" {
		t.Fatalf("joinableProjects = %+v", list.JoinableProjects)
	}
	var joined struct{ JoinProject struct{ Role string } }
	c.do(ada, `mutation($p: ID!) { joinProject(projectId: $p) { role } }`, map[string]any{"p": project}, &joined)
	if joined.JoinProject.Role != "CONTRIBUTOR" {
		t.Fatalf("joinProject = %+v", joined.JoinProject)
	}
	outsider := c.signUpVerified(smtp, e2eEmail("outsider"), "Otto")
	if code := c.try(outsider, `mutation($p: ID!) { joinProject(projectId: $p) { role } }`, map[string]any{"p": project}, nil).code(); code != "NOT_FOUND" {
		t.Fatalf("joinProject from another domain: code %q, want NOT_FOUND", code)
	}

	// AUTO: joined on verifying the email.
	c.do(owner, e2eSetPolicy, map[string]any{"i": map[string]any{"id": d.ID, "policy": "AUTO"}}, nil)
	bob := c.signUpVerified(smtp, "bob@"+name, "Bob")
	var seen struct{ Project *struct{ ViewerRole string } }
	c.do(bob, `query($p: ID!) { project(id: $p) { viewerRole } }`, map[string]any{"p": project}, &seen)
	if seen.Project == nil || seen.Project.ViewerRole != "CONTRIBUTOR" {
		t.Fatalf("after verifying at an AUTO domain: %+v", seen.Project)
	}

	// restrictToDomains: an invite outside is refused, one inside is sent.
	c.do(owner, `mutation($i: UpdateProjectInput!) { updateProject(input: $i) { restrictToDomains membersOutsideDomains { role } } }`,
		map[string]any{"i": map[string]any{"id": project, "restrictToDomains": true}}, nil)
	invite := `mutation($i: CreateInviteInput!) { createInvite(input: $i) { id } }`
	if code := c.try(owner, invite, map[string]any{"i": map[string]any{"email": e2eEmail("out"), "projectId": project, "role": "CONTRIBUTOR"}}, nil).code(); code != "EMAIL_DOMAIN_NOT_ALLOWED" {
		t.Fatalf("invite outside the domains: code %q", code)
	}
	c.do(owner, invite, map[string]any{"i": map[string]any{"email": "cy@" + name, "projectId": project, "role": "CONTRIBUTOR"}}, nil)

	// The record removed: the next check unverifies the domain and sets its policy OFF.
	dns.SetTXT(d.TxtRecordName)
	if code := c.try(owner, e2eVerifyDomain, map[string]any{"id": d.ID}, nil).code(); code != "DOMAIN_NOT_VERIFIED" {
		t.Fatalf("verify after the record went: code %q", code)
	}
	var after struct{ Project struct{ Domains []e2eDomain } }
	c.do(owner, `query($p: ID!) { project(id: $p) { domains { id verified policy } } }`, map[string]any{"p": project}, &after)
	if len(after.Project.Domains) != 1 || after.Project.Domains[0].Verified || after.Project.Domains[0].Policy != "OFF" {
		t.Fatalf("domains after the record went = %+v", after.Project.Domains)
	}
}
