package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

const e2eLogIn = `mutation($e: String!, $p: String!) { logIn(input: {email: $e, password: $p}) { token } }`

// forgetLoopbackFailures clears the failed log-ins that other tests of the package left for
// 127.0.0.1, so that a test counting them starts from none.
func forgetLoopbackFailures(t *testing.T) {
	t.Helper()
	if _, err := pgtest.DB(t).ExecContext(context.Background(), "DELETE FROM login_failures WHERE client = '127.0.0.1'"); err != nil {
		t.Fatal(err)
	}
}

// TestServer_InviteAbuse: invites need a verified email, a burst of resends sends one email,
// and one address gets a capped number of invite emails a day.
func TestServer_InviteAbuse(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h",
		"INVITE_RECIPIENT_DAILY_LIMIT": "3"})}

	t.Run("EmailNotVerified", func(t *testing.T) {
		c := e2eClient{t, c.base}
		unverified := c.signUp(map[string]any{"email": e2eEmail("unverified"), "password": "correct horse", "name": "U"}).SignUp.Token
		project := c.createProject(unverified, "Spam")
		victim := e2eEmail("victim")
		for name, call := range map[string]func() e2eErrors{
			"createInvite": func() e2eErrors {
				return c.try(unverified, e2eCreateInvite, map[string]any{"i": map[string]any{"email": victim}}, nil)
			},
			"bulkInvite": func() e2eErrors {
				return c.try(unverified, `mutation($p: ID!, $e: String!) { bulkInvite(input: {projectId: $p, rows: [{email: $e}]}) { summary { total } } }`,
					map[string]any{"p": project, "e": victim}, nil)
			},
		} {
			if code := call().code(); code != "EMAIL_NOT_VERIFIED" {
				t.Errorf("%s by an unverified account: code %q, want EMAIL_NOT_VERIFIED", name, code)
			}
		}
		if n, err := pgtest.DB(t).NewSelect().TableExpr("emails").Where("recipient = ?", victim).Count(context.Background()); err != nil || n != 0 {
			t.Errorf("%d emails queued to the victim (%v), want 0", n, err)
		}
	})

	owner := c.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := c.createProject(owner, "Apollo")

	t.Run("ResendBurst", func(t *testing.T) {
		c := e2eClient{t, c.base}
		victim := e2eEmail("burst")
		id := c.createInvite(owner, map[string]any{"email": victim, "projectId": project, "role": "CONTRIBUTOR"}).ID
		const n = 50
		codes := make([]string, n)
		messages := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				errs := c.try(owner, `mutation($id: ID!) { resendInvite(id: $id) { id } }`, map[string]any{"id": id}, nil)
				codes[i] = errs.code()
				if len(errs) > 0 {
					messages[i] = errs[0].Message
				}
			})
		}
		wg.Wait()
		tally := map[string]int{}
		for i, code := range codes {
			tally[code]++
			if code == "RATE_LIMITED" && !strings.Contains(messages[i], "seconds") {
				t.Errorf("RATE_LIMITED message %q does not say when to retry", messages[i])
			}
		}
		if tally[""] != 1 || tally["RATE_LIMITED"] != n-1 {
			t.Errorf("50 resends at once: %v, want 1 sent and 49 RATE_LIMITED", tally)
		}
		// The invite's email and one resend: two emails, both delivered.
		if got := len(smtp.WaitFor(t, victim, 2, mailWait)); got != 2 {
			t.Errorf("%d emails to the victim, want 2", got)
		}
		if n, _ := pgtest.DB(t).NewSelect().TableExpr("emails").Where("recipient = ?", victim).Count(context.Background()); n != 2 {
			t.Errorf("%d emails queued to the victim, want 2", n)
		}
	})

	t.Run("RecipientDailyCap", func(t *testing.T) {
		c := e2eClient{t, c.base}
		victim := e2eEmail("popular")
		projects := make([]string, 4)
		for i := range projects {
			projects[i] = c.createProject(owner, fmt.Sprintf("P%d", i))
		}
		for i := range 3 {
			c.createInvite(owner, map[string]any{"email": victim, "projectId": projects[i], "role": "CONTRIBUTOR"})
		}
		errs := c.try(owner, e2eCreateInvite, map[string]any{"i": map[string]any{"email": victim, "projectId": projects[3], "role": "CONTRIBUTOR"}}, nil)
		if errs.code() != "RATE_LIMITED" {
			t.Fatalf("a fourth invite email today: errors %+v, want RATE_LIMITED", errs)
		}
		var d struct {
			BulkInvite struct {
				Summary struct{ NewInvitations, Failed int }
				Results []struct {
					Typename       string `json:"__typename"`
					Row            int
					Email, Reason  string
					Retryable      bool
					Message        string
					ExistingInvite *struct{ ID string }
				}
			}
		}
		c.do(owner, `mutation($p: ID!, $e: String!, $f: String!) { bulkInvite(input: {projectId: $p, rows: [{email: $e}, {email: $f}]}) {
				summary { newInvitations failed }
				results { __typename ... on FailedInvite { row email reason retryable message existingInvite { id } } } } }`,
			map[string]any{"p": projects[3], "e": victim, "f": e2eEmail("fresh")}, &d)
		if len(d.BulkInvite.Results) == 0 {
			t.Fatalf("bulkInvite = %+v, want results", d.BulkInvite)
		}
		failed := d.BulkInvite.Results[0]
		if failed.Typename != "FailedInvite" || failed.Reason != "FAILED_TO_SEND" || !failed.Retryable ||
			failed.ExistingInvite != nil || !strings.Contains(failed.Message, "today") {
			t.Errorf("the capped bulk row = %+v, want a retryable FAILED_TO_SEND", failed)
		}
		if sum := d.BulkInvite.Summary; sum.NewInvitations != 1 || sum.Failed != 1 {
			t.Errorf("summary = %+v, want 1 new and 1 failed", sum)
		}
		if n, _ := pgtest.DB(t).NewSelect().TableExpr("emails").Where("recipient = ?", victim).Count(context.Background()); n != 3 {
			t.Errorf("%d emails queued to the capped address, want 3", n)
		}
	})

	t.Run("AnonymousDeclineShowsOnlyTheName", func(t *testing.T) {
		c := e2eClient{t, c.base}
		invitee := e2eEmail("decliner")
		c.createInvite(owner, map[string]any{"email": invitee, "projectId": project, "role": "CONTRIBUTOR"})
		token := tokenOf(smtp.WaitFor(t, invitee, 1, mailWait)[0].Link("https://app.example/invite/"))
		var preview struct{ Invitation *struct{ InviterName string } }
		c.do("", `query($t: String!) { invitation(token: $t) { inviterName } }`, map[string]any{"t": token}, &preview)
		var d struct {
			DeclineInvite struct {
				Status  string
				Inviter *struct {
					ID, Email, Name string
					EmailVerified   bool
				}
			}
		}
		c.do("", `mutation($t: String!) { declineInvite(input: {token: $t}) { status inviter { id email name emailVerified } } }`, map[string]any{"t": token}, &d)
		inviter := d.DeclineInvite.Inviter
		if d.DeclineInvite.Status != "DECLINED" || inviter == nil || preview.Invitation == nil || inviter.Name != preview.Invitation.InviterName {
			t.Fatalf("declineInvite = %+v, preview %+v", d, preview)
		}
		var me struct{ Me struct{ ID string } }
		c.do(owner, `{ me { id } }`, nil, &me)
		if inviter.Email != "" || inviter.ID == me.Me.ID || inviter.EmailVerified {
			t.Errorf("an anonymous decline shows the inviter as %+v: more than the preview's name", inviter)
		}
		// The admin, signed in, still sees who invited.
		var list struct {
			Project struct {
				Invites struct {
					Edges []struct {
						Node struct {
							Email   string
							Inviter struct{ Email string }
						}
					}
				}
			}
		}
		c.do(owner, `query($p: ID!) { project(id: $p) { invites(first: 50, status: DECLINED) { edges { node { email inviter { email } } } } } }`,
			map[string]any{"p": project}, &list)
		if edges := list.Project.Invites.Edges; len(edges) != 1 || edges[0].Node.Inviter.Email == "" {
			t.Errorf("the admin's view of the declined invite = %+v, want the inviter's email", edges)
		}
	})
}

