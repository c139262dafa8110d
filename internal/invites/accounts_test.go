package invites_test

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
)

func TestService_SignUp(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)

	t.Run("OK", func(t *testing.T) {
		email := uniqueEmail("ada")
		sess, err := s.SignUp(ctx, invites.SignUpInput{Email: "  " + strings.ToUpper(email) + " ", Password: "correct horse", Name: "  Ada Lovelace "})
		if err != nil {
			t.Fatal(err)
		}
		if got := sess.User.Email; got != email {
			t.Errorf("email = %q, want %q (trimmed, lower case)", got, email)
		}
		if got := sess.User.Name; got != "Ada Lovelace" {
			t.Errorf("name = %q, want trimmed", got)
		}
		if sess.User.EmailVerified() {
			t.Error("email verified at sign-up without an invite")
		}
		if len(sess.Token) != 43 {
			t.Errorf("token %q: want 32 bytes in unpadded base64url", sess.Token)
		}
		u, err := s.Authenticate(ctx, sess.Token)
		if err != nil || u.ID != sess.User.ID {
			t.Fatalf("Authenticate = %v, %v; want the new user", u, err)
		}
		if link := lastLink(t, email); !strings.HasPrefix(link, "https://app.example/verify-email/") {
			t.Errorf("verification link = %q", link)
		}
		// Only hashes of secrets are stored.
		if n := count(t, "sessions", "encode(token_hash, 'escape') LIKE ?", "%"+sess.Token+"%"); n != 0 {
			t.Error("the session token is stored in the clear")
		}
		var hash string
		if err := pgDB(t).NewSelect().TableExpr("users").Column("password_hash").Where("id = ?", sess.User.ID).Scan(ctx, &hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, "correct horse") {
			t.Errorf("password hash = %q, want argon2id", hash)
		}
	})

	t.Run("ErrBadUserInput", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			in    invites.SignUpInput
			field string
		}{
			{"NoEmail", invites.SignUpInput{Email: " ", Password: "password", Name: "A"}, "email"},
			{"InvalidEmail", invites.SignUpInput{Email: "not-an-email", Password: "password", Name: "A"}, "email"},
			{"DisplayName", invites.SignUpInput{Email: "Ada <ada@example.com>", Password: "password", Name: "A"}, "email"},
			{"NoDomainDot", invites.SignUpInput{Email: "ada@localhost", Password: "password", Name: "A"}, "email"},
			{"ShortPassword", invites.SignUpInput{Email: uniqueEmail("p"), Password: "1234567", Name: "A"}, "password"},
			{"LongPassword", invites.SignUpInput{Email: uniqueEmail("p"), Password: strings.Repeat("x", 257), Name: "A"}, "password"},
			{"EmptyName", invites.SignUpInput{Email: uniqueEmail("n"), Password: "password", Name: "   "}, "name"},
			{"LongName", invites.SignUpInput{Email: uniqueEmail("n"), Password: "password", Name: strings.Repeat("n", 201)}, "name"},
			{"ControlInName", invites.SignUpInput{Email: uniqueEmail("n"), Password: "password", Name: "a\x00b"}, "name"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				users := count(t, "users", "TRUE")
				_, err := s.SignUp(ctx, tc.in)
				wantCode(t, err, invites.BadUserInput)
				if e := err.(*invites.Error); e.Field != tc.field {
					t.Errorf("field = %q, want %q", e.Field, tc.field)
				}
				if got := count(t, "users", "TRUE"); got != users {
					t.Errorf("users = %d after a rejected sign-up, want %d", got, users)
				}
			})
		}
	})

	t.Run("LimitsAreInclusive", func(t *testing.T) {
		_, err := s.SignUp(ctx, invites.SignUpInput{Email: uniqueEmail("lim"), Password: strings.Repeat("p", 256), Name: strings.Repeat("n", 200)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.SignUp(ctx, invites.SignUpInput{Email: uniqueEmail("lim"), Password: "12345678", Name: "n"})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrEmailTaken", func(t *testing.T) {
		email := uniqueEmail("taken")
		mustSignUp(t, s, email)
		wantEmailsIn(t, "verification", email, invites.ServiceProjectID)
		emails := count(t, "emails", "recipient = ?", email)
		_, err := s.SignUp(ctx, invites.SignUpInput{Email: " " + strings.ToUpper(email), Password: "password", Name: "Other"})
		wantCode(t, err, invites.EmailTaken)
		if got := count(t, "emails", "recipient = ?", email); got != emails {
			t.Errorf("a rejected sign-up queued an email")
		}
	})

	t.Run("ConcurrentSameEmail", func(t *testing.T) {
		email := uniqueEmail("race")
		const n = 10
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.SignUp(ctx, invites.SignUpInput{Email: email, Password: "password", Name: "Racer"})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if invites.ErrorCode(err) != invites.EmailTaken {
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || count(t, "users", "email = ?", email) != 1 {
			t.Errorf("%d sign-ups succeeded, want 1", ok)
		}
	})
}

func TestService_LogIn(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, func(c *config.Domain) {
		c.LoginFailureLimit, c.LoginFailureWindow, c.LoginClientFailureLimit = 3, 15*time.Minute, 5
	})

	t.Run("OK", func(t *testing.T) {
		email := uniqueEmail("login")
		mustSignUp(t, s, email)
		sess, err := s.LogIn(ctx, newClient(), " "+strings.ToUpper(email), "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if sess.User.Email != email {
			t.Errorf("user = %s, want %s", sess.User.Email, email)
		}
	})

	t.Run("ErrInvalidCredentialsAlike", func(t *testing.T) {
		email := uniqueEmail("login")
		mustSignUp(t, s, email)
		_, wrongPassword := s.LogIn(ctx, newClient(), email, "wrong password")
		_, unknownEmail := s.LogIn(ctx, newClient(), uniqueEmail("nobody"), "correct horse")
		_, malformed := s.LogIn(ctx, newClient(), "not an email", "correct horse")
		wantCode(t, wrongPassword, invites.InvalidCredentials)
		wantCode(t, unknownEmail, invites.InvalidCredentials)
		wantCode(t, malformed, invites.InvalidCredentials)
		if wrongPassword.Error() != unknownEmail.Error() || wrongPassword.Error() != malformed.Error() {
			t.Errorf("messages differ: %q, %q, %q", wrongPassword, unknownEmail, malformed)
		}
	})

	t.Run("ErrRateLimitedPerClient", func(t *testing.T) {
		attacker := newClient()
		// A second service on the same database stands for another replica: failures count
		// across both, whatever the emails.
		replica := newServices(t, pgDB(t), clk, func(c *config.Domain) {
			c.LoginFailureLimit, c.LoginFailureWindow, c.LoginClientFailureLimit = 3, 15*time.Minute, 5
		}).Invites
		for i, svc := range []*invites.Service{s, replica, s, replica, s} {
			_, err := svc.LogIn(ctx, attacker, uniqueEmail("victim"), "wrong")
			if invites.ErrorCode(err) != invites.InvalidCredentials {
				t.Fatalf("failure %d: %v, want INVALID_CREDENTIALS", i+1, err)
			}
		}
		email := uniqueEmail("limited")
		mustSignUp(t, s, email)
		_, err := replica.LogIn(ctx, attacker, email, "correct horse")
		wantCode(t, err, invites.RateLimited)
		if !strings.Contains(invites.ErrorMessage(err), "15 minutes") {
			t.Errorf("message %q does not say when to retry", invites.ErrorMessage(err))
		}
		// Another client is not held back.
		if _, err := s.LogIn(ctx, newClient(), email, "correct horse"); err != nil {
			t.Fatalf("another client: %v", err)
		}
		clk.Advance(16 * time.Minute)
		if _, err := s.LogIn(ctx, attacker, email, "correct horse"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})

	t.Run("OwnerNeverLockedOut", func(t *testing.T) {
		email := uniqueEmail("owner")
		mustSignUp(t, s, email)
		// Strangers fail for the email from many addresses, far past its limit of 3.
		strangers := []netip.Addr{newClient(), newClient(), newClient(), newClient()}
		for range 4 {
			for _, c := range strangers {
				s.LogIn(ctx, c, email, "guess")
			}
			clk.Advance(20 * time.Second)
		}
		if n := count(t, "login_failures", "email = ?", email); n < 8 {
			t.Fatalf("%d failures recorded for the email, want at least 8", n)
		}
		// The owner, from an address that has not failed, gets in at once.
		if _, err := s.LogIn(ctx, newClient(), email, "correct horse"); err != nil {
			t.Fatalf("the owner was locked out: %v", err)
		}
	})

	t.Run("EmailSlowsFailingClients", func(t *testing.T) {
		email := uniqueEmail("slowed")
		mustSignUp(t, s, email)
		guesser := newClient()
		for range 3 { // the email's limit: no delay yet
			_, err := s.LogIn(ctx, guesser, email, "guess")
			wantCode(t, err, invites.InvalidCredentials)
		}
		// Now the guesser, having failed 3 times for it, waits 2^2 s after its last failure,
		// even with the right password; a client that has not failed does not.
		_, err := s.LogIn(ctx, guesser, email, "correct horse")
		wantCode(t, err, invites.RateLimited)
		if !strings.Contains(invites.ErrorMessage(err), "4 seconds") {
			t.Errorf("message %q, want a wait of 4 seconds", invites.ErrorMessage(err))
		}
		if _, err := s.LogIn(ctx, newClient(), email, "correct horse"); err != nil {
			t.Fatalf("a client that has not failed: %v", err)
		}
		clk.Advance(4 * time.Second)
		if _, err := s.LogIn(ctx, guesser, email, "correct horse"); err != nil {
			t.Fatalf("after the delay: %v", err)
		}
	})

	t.Run("SuccessResetsFailures", func(t *testing.T) {
		email := uniqueEmail("reset")
		mustSignUp(t, s, email)
		c := newClient()
		for range 2 {
			s.LogIn(ctx, c, email, "wrong")
		}
		if _, err := s.LogIn(ctx, c, email, "correct horse"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, "login_failures", "email = ? AND client = ?", email, c.String()); n != 0 {
			t.Errorf("%d failures left after a success, want 0", n)
		}
		for range 2 {
			s.LogIn(ctx, c, email, "wrong")
		}
		if _, err := s.LogIn(ctx, c, email, "correct horse"); err != nil {
			t.Fatalf("failures before a success still counted: %v", err)
		}
	})

	t.Run("ConcurrentFailuresCountExactly", func(t *testing.T) {
		email := uniqueEmail("parallel")
		mustSignUp(t, s, email)
		attacker := newClient()
		const n = 16
		codes := make([]invites.Code, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := s.LogIn(ctx, attacker, uniqueEmail("spray"), "wrong")
				codes[i] = invites.ErrorCode(err)
			})
		}
		wg.Wait()
		tally := map[invites.Code]int{}
		for _, c := range codes {
			tally[c]++
		}
		if tally[invites.InvalidCredentials] != 5 || tally[invites.RateLimited] != n-5 {
			t.Errorf("outcomes = %v, want 5 INVALID_CREDENTIALS and %d RATE_LIMITED", tally, n-5)
		}
		if got := count(t, "login_failures", "client = ?", attacker.String()); got != 5 {
			t.Errorf("%d failures recorded for the client, want exactly 5", got)
		}
		if _, err := s.LogIn(ctx, newClient(), email, "correct horse"); err != nil {
			t.Fatalf("the right password from another client: %v", err)
		}
	})

	t.Run("IPv6CountedPerNetwork", func(t *testing.T) {
		for i := range 5 {
			c := netip.MustParseAddr("2001:db8:77:1::" + strconv.Itoa(i+1))
			s.LogIn(ctx, c, uniqueEmail("v6"), "wrong")
		}
		_, err := s.LogIn(ctx, netip.MustParseAddr("2001:db8:77:1:ffff::9"), uniqueEmail("v6"), "wrong")
		wantCode(t, err, invites.RateLimited)
		_, err = s.LogIn(ctx, netip.MustParseAddr("2001:db8:77:2::1"), uniqueEmail("v6"), "wrong")
		wantCode(t, err, invites.InvalidCredentials)
	})
}

