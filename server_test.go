package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// startServer runs the real server (run) on a free port with env as its whole environment and
// returns its base URL; it is shut down, and must stop cleanly, when the test ends.
func startServer(t *testing.T, env map[string]string) string {
	t.Helper()
	env["ADDR"] = "127.0.0.1:0"
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
	go func() { done <- run(ctx, func(k string) string { return env[k] }, ready) }()
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
	// The playground's page (its own tests check it; without built assets it says so, 503).
	if code, body := httpGet(t, base+"/"); (code != http.StatusOK && code != http.StatusServiceUnavailable) || !strings.Contains(strings.ToLower(body), "<html") {
		t.Errorf("GET / = %d %.200q, want the playground's page", code, body)
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

func TestReadyz(t *testing.T) {
	ctx := context.Background()
	check := func(db *bun.DB) (int, string) {
		rec := httptest.NewRecorder()
		readyz(db)(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return rec.Code, rec.Body.String()
	}

	t.Run("Ready", func(t *testing.T) {
		if code, body := check(pgtest.DB(t)); code != http.StatusOK {
			t.Errorf("readyz = %d %s", code, body)
		}
	})

	t.Run("MigrationsPending", func(t *testing.T) {
		server, err := pglocal.WithDatabase(pgtest.URL(t), "postgres")
		if err != nil {
			t.Fatal(err)
		}
		name := "invites_test_unmigrated_" + strconv.FormatInt(time.Now().UnixNano(), 36)
		url, err := pglocal.EnsureDatabase(ctx, server, name)
		if err != nil {
			t.Fatal(err)
		}
		db, err := openDB(ctx, url, defaultPool(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			db.Close()
			admin, _ := openDB(ctx, server, defaultPool(t))
			admin.ExecContext(ctx, `DROP DATABASE "`+name+`" WITH (FORCE)`)
			admin.Close()
		})
		if code, body := check(db); code != http.StatusServiceUnavailable || !strings.Contains(body, "pending") {
			t.Errorf("readyz on an unmigrated database = %d %q, want 503 pending", code, body)
		}
	})

	t.Run("DatabaseUnreachable", func(t *testing.T) {
		db, err := openDB(ctx, pgtest.URL(t), defaultPool(t))
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if code, body := check(db); code != http.StatusServiceUnavailable || !strings.Contains(body, "unreachable") {
			t.Errorf("readyz with the database closed = %d %q, want 503 unreachable", code, body)
		}
	})
}

// e2eClient talks to a running server over HTTP.
type e2eClient struct {
	t    *testing.T
	base string
}

// do runs one GraphQL request and returns its data, failing the test on any error.
func (c e2eClient) do(token, query string, vars map[string]any) map[string]any {
	c.t.Helper()
	data, errs := c.try(token, query, vars)
	if len(errs) > 0 {
		c.t.Fatalf("%s: errors %v", query, errs)
	}
	return data
}

// signUpVerified signs email up and verifies it through the link that smtp receives (sending
// invites needs a verified email); it returns the session token. APP_URL must be
// https://app.example.
func (c e2eClient) signUpVerified(smtp *smtptest.Server, email, name string) string {
	c.t.Helper()
	token := field(c.do("", e2eSignUp, map[string]any{"i": map[string]any{"email": email, "password": "correct horse", "name": name}}), "signUp", "token").(string)
	link := smtp.WaitFor(c.t, email, 1, mailWait)[0].Link("https://app.example/verify-email/")
	c.do("", `mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }`, map[string]any{"t": tokenOf(link)})
	return token
}

// try runs one GraphQL request and returns its data and errors.
func (c e2eClient) try(token, query string, vars map[string]any) (map[string]any, []map[string]any) {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any   `json:"data"`
		Errors []map[string]any `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		c.t.Fatalf("decode response: %v", err)
	}
	return out.Data, out.Errors
}

func field(v any, path ...string) any {
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func tokenOf(link string) string { return link[strings.LastIndexByte(link, '/')+1:] }

var e2eSeq int

func e2eEmail(name string) string {
	e2eSeq++
	return name + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + strconv.Itoa(e2eSeq) + "@example.test"
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
