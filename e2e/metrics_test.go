package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/mail/smtptest"
)

// metricValue reads one sample from the Prometheus text at base/metrics; -1 when it is absent.
func metricValue(t testing.TB, base, sample string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` ([0-9.e+]+)$`).FindSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

func TestServer_Metrics(t *testing.T) {
	smtp := smtptest.Start(t)
	base := startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example"})
	c := e2eClient{t, base}
	ownerEmail := e2eEmail("metrics")
	var signedUp struct{ SignUp struct{ Token string } }
	c.do("", `mutation SignUp($i: SignUpInput!) { signUp(input: $i) { token } }`,
		map[string]any{"i": map[string]any{"email": ownerEmail, "password": "correct horse", "name": "M"}}, &signedUp)
	owner := signedUp.SignUp.Token
	verify := smtp.WaitFor(t, ownerEmail, 1, mailWait)[0].Link("https://app.example/verify-email/")
	c.do("", `mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }`, map[string]any{"t": tokenOf(verify)}, nil)
	c.try("", `mutation LogIn { logIn(input: {email: "nobody@example.test", password: "wrong password"}) { token } }`, nil, nil)
	project := c.createProject(owner, "Metered")
	email := e2eEmail("metered")
	c.createInvite(owner, map[string]any{"email": email, "projectId": project, "role": "CONTRIBUTOR"})
	c.try("", `query Bad(name: { x }`, nil, nil)

	for sample, want := range map[string]float64{
		`invites_graphql_requests_total{operation="SignUp"}`:                 1,
		`invites_graphql_requests_total{operation="LogIn"}`:                  1,
		`invites_graphql_errors_total{code="INVALID_CREDENTIALS"}`:           1,
		`invites_graphql_errors_total{code="BAD_USER_INPUT"}`:                1,
		`invites_graphql_request_duration_seconds_count{operation="SignUp"}`: 1,
		`invites_invites_created_total`:                                      1,
	} {
		if got := metricValue(t, base, sample); got != want {
			t.Errorf("%s = %v, want %v", sample, got, want)
		}
	}

	// The invitee signs up with the emailed token: a claim.
	link := smtp.WaitFor(t, email, 1, mailWait)[0].Link("https://app.example/invite/")
	c.signUp(map[string]any{"password": "correct horse", "name": "I", "inviteToken": tokenOf(link)})
	if got := metricValue(t, base, `invites_invites_claimed_total`); got != 1 {
		t.Errorf("invites_invites_claimed_total = %v, want 1", got)
	}

	// The emails sent are counted by kind: the verification and the invite.
	deadline := time.Now().Add(mailWait)
	for metricValue(t, base, `invites_emails_sent_total{kind="invite"}`) < 1 || metricValue(t, base, `invites_emails_sent_total{kind="verification"}`) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("emails sent were not counted")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// With METRICS_TOKEN, /metrics answers only a request that brings the token (issue 19).
func TestServer_MetricsToken(t *testing.T) {
	const token = "scraper-secret-7f3a"
	base := startServer(t, map[string]string{"METRICS_TOKEN": token})
	get := func(authorization string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for _, wrong := range []string{"", "Bearer wrong", "Bearer " + token + "x", token, "Basic " + token} {
		if code, body := get(wrong); code != http.StatusUnauthorized || strings.Contains(body, "invites_invites_created_total") {
			t.Errorf("Authorization %q: %d %.80s, want 401 with no metrics", wrong, code, body)
		}
	}
	if code, body := get("Bearer " + token); code != http.StatusOK || !strings.Contains(body, "invites_invites_created_total") {
		t.Errorf("with the token: %d %.80s, want 200 with the metrics", code, body)
	}
}
