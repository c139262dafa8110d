package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// startServer runs the real server (app.Run) on a free port with env as its whole environment and
// returns its base URL; it is shut down, and must stop cleanly, when the test ends.
func startServer(t *testing.T, env map[string]string) string {
	t.Helper()
	if env["ADDR"] == "" {
		env["ADDR"] = "127.0.0.1:0"
	}
	if env["DATABASE_URL"] == "" {
		env["DATABASE_URL"] = pgtest.URL(t)
	}
	env["LOG_LEVEL"] = "warn"
	if _, ok := env["SIGNUP_CLIENT_LIMIT"]; !ok {
		// Every test signs up from 127.0.0.1 into one database; the cap has its own tests.
		env["SIGNUP_CLIENT_LIMIT"] = "0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx, func(k string) string { return env[k] }, ready) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("shutdown: %v", err)
				}
			case <-time.After(40 * time.Second):
				t.Error("the server did not shut down")
			}
		})
		return "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("server did not start in time")
	}
	return ""
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func postGraphQL(t *testing.T, base, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServer(t *testing.T) {
	base := startServer(t, map[string]string{})

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		if code, body := httpGet(t, base+path); code != http.StatusOK || !strings.Contains(strings.ToLower(body), want) {
			t.Errorf("GET %s = %d %q, want 200 with %q", path, code, body, want)
		}
	}
	// The web app's pages and the playground's (their own tests check them; without built
	// assets each says so, 503).
	for _, path := range []string{"/", "/invite/some-token", "/projects/x/bulk", "/playground"} {
		if code, body := httpGet(t, base+path); (code != http.StatusOK && code != http.StatusServiceUnavailable) || !strings.Contains(strings.ToLower(body), "<html") {
			t.Errorf("GET %s = %d %.200q, want a page", path, code, body)
		}
	}
	// Paths that are neither a page nor the API are not found, HTML or not.
	for _, path := range []string{"/graphql/x", "/api/users", "/invite/", "/nothing-here"} {
		if code, body := httpGet(t, base+path); code != http.StatusNotFound {
			t.Errorf("GET %s = %d %.200q, want 404", path, code, body)
		}
	}
	if resp, err := http.Post(base+"/", "text/plain", nil); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %v, %v; want 405", resp.StatusCode, err)
	}
	code, body := postGraphQL(t, base, `{"query":"{ me { id } }"}`)
	if code != http.StatusOK || body != `{"data":{"me":null}}` {
		t.Errorf("POST /graphql = %d %s", code, body)
	}
	code, body = postGraphQL(t, base, `{"query":"{ __schema { queryType { name } } }"}`)
	if code != http.StatusOK || !strings.Contains(body, `"Query"`) {
		t.Errorf("introspection = %d %s", code, body)
	}
}

func TestServer_IntrospectionOff(t *testing.T) {
	base := startServer(t, map[string]string{"INTROSPECTION": "false"})
	_, body := postGraphQL(t, base, `{"query":"{ __schema { queryType { name } } }"}`)
	if !strings.Contains(body, "introspection disabled") {
		t.Errorf("introspection with INTROSPECTION=false: %s", body)
	}
}

// e2eClient talks to a running server over HTTP.
type e2eClient struct {
	t    testing.TB
	base string
}

// e2eError is one error of a response, with the extensions the tests read.
type e2eError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code   string `json:"code"`
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"extensions"`
}

// e2eErrors are a response's errors.
type e2eErrors []e2eError

// code is the first error's extensions.code, "" when there is none.
func (errs e2eErrors) code() string {
	if len(errs) == 0 {
		return ""
	}
	return errs[0].Extensions.Code
}

// postJSON posts one GraphQL request to url with a bearer token (none when "") and the headers
// given, decodes its data into out unless out is nil (a field of the answer that out lacks is
// an error), and returns its errors; err is a request that failed or an answer that is not
// GraphQL's. It is safe from any goroutine.
func postJSON(url, token, query string, vars map[string]any, out any, header http.Header) (e2eErrors, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors e2eErrors       `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("decode response (%s): %w", resp.Status, err)
	}
	if out != nil && len(r.Data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(r.Data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(out); err != nil {
			return r.Errors, fmt.Errorf("decode data %s: %w", r.Data, err)
		}
	}
	return r.Errors, nil
}

