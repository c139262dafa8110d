package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

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

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/": "<html"} {
		if code, body := httpGet(t, base+path); code != http.StatusOK || !strings.Contains(strings.ToLower(body), want) {
			t.Errorf("GET %s = %d %q, want 200 with %q", path, code, body, want)
		}
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
		db, err := openDB(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			db.Close()
			admin, _ := openDB(ctx, server)
			admin.ExecContext(ctx, `DROP DATABASE "`+name+`" WITH (FORCE)`)
			admin.Close()
		})
		if code, body := check(db); code != http.StatusServiceUnavailable || !strings.Contains(body, "pending") {
			t.Errorf("readyz on an unmigrated database = %d %q, want 503 pending", code, body)
		}
	})

	t.Run("DatabaseUnreachable", func(t *testing.T) {
		db, err := openDB(ctx, pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if code, body := check(db); code != http.StatusServiceUnavailable || !strings.Contains(body, "unreachable") {
			t.Errorf("readyz with the database closed = %d %q, want 503 unreachable", code, body)
		}
	})
}

func TestLoadConfig(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, err := loadConfig(func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != ":8080" || c.AppURL != "http://localhost:8080" || !c.Introspection || c.SMTPURL != "" || c.SessionTTL != 30*24*time.Hour {
			t.Errorf("defaults = %+v", c)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		for k, v := range map[string]string{"INTROSPECTION": "maybe", "LOG_LEVEL": "loud", "SESSION_TTL": "-1h"} {
			if _, err := loadConfig(func(name string) string {
				if name == k {
					return v
				}
				return ""
			}); err == nil || !strings.Contains(err.Error(), k) {
				t.Errorf("%s=%s: err = %v, want one naming %s", k, v, err, k)
			}
		}
	})
}
