package invites_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/dnstest"
	"github.com/invites/invites/internal/invites"
)

// newDomainService is the service with DNS_RESOLVER pointing at a real DNS server on loopback.
func newDomainService(t *testing.T) (*invites.Service, *clock, *dnstest.Server) {
	t.Helper()
	dnsServer, err := dnstest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dnsServer.Close)
	s, clk := newService(t, func(d *config.Domain) { d.DNSResolver = dnsServer.Addr })
	return s, clk, dnsServer
}

// uniqueDomain is a registrable domain no other test of the package uses.
func uniqueDomain(prefix string) string {
	return prefix + "-" + strings.ReplaceAll(uuid.NewString()[:13], "-", "") + ".com"
}

// publish makes d's TXT record answer its value.
func publish(dnsServer *dnstest.Server, d *invites.ProjectDomain) {
	dnsServer.SetTXT(d.TXTRecordName(), "v=spf1 -all", d.TXTRecordValue())
}

func TestAddProjectDomainNames(t *testing.T) {
	s, _, _ := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Domains")
	unique := uniqueDomain("acme")
	for _, tc := range []struct {
		name, raw string
		want      string
		code      invites.Code
	}{
		{"lower-cased, trailing dot and @ dropped", "@" + strings.ToUpper(unique) + ".", unique, ""},
		{"a subdomain is its own domain", "eu." + unique, "eu." + unique, ""},
		{"free mail", "gmail.com", "", invites.FreeEmailDomain},
		{"free mail in capitals", "Outlook.COM", "", invites.FreeEmailDomain},
		{"ICANN public suffix", "co.uk", "", invites.FreeEmailDomain},
		{"top-level domain", "com", "", invites.BadUserInput},
		{"private public suffix", "github.io", "", invites.FreeEmailDomain},
		{"not a name", "not a domain", "", invites.BadUserInput},
		{"empty", "  ", "", invites.BadUserInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := s.AddProjectDomain(ctx, owner.ID, p.ID, tc.raw)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Domain != tc.want || d.Verified() || d.Policy != invites.PolicyOff || d.DefaultRole != invites.RoleContributor {
				t.Fatalf("domain = %+v, want %s unverified, OFF, CONTRIBUTOR", d, tc.want)
			}
			if d.TXTRecordName() != "_invites-challenge."+tc.want || !strings.HasPrefix(d.TXTRecordValue(), "invites-verification=") {
				t.Fatalf("record = %s %s", d.TXTRecordName(), d.TXTRecordValue())
			}
		})
	}
	t.Run("adding it again answers the same domain", func(t *testing.T) {
		a, err := s.AddProjectDomain(ctx, owner.ID, p.ID, unique)
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.ProjectDomains(ctx, owner.ID, p.ID)
		if err != nil || len(list) != 2 || list[0].ID != a.ID {
			t.Fatalf("domains = %v, %v; want the two added, %s first", list, err, a.ID)
		}
	})
}

func TestProjectDomainRoles(t *testing.T) {
	s, _, _ := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Roles")
	contributor := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
	stranger := mustVerifiedUser(t, s, uniqueEmail("stranger"))
	_, err := s.AddProjectDomain(ctx, contributor.ID, p.ID, uniqueDomain("c"))
	wantCode(t, err, invites.Forbidden)
	_, err = s.AddProjectDomain(ctx, stranger.ID, p.ID, uniqueDomain("s"))
	wantCode(t, err, invites.NotFound)
	d, err := s.AddProjectDomain(ctx, owner.ID, p.ID, uniqueDomain("o"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.VerifyProjectDomain(ctx, stranger.ID, d.ID)
	wantCode(t, err, invites.NotFound)
	_, err = s.ProjectDomains(ctx, contributor.ID, p.ID)
	wantCode(t, err, invites.Forbidden)
	wantCode(t, s.RemoveProjectDomain(ctx, contributor.ID, d.ID), invites.Forbidden)
}

func TestVerifyProjectDomain(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Verify")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	name := uniqueDomain("verify")
	d, err := s.AddProjectDomain(ctx, admin.ID, p.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.AddProjectDomain(ctx, admin.ID, p.ID, "team."+name)
	if err != nil {
		t.Fatal(err)
	}

	_, err = s.VerifyProjectDomain(ctx, admin.ID, d.ID)
	wantCode(t, err, invites.DomainNotVerified)
	dnsServer.SetTXT(d.TXTRecordName(), "invites-verification=someone-elses-token")
	_, err = s.VerifyProjectDomain(ctx, admin.ID, d.ID)
	wantCode(t, err, invites.DomainNotVerified)
	_, err = s.UpdateProjectDomain(ctx, admin.ID, invites.UpdateProjectDomainInput{ID: d.ID, Policy: ptr(invites.PolicySuggest)})
	wantCode(t, err, invites.DomainNotVerified)

	publish(dnsServer, d)
	// Two admins verify at once: one state change, one event.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			actor := admin.ID
			if i%2 == 0 {
				actor = owner.ID
			}
			_, errs[i] = s.VerifyProjectDomain(ctx, actor, d.ID)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("VerifyProjectDomain: %v", err)
		}
	}
	if n := count(t, "activity_events", "project_id = ? AND name = ?", p.ID, invites.EventVerifiedDomain); n != 1 {
		t.Fatalf("%d Verified Domain events, want 1", n)
	}
	_, err = s.VerifyProjectDomain(ctx, admin.ID, sub.ID)
	wantCode(t, err, invites.DomainNotVerified) // the parent's record does not cover it

	list, err := s.ProjectDomains(ctx, admin.ID, p.ID)
	if err != nil || len(list) != 2 || !list[0].Verified() || list[1].Verified() {
		t.Fatalf("domains = %v, %v; want %s verified, its subdomain not", list, err, name)
	}
}

func TestUpdateProjectDomain(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Policies")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	d, err := s.AddProjectDomain(ctx, admin.ID, p.ID, uniqueDomain("policy"))
	if err != nil {
		t.Fatal(err)
	}
	publish(dnsServer, d)
	if _, err := s.VerifyProjectDomain(ctx, admin.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		actor uuid.UUID
		in    invites.UpdateProjectDomainInput
		code  invites.Code
	}{
		{"admin sets SUGGEST", admin.ID, invites.UpdateProjectDomainInput{Policy: ptr(invites.PolicySuggest)}, ""},
		{"admin sets REQUEST", admin.ID, invites.UpdateProjectDomainInput{Policy: ptr(invites.PolicyRequest)}, ""},
		{"admin may not let people in as ADMIN", admin.ID, invites.UpdateProjectDomainInput{DefaultRole: ptr(invites.RoleAdmin)}, invites.Forbidden},
		{"the owner may", owner.ID, invites.UpdateProjectDomainInput{Policy: ptr(invites.PolicyAuto), DefaultRole: ptr(invites.RoleAdmin)}, ""},
		{"never as OWNER", owner.ID, invites.UpdateProjectDomainInput{DefaultRole: ptr(invites.RoleOwner)}, invites.BadUserInput},
		{"an unknown policy", owner.ID, invites.UpdateProjectDomainInput{Policy: ptr(invites.DomainPolicy("ALL"))}, invites.BadUserInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.ID = d.ID
			got, err := s.UpdateProjectDomain(ctx, tc.actor, tc.in)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (tc.in.Policy != nil && got.Policy != *tc.in.Policy) || (tc.in.DefaultRole != nil && got.DefaultRole != *tc.in.DefaultRole) {
				t.Fatalf("domain = %+v after %+v", got, tc.in)
			}
		})
	}
}