// do runs one GraphQL request and decodes its data into out (unless nil), failing the test on
// any error.
func (c e2eClient) do(token, query string, vars map[string]any, out any) {
	c.t.Helper()
	if errs := c.try(token, query, vars, out); len(errs) > 0 {
		c.t.Fatalf("%s: errors %+v", query, errs)
	}
}

// try runs one GraphQL request, decodes its data into out (unless nil) and returns its errors.
func (c e2eClient) try(token, query string, vars map[string]any, out any) e2eErrors {
	c.t.Helper()
	return c.tryFrom("", token, query, vars, out)
}

// tryFrom is try with an X-Forwarded-For header ("" for none).
func (c e2eClient) tryFrom(forwardedFor, token, query string, vars map[string]any, out any) e2eErrors {
	c.t.Helper()
	header := http.Header{}
	if forwardedFor != "" {
		header.Set("X-Forwarded-For", forwardedFor)
	}
	errs, err := postJSON(c.base+"/graphql", token, query, vars, out, header)
	if err != nil {
		c.t.Fatal(err)
	}
	return errs
}

// e2eSignedUp is e2eSignUp's answer.
type e2eSignedUp struct {
	SignUp struct {
		Token string
		User  struct {
			Email         string
			EmailVerified bool
		}
	}
}

// signUp runs e2eSignUp with input, failing the test on any error.
func (c e2eClient) signUp(input map[string]any) e2eSignedUp {
	c.t.Helper()
	var d e2eSignedUp
	c.do("", e2eSignUp, map[string]any{"i": input}, &d)
	return d
}

// createProject creates a project named name as token's user and returns its ID.
func (c e2eClient) createProject(token, name string) string {
	c.t.Helper()
	var d struct{ CreateProject struct{ ID string } }
	c.do(token, `mutation($n: String!) { createProject(input: {name: $n}) { id } }`, map[string]any{"n": name}, &d)
	return d.CreateProject.ID
}

// createInvite runs e2eCreateInvite with input, failing the test on any error, and returns the
// invite.
func (c e2eClient) createInvite(token string, input map[string]any) (invite struct{ ID, Status string }) {
	c.t.Helper()
	var d struct{ CreateInvite struct{ ID, Status string } }
	c.do(token, e2eCreateInvite, map[string]any{"i": input}, &d)
	return d.CreateInvite
}

// signUpVerified signs email up and verifies it through the link that smtp receives (sending
// invites needs a verified email); it returns the session token. APP_URL must be
// https://app.example.
func (c e2eClient) signUpVerified(smtp *smtptest.Server, email, name string) string {
	c.t.Helper()
	token := c.signUp(map[string]any{"email": email, "password": "correct horse", "name": name}).SignUp.Token
	link := smtp.WaitFor(c.t, email, 1, mailWait)[0].Link("https://app.example/verify-email/")
	c.do("", `mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }`, map[string]any{"t": tokenOf(link)}, nil)
	return token
}

func tokenOf(link string) string { return link[strings.LastIndexByte(link, '/')+1:] }

// e2eSeq tells apart the addresses made in one nanosecond; tests make them from many
// goroutines at once.
var e2eSeq atomic.Int64

func e2eEmail(name string) string {
	return name + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + strconv.FormatInt(e2eSeq.Add(1), 10) + "@example.test"
}

// emailRow is the part of an emails row that the end-to-end tests check.
type emailRow struct {
	Status string `bun:"status"`
	Link   string `bun:"link"`
}

// waitEmailRow polls until the one emails row for recipient has status want, and returns it.
func waitEmailRow(t *testing.T, recipient, want string, timeout time.Duration) emailRow {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var rows []emailRow
		err := pgtest.DB(t).NewSelect().Table("emails").Column("status", "link").
			Where("recipient = ?", recipient).Scan(context.Background(), &rows)
		if err != nil {
			t.Fatalf("load emails: %v", err)
		}
		if len(rows) > 1 {
			t.Fatalf("%d emails rows for %s, want 1", len(rows), recipient)
		}
		if len(rows) == 1 && rows[0].Status == want {
			return rows[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("emails rows for %s after %s: %+v, want one %s", recipient, timeout, rows, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
