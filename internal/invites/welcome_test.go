package invites_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// welcomeEmail is a welcome as queued in the outbox.
type welcomeEmail struct {
	Locale, Project, Role, Approved, Link string
}

// welcomes lists the welcomes queued to recipient, oldest first.
func welcomes(t *testing.T, recipient string) []welcomeEmail {
	t.Helper()
	var out []welcomeEmail
	rows, err := pgDB(t).QueryContext(context.Background(), `SELECT params->>'locale', params->>'project', params->>'role',
		coalesce(params->>'approved', ''), link FROM emails WHERE recipient = ? AND kind = 'welcome' ORDER BY created_at, id`, recipient)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var w welcomeEmail
		if err := rows.Scan(&w.Locale, &w.Project, &w.Role, &w.Approved, &w.Link); err != nil {
			t.Fatal(err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWelcome_OncePerJoinInTheReadersLocale: each way into a project queues one welcome, with
// the project, the role and a link to it, in the invite's locale for a claim and the account's
// otherwise; doing it again (a retried request) queues no second one.
func TestWelcome_OncePerJoinInTheReadersLocale(t *testing.T) {
	ctx := context.Background()
	s, _, dnsServer := newDomainService(t)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Welcome")
	contributor := ptr(invites.RoleContributor)
	invite := func(t *testing.T, email, lang string) {
		t.Helper()
		if _, err := s.CreateInvite(ctx, owner.ID, invites.CreateInviteInput{Email: email, ProjectID: &p.ID, Role: contributor, Locale: &lang}); err != nil {
			t.Fatal(err)
		}
	}
	// signUp makes an account whose locale comes from Accept-Language, with its email verified.
	signUp := func(t *testing.T, email, acceptLanguage string) *invites.User {
		t.Helper()
		if _, err := s.SignUp(ctx, invites.SignUpInput{Email: email, Password: "correct horse", Name: "Newcomer", AcceptLanguage: acceptLanguage}); err != nil {
			t.Fatal(err)
		}
		u, err := s.VerifyEmail(ctx, linkToken(t, email, "verify-email"))
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	domain := uniqueDomain("welcome")
	verifiedDomain(t, s, dnsServer, owner, p, domain, invites.PolicySuggest)

	for _, tc := range []struct {
		name string
		// join makes the person with email a member, the same way twice: the second call
		// answers what the first did or refuses, and queues nothing.
		join       func(t *testing.T, email string) (again error)
		wantLocale string
		wantRole   invites.Role
		approved   bool
	}{
		{"acceptInvite with the link: the invite's locale, not the account's", func(t *testing.T, email string) error {
			u := signUp(t, email, "ja")
			invite(t, email, "de")
			token := inviteToken(t, email)
			if _, err := s.AcceptInvite(ctx, u, invites.InviteRef{Token: token}); err != nil {
				t.Fatal(err)
			}
			_, err := s.AcceptInvite(ctx, u, invites.InviteRef{Token: token})
			return err
		}, "de", invites.RoleContributor, false},
		{"signUp with the invite's token", func(t *testing.T, email string) error {
			invite(t, email, "fr")
			token := inviteToken(t, email)
			if _, err := s.SignUp(ctx, invites.SignUpInput{Password: "correct horse", Name: "Fanny", InviteToken: token, AcceptLanguage: "es"}); err != nil {
				t.Fatal(err)
			}
			_, err := s.SignUp(ctx, invites.SignUpInput{Password: "correct horse", Name: "Fanny", InviteToken: token})
			return err
		}, "fr", invites.RoleContributor, false},
		{"verifyEmail claims the pending invite", func(t *testing.T, email string) error {
			invite(t, email, "es")
			if _, err := s.SignUp(ctx, invites.SignUpInput{Email: email, Password: "correct horse", Name: "Eva", AcceptLanguage: "ar"}); err != nil {
				t.Fatal(err)
			}
			token := linkToken(t, email, "verify-email")
			if _, err := s.VerifyEmail(ctx, token); err != nil {
				t.Fatal(err)
			}
			_, err := s.VerifyEmail(ctx, token)
			return err
		}, "es", invites.RoleContributor, false},
		{"joinWithLink: the account's locale", func(t *testing.T, email string) error {
			u := signUp(t, email, "ar-EG")
			_, token := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleAdmin})
			if _, err := s.JoinWithLink(ctx, u, token); err != nil {
				t.Fatal(err)
			}
			_, err := s.JoinWithLink(ctx, u, token)
			return err
		}, "ar", invites.RoleAdmin, false},
		{"an approved request to join", func(t *testing.T, email string) error {
			u := signUp(t, email, "pt-BR")
			r := mustRequest(t, s, u, approvalLink(t, s, owner, p, invites.RoleContributor), "please")
			if rs, err := s.ApproveJoinRequests(ctx, owner.ID, []string{r.ID.String()}, nil); err != nil || rs[0].Err != nil {
				t.Fatalf("approve: %v, %v", rs, err)
			}
			rs, err := s.ApproveJoinRequests(ctx, owner.ID, []string{r.ID.String()}, nil)
			if err == nil && rs[0].Err != nil {
				err = rs[0].Err
			}
			return err
		}, "pt-BR", invites.RoleContributor, true},
		{"joinProject through the project's domain", func(t *testing.T, email string) error {
			u := signUp(t, email, "de-AT")
			if _, err := s.JoinProject(ctx, u, p.ID); err != nil {
				t.Fatal(err)
			}
			_, err := s.JoinProject(ctx, u, p.ID)
			return err
		}, "de", invites.RoleContributor, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			email := uniqueEmail("joiner")
			if tc.name == "joinProject through the project's domain" {
				email = "joiner-" + strings.ReplaceAll(uuid.NewString()[:8], "-", "") + "@" + domain
			}
			again := tc.join(t, email)
			got := welcomes(t, email)
			if len(got) != 1 {
				t.Fatalf("%d welcomes queued (the second call answered %v); want exactly one: %+v", len(got), again, got)
			}
			wantEmailsIn(t, "welcome", email, p.ID)
			want := welcomeEmail{Locale: tc.wantLocale, Project: "Welcome", Role: string(tc.wantRole), Link: "https://app.example/projects/" + p.ID.String()}
			if tc.approved {
				want.Approved = "true"
			}
			if got[0] != want {
				t.Errorf("welcome %+v, want %+v", got[0], want)
			}
		})
	}

	t.Run("a member already gets no welcome from a claim", func(t *testing.T) {
		email := uniqueEmail("member")
		u := signUp(t, email, "en")
		invite(t, email, "ja")
		_, token := mustLink(t, s, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor})
		if _, err := s.JoinWithLink(ctx, u, token); err != nil {
			t.Fatal(err)
		}
		// Claimed by a member: the invite is ACCEPTED, the membership kept as it is.
		if _, err := s.AcceptInvite(ctx, u, invites.InviteRef{Token: inviteToken(t, email)}); err != nil {
			t.Fatal(err)
		}
		if got := welcomes(t, email); len(got) != 1 || got[0].Locale != "en" {
			t.Errorf("welcomes %+v; want only the link's, in English", got)
		}
	})

	t.Run("a denied request gets the decision in the person's locale, not a welcome", func(t *testing.T) {
		email := uniqueEmail("denied")
		u := signUp(t, email, "fr")
		r := mustRequest(t, s, u, approvalLink(t, s, owner, p, invites.RoleContributor), "please")
		if _, err := s.DenyJoinRequests(ctx, owner.ID, []string{r.ID.String()}, ptr("full")); err != nil {
			t.Fatal(err)
		}
		if got := welcomes(t, email); len(got) != 0 {
			t.Errorf("welcomes %+v after a denial", got)
		}
		if n := count(t, "emails", "recipient = ? AND kind = 'join_request_decided' AND params->>'locale' = 'fr'", email); n != 1 {
			t.Errorf("%d decision emails in the person's French, want 1", n)
		}
		wantEmailsIn(t, "join_request_decided", email, p.ID)
	})
}