func TestRecheckDomainsFallsBackToOff(t *testing.T) {
	s, clk, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Recheck")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin)
	kept, _ := s.AddProjectDomain(ctx, owner.ID, p.ID, uniqueDomain("kept"))
	gone, _ := s.AddProjectDomain(ctx, owner.ID, p.ID, uniqueDomain("gone"))
	for _, d := range []*invites.ProjectDomain{kept, gone} {
		publish(dnsServer, d)
		if _, err := s.VerifyProjectDomain(ctx, owner.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateProjectDomain(ctx, owner.ID, invites.UpdateProjectDomainInput{ID: d.ID, Policy: ptr(invites.PolicyAuto)}); err != nil {
			t.Fatal(err)
		}
	}
	dnsServer.SetTXT(gone.TXTRecordName())
	// The admin reads French; the owner, with no locale kept, English.
	if _, err := pgDB(t).NewRaw(`UPDATE users SET locale = 'fr' WHERE id = ?`, admin.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// Checked just now: not due yet.
	if _, err := s.RecheckDomains(ctx); err != nil {
		t.Fatal(err)
	}
	list, _ := s.ProjectDomains(ctx, owner.ID, p.ID)
	if !list[1].Verified() {
		t.Fatal("a domain checked just now was checked again")
	}
	clk.Advance(25 * time.Hour)
	if _, err := s.RecheckDomains(ctx); err != nil {
		t.Fatal(err)
	}
	list, _ = s.ProjectDomains(ctx, owner.ID, p.ID)
	if !list[0].Verified() || list[0].Policy != invites.PolicyAuto {
		t.Fatalf("kept = %+v, want verified AUTO", list[0])
	}
	if list[1].Verified() || list[1].Policy != invites.PolicyOff {
		t.Fatalf("gone = %+v, want unverified OFF", list[1])
	}
	if n := count(t, "activity_events", "project_id = ? AND name = ?", p.ID, invites.EventLostDomain); n != 1 {
		t.Fatalf("%d Lost Domain Verification events, want 1", n)
	}
	for _, to := range []string{owner.Email, admin.Email} {
		if link := lastLink(t, to); link != "https://app.example/projects/"+p.ID.String()+"/domains" {
			t.Fatalf("newest email to %s links %s, want the Domains settings", to, link)
		}
	}
	for to, subject := range map[string]string{owner.Email: gone.Domain + " is no longer verified for Recheck",
		admin.Email: gone.Domain + " n’est plus vérifié pour Recheck"} {
		if n := count(t, "emails", "kind = 'domain_lost' AND recipient = ? AND subject = ?", to, subject); n != 1 {
			t.Errorf("%d emails to %s with the subject %q, want 1 in their language", n, to, subject)
		}
		wantEmailsIn(t, "domain_lost", to, p.ID)
	}
}

func TestRemoveProjectDomain(t *testing.T) {
	s, _, _ := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Remove")
	d, _ := s.AddProjectDomain(ctx, owner.ID, p.ID, uniqueDomain("rm"))
	if err := s.RemoveProjectDomain(ctx, owner.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.RemoveProjectDomain(ctx, owner.ID, d.ID), invites.NotFound)
}
