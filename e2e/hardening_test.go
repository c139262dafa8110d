package e2e

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

// The findings of issue 19's attack on the real server, one test each (the webhook, socket
// and bulk findings have tests of their own beside their features).

// Addresses that embed IPv4 in IPv6 or come from IANA's special-purpose registries, and ports
// outside 1-65535, are refused when an endpoint is registered.
func TestWebhookEndpoint_RefusesSpecialAddresses(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example"})}
	owner := c.signUpVerified(smtp, e2eEmail("hooks-owner"), "Owner")
	project := c.createProject(owner, "Hooks")
	for _, url := range []string{
		"https://[64:ff9b::7f00:1]/h", "https://[64:ff9b::a9fe:a9fe]/h", "https://[2002:7f00:1::]/h",
		"https://[::ffff:0:7f00:1]/h", "https://[::127.0.0.1]/h", "https://[fec0::1]/h",
		"https://0.1.2.3/h", "https://240.0.0.1/h", "https://255.255.255.255/h", "https://198.18.0.1/h",
		"https://192.0.0.8/h", "https://93.184.216.34:0/h", "https://93.184.216.34:99999/h",
		"https://93.184.216.34/" + strings.Repeat("x", 2048),
	} {
		errs := c.try(owner, `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }`,
			map[string]any{"i": map[string]any{"projectId": project, "url": url}}, nil)
		if errs.code() != "BAD_USER_INPUT" || errs[0].Extensions.Field != "url" {
			t.Errorf("%.60s: %+v, want BAD_USER_INPUT on url", url, errs)
		}
	}
}

// Characters a person cannot see, or takes for others, are refused in emails and names.
func TestSignUp_RefusesInvisibleCharacters(t *testing.T) {
	c := e2eClient{t, startServer(t, map[string]string{})}
	for _, tc := range []struct{ email, name, field string }{
		{"a\u034f@example.com", "Ada", "email"},
		{"ada\ufe0f@example.com", "Ada", "email"},
		{"ada\u2800@example.com", "Ada", "email"},
		{"ada\u00a0x@example.com", "Ada", "email"},
		{"ada\u3000x@example.com", "Ada", "email"},
		{"ada\u2028x@example.com", "Ada", "email"},
		{e2eEmail("sep"), "Ada\u2028Lovelace", "name"},
		{e2eEmail("cgj"), "A\u034fda", "name"},
	} {
		errs := c.try("", e2eSignUp, map[string]any{"i": map[string]any{"email": tc.email, "password": "correct horse", "name": tc.name}}, nil)
		if errs.code() != "BAD_USER_INPUT" || errs[0].Extensions.Field != tc.field {
			t.Errorf("signUp(%q, %q): %+v, want BAD_USER_INPUT on %s", tc.email, tc.name, errs, tc.field)
		}
	}
	// A name with a no-break space is a name.
	if d := c.signUp(map[string]any{"email": e2eEmail("nbsp"), "password": "correct horse", "name": "Jean\u00a0Dupont"}); d.SignUp.Token == "" {
		t.Error("a name with a no-break space was refused")
	}
}

// A member who may not make invite links is told so for the role they asked for.
func TestInviteLink_RefusalNamesTheRoleAsked(t *testing.T) {
	smtp := smtptest.Start(t)
	c := e2eClient{t, startServer(t, map[string]string{"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example"})}
	owner := c.signUpVerified(smtp, e2eEmail("links-owner"), "Owner")
	project := c.createProject(owner, "Links")
	email := e2eEmail("contributor")
	c.createInvite(owner, map[string]any{"email": email, "projectId": project, "role": "CONTRIBUTOR"})
	link := smtp.WaitFor(t, email, 1, mailWait)[0].Link("https://app.example/invite/")
	contributor := c.signUp(map[string]any{"password": "correct horse", "name": "Cora", "inviteToken": tokenOf(link)}).SignUp.Token

	errs := c.try(contributor, e2eCreateLink, map[string]any{"i": map[string]any{"projectId": project, "role": "PENDING"}}, nil)
	if errs.code() != "FORBIDDEN" || !strings.Contains(errs[0].Message, "PENDING") || strings.Contains(errs[0].Message, "only with a role below CONTRIBUTOR") {
		t.Errorf("createInviteLink(PENDING) as CONTRIBUTOR: %+v, want FORBIDDEN naming PENDING", errs)
	}
}

// With LOG_LEVEL=debug each request is logged, but never an emailed link's token.
func TestRequestLog_HoldsNoToken(t *testing.T) {
	bin := buildReplicaBinary(t)
	procs := startReplicas(t, bin, map[string]string{"DATABASE_URL": pgtest.URL(t), "LOG_LEVEL": "debug"}, "debug-log")
	const token = "dG9rZW4tdGhhdC1tdXN0LW5vdC1iZS1sb2dnZWQtYXQtYWxs"
	for _, page := range []string{"/invite/", "/join/", "/verify-email/", "/reset-password/"} {
		code, _ := httpGet(t, procs[0].base+page+token)
		if code != http.StatusOK && code != http.StatusServiceUnavailable { // 503: the web app is not built
			t.Errorf("GET %s<token> = %d", page, code)
		}
	}
	stopReplicas(t, procs)
	log, err := os.ReadFile(procs[0].logPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(log), token) {
		t.Errorf("the log holds the token:\n%s", log)
	}
	if !strings.Contains(string(log), `"path":"/invite/…"`) {
		t.Errorf("the log does not name the invite page:\n%s", log)
	}
}