func TestService_SignUpClientLimit(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, func(c *config.Domain) { c.SignUpClientLimit = 3 })
	c := newClient()
	for i := range 3 {
		if _, err := s.SignUp(ctx, invites.SignUpInput{Email: uniqueEmail("many"), Password: "correct horse", Name: "N", Client: c}); err != nil {
			t.Fatalf("sign-up %d: %v", i+1, err)
		}
	}
	email := uniqueEmail("one-too-many")
	_, err := s.SignUp(ctx, invites.SignUpInput{Email: email, Password: "correct horse", Name: "N", Client: c})
	wantCode(t, err, invites.RateLimited)
	if count(t, "users", "email = ?", email) != 0 || count(t, "emails", "recipient = ?", email) != 0 {
		t.Error("a refused sign-up made an account or queued an email")
	}
	// Another address signs up; so does this one in the next hour.
	if _, err := s.SignUp(ctx, invites.SignUpInput{Email: uniqueEmail("other"), Password: "correct horse", Name: "N", Client: newClient()}); err != nil {
		t.Fatalf("another address: %v", err)
	}
	clk.Advance(time.Hour)
	if _, err := s.SignUp(ctx, invites.SignUpInput{Email: email, Password: "correct horse", Name: "N", Client: c}); err != nil {
		t.Fatalf("the next hour: %v", err)
	}

	t.Run("ConcurrentCountExactly", func(t *testing.T) {
		burst := newClient()
		const n = 10
		codes := make([]invites.Code, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := s.SignUp(ctx, invites.SignUpInput{Email: uniqueEmail("burst"), Password: "correct horse", Name: "N", Client: burst})
				if err != nil {
					codes[i] = invites.ErrorCode(err)
				}
			})
		}
		wg.Wait()
		tally := map[invites.Code]int{}
		for _, c := range codes {
			tally[c]++
		}
		if tally[""] != 3 || tally[invites.RateLimited] != n-3 {
			t.Errorf("10 sign-ups at once from one address: %v, want 3 made and 7 RATE_LIMITED", tally)
		}
	})
}

