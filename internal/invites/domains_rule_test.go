package invites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/invites/invites/internal/invites"
)

func TestRestrictToDomains(t *testing.T) {
	s, _, dnsServer := newDomainService(t)
	ctx := context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Restricted")
	admin := mustMember(t, s, owner.ID, p.ID, invites.RoleAdmin) // @example.com: outside
	name := uniqueDomain("corp")
	verifiedDomain(t, s, dnsServer, owner, p, name, invites.PolicyOff)
	// Sent before the restriction: its claim is refused after.
	early := "early@" + uniqueDomain("elsewhere")
	mustInvite(t, s, owner.ID, early, &p.ID, invites.RoleContributor, "")
	link, err := s.CreateInviteLink(ctx, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor})
	if err != nil {
		t.Fatal(err)
	}

	_, err = s.UpdateProject(ctx, admin.ID, invites.UpdateProjectInput{ID: p.ID, RestrictToDomains: ptr(true)})
	wantCode(t, err, invites.Forbidden)
	up, err := s.UpdateProject(ctx, owner.ID, invites.UpdateProjectInput{ID: p.ID, RestrictToDomains: ptr(true), DefaultLocale: ptr("pt-br")})
	if err != nil || !up.RestrictToDomains || up.DefaultLocale == nil || *up.DefaultLocale != "pt-BR" {
		t.Fatalf("UpdateProject = %+v, %v", up, err)
	}
	_, err = s.UpdateProject(ctx, owner.ID, invites.UpdateProjectInput{ID: p.ID, DefaultLocale: ptr("not a tag!")})
	wantCode(t, err, invites.BadUserInput)
	outside, err := s.MembersOutsideDomains(ctx, owner.ID, p.ID)
	if err != nil || len(outside) != 2 { // the owner and the admin, kept
		t.Fatalf("members outside = %d, %v; want 2", len(outside), err)
	}

	t.Run("createInvite", func(t *testing.T) {
		_, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("out"), ProjectID: &p.ID, Role: ptr(invites.RoleContributor)})
		wantCode(t, err, invites.EmailDomainNotAllowed)
		mustInvite(t, s, owner.ID, "in@"+name, &p.ID, invites.RoleContributor, "")
	})
	t.Run("bulk rows", func(t *testing.T) {
		out, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor,
			Rows: []invites.BulkRow{{Row: 1, Email: uniqueEmail("bulk")}, {Row: 2, Email: "bulk@" + name}}})
		if err != nil {
			t.Fatal(err)
		}
		f, ok := out.Results[0].(*invites.FailedInvite)
		if !ok || f.Reason != invites.ReasonEmailDomainNotAllowed {
			t.Fatalf("row 1 = %#v, want EMAIL_DOMAIN_NOT_ALLOWED", out.Results[0])
		}
		if _, ok := out.Results[1].(*invites.NewInvitation); !ok {
			t.Fatalf("row 2 = %#v, want invited", out.Results[1])
		}
	})
	t.Run("invite link join", func(t *testing.T) {
		token := strings.TrimPrefix(link.URL, "https://app.example/join/")
		u := mustVerifiedUser(t, s, uniqueEmail("linker"))
		_, err := s.JoinWithLink(ctx, u, token)
		wantCode(t, err, invites.EmailDomainNotAllowed)
		if _, err := s.JoinWithLink(ctx, mustVerifiedUser(t, s, "linker@"+name), token); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ownership transfer", func(t *testing.T) {
		_, err := s.TransferOwnership(ctx, owner.ID, p.ID, admin.ID)
		wantCode(t, err, invites.EmailDomainNotAllowed)
	})
	t.Run("claims at sign-up and verification", func(t *testing.T) {
		_, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: inviteToken(t, early), Password: "correct horse", Name: "Early"})
		wantCode(t, err, invites.EmailDomainNotAllowed)
		u := mustVerifiedUser(t, s, early) // verification claims what it may: not this one
		if memberRow(t, p.ID, u.ID) != nil {
			t.Fatal("a claim at verification got past restrictToDomains")
		}
	})
	t.Run("turned off again", func(t *testing.T) {
		if _, err := s.UpdateProject(ctx, owner.ID, invites.UpdateProjectInput{ID: p.ID, RestrictToDomains: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: uniqueEmail("free"), ProjectID: &p.ID, Role: ptr(invites.RoleContributor)}); err != nil {
			t.Fatal(err)
		}
	})
}