// TestServer_ClientLimits: failed log-ins and sign-ups are limited per client address, taken
// from X-Forwarded-For only when the peer is a trusted proxy; an owner is never locked out.
func TestServer_ClientLimits(t *testing.T) {
	smtp := smtptest.Start(t)
	behindProxy := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h",
		"TRUSTED_PROXIES": "127.0.0.1/32", "LOGIN_CLIENT_FAILURE_LIMIT": "5", "SIGNUP_CLIENT_LIMIT": "2"})}
	direct := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example", "SWEEP_INTERVAL": "1h",
		"LOGIN_CLIENT_FAILURE_LIMIT": "3", "SIGNUP_CLIENT_LIMIT": "0"})}

	t.Run("FailedLogInsPerClient", func(t *testing.T) {
		behindProxy := e2eClient{t, behindProxy.base}
		for i := range 5 {
			if errs := behindProxy.tryFrom("198.51.100.10", "", e2eLogIn, map[string]any{"e": e2eEmail("nobody"), "p": "wrong password"}, nil); errs.code() != "INVALID_CREDENTIALS" {
				t.Fatalf("failure %d: %v, want INVALID_CREDENTIALS", i+1, errs)
			}
		}
		errs := behindProxy.tryFrom("198.51.100.10", "", e2eLogIn, map[string]any{"e": e2eEmail("nobody"), "p": "wrong password"}, nil)
		if errs.code() != "RATE_LIMITED" || !strings.Contains(errs[0].Message, "minutes") {
			t.Errorf("the sixth failure: %v, want RATE_LIMITED saying when to retry", errs)
		}
		// A spoofed entry left of the proxy's own changes nothing: the right-most one counts.
		errs = behindProxy.tryFrom("203.0.113.99, 198.51.100.10", "", e2eLogIn, map[string]any{"e": e2eEmail("nobody"), "p": "x"}, nil)
		if errs.code() != "RATE_LIMITED" {
			t.Errorf("with a made-up address in front: %v, want RATE_LIMITED", errs)
		}
		if errs := behindProxy.tryFrom("198.51.100.11", "", e2eLogIn, map[string]any{"e": e2eEmail("nobody"), "p": "x"}, nil); errs.code() != "INVALID_CREDENTIALS" {
			t.Errorf("another client: %v, want INVALID_CREDENTIALS", errs)
		}
	})

	t.Run("SignUpsPerClient", func(t *testing.T) {
		behindProxy := e2eClient{t, behindProxy.base}
		signUp := func(from string) e2eErrors {
			return behindProxy.tryFrom(from, "", e2eSignUp, map[string]any{"i": map[string]any{"email": e2eEmail("many"), "password": "correct horse", "name": "N"}}, nil)
		}
		for i := range 2 {
			if errs := signUp("198.51.100.20"); len(errs) > 0 {
				t.Fatalf("sign-up %d: %v", i+1, errs)
			}
		}
		if errs := signUp("198.51.100.20"); errs.code() != "RATE_LIMITED" {
			t.Errorf("a third sign-up this hour: %v, want RATE_LIMITED", errs)
		}
		if errs := signUp("198.51.100.21"); len(errs) > 0 {
			t.Errorf("another client: %v", errs)
		}
	})

	t.Run("OwnerNotLockedOut", func(t *testing.T) {
		behindProxy := e2eClient{t, behindProxy.base}
		email := e2eEmail("owner")
		behindProxy.signUpVerified(smtp, email, "Olga Owner")
		// Strangers fail 20 times for the owner's email, from 20 addresses (each address has
		// a limit of its own, so a determined attacker has many): twice the email's limit.
		for i := range 20 {
			if errs := behindProxy.tryFrom(fmt.Sprintf("198.51.100.%d", 100+i), "", e2eLogIn, map[string]any{"e": email, "p": "guess"}, nil); errs.code() != "INVALID_CREDENTIALS" {
				t.Fatalf("failure %d: %v, want INVALID_CREDENTIALS", i+1, errs)
			}
		}
		if n, _ := pgtest.DB(t).NewSelect().TableExpr("login_failures").Where("email = ?", email).Count(context.Background()); n != 20 {
			t.Errorf("%d failures recorded for the email, want 20", n)
		}
		// The email is slowed down for those who failed for it; the owner, from an address
		// that has not failed, gets in with the right password at once.
		var d struct{ LogIn *struct{ Token string } }
		errs := behindProxy.tryFrom("198.51.100.31", "", e2eLogIn, map[string]any{"e": email, "p": "correct horse"}, &d)
		if len(errs) > 0 || d.LogIn == nil || d.LogIn.Token == "" {
			t.Errorf("the owner from another address: %v, want a session", errs)
		}
	})

	t.Run("ForwardedForIgnoredWithoutTrustedProxy", func(t *testing.T) {
		direct := e2eClient{t, direct.base}
		forgetLoopbackFailures(t)
		// Each request claims another address; the server counts them all as 127.0.0.1.
		for i := range 3 {
			if errs := direct.tryFrom(fmt.Sprintf("198.51.100.%d", 40+i), "", e2eLogIn, map[string]any{"e": e2eEmail("nobody"), "p": "x"}, nil); errs.code() != "INVALID_CREDENTIALS" {
				t.Fatalf("failure %d: %v", i+1, errs)
			}
		}
		if errs := direct.tryFrom("198.51.100.99", "", e2eLogIn, map[string]any{"e": e2eEmail("nobody"), "p": "x"}, nil); errs.code() != "RATE_LIMITED" {
			t.Errorf("a fourth failure claiming a new address: %v, want RATE_LIMITED", errs)
		}
		forgetLoopbackFailures(t)
	})
}