func TestService_Authenticate(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, func(c *config.Domain) { c.SessionTTL = time.Hour })

	t.Run("ErrUnauthenticated", func(t *testing.T) {
		for _, token := range []string{"", "nonsense", strings.Repeat("A", 43)} {
			_, err := s.Authenticate(ctx, token)
			wantCode(t, err, invites.Unauthenticated)
		}
	})

	t.Run("LogOut", func(t *testing.T) {
		sess := mustSignUp(t, s, uniqueEmail("logout"))
		other, err := s.LogIn(ctx, newClient(), sess.User.Email, "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.LogOut(ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		_, err = s.Authenticate(ctx, sess.Token)
		wantCode(t, err, invites.Unauthenticated)
		if _, err := s.Authenticate(ctx, other.Token); err != nil {
			t.Errorf("logging out ended another session: %v", err)
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		sess := mustSignUp(t, s, uniqueEmail("expiry"))
		clk.Advance(59 * time.Minute)
		if _, err := s.Authenticate(ctx, sess.Token); err != nil {
			t.Fatalf("before expiry: %v", err)
		}
		clk.Advance(2 * time.Minute)
		_, err := s.Authenticate(ctx, sess.Token)
		wantCode(t, err, invites.Unauthenticated)
	})
}

func TestService_VerifyEmail(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, func(c *config.Domain) { c.VerificationTTL = time.Hour })
	tokenOf := func(t *testing.T, email string) string {
		link := lastLink(t, email)
		return link[strings.LastIndexByte(link, '/')+1:]
	}

	t.Run("OK", func(t *testing.T) {
		email := uniqueEmail("verify")
		mustSignUp(t, s, email)
		u, err := s.VerifyEmail(ctx, tokenOf(t, email))
		if err != nil {
			t.Fatal(err)
		}
		if !u.EmailVerified() || u.Email != email {
			t.Errorf("user = %+v, want %s verified", u, email)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		email := uniqueEmail("verify")
		mustSignUp(t, s, email)
		token := tokenOf(t, email)
		if _, err := s.VerifyEmail(ctx, token); err != nil {
			t.Fatal(err)
		}
		_, err := s.VerifyEmail(ctx, token)
		wantCode(t, err, invites.NotFound) // used
		_, err = s.VerifyEmail(ctx, "unknown")
		wantCode(t, err, invites.NotFound)
	})

	t.Run("ErrExpired", func(t *testing.T) {
		email := uniqueEmail("verify")
		sess := mustSignUp(t, s, email)
		clk.Advance(61 * time.Minute)
		_, err := s.VerifyEmail(ctx, tokenOf(t, email))
		wantCode(t, err, invites.NotFound)
		u, err := s.LogIn(ctx, newClient(), email, "correct horse")
		if err != nil || u.User.EmailVerified() || u.User.ID != sess.User.ID {
			t.Errorf("an expired link verified the email: %v, %v", u, err)
		}
	})
}
