package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/internal/pgtest"
)

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
		db, _, err := OpenDB(ctx, url, config.Default().Pool)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			db.Close()
			admin, _, _ := OpenDB(ctx, server, config.Default().Pool)
			admin.ExecContext(ctx, `DROP DATABASE "`+name+`" WITH (FORCE)`)
			admin.Close()
		})
		if code, body := check(db); code != http.StatusServiceUnavailable || !strings.Contains(body, "pending") {
			t.Errorf("readyz on an unmigrated database = %d %q, want 503 pending", code, body)
		}
	})

	t.Run("DatabaseUnreachable", func(t *testing.T) {
		db, _, err := OpenDB(ctx, pgtest.URL(t), config.Default().Pool)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if code, body := check(db); code != http.StatusServiceUnavailable || !strings.Contains(body, "unreachable") {
			t.Errorf("readyz with the database closed = %d %q, want 503 unreachable", code, body)
		}
	})
}

// The token of an emailed link's page never reaches the log (issue 19): the request log keeps
// the page's prefix only.
func TestLogRequests_WithoutTokens(t *testing.T) {
	var logged strings.Builder
	log := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := logRequests(log, http.NotFoundHandler())
	const token = "c2VjcmV0LXRva2VuLW5vdC10by1iZS1sb2dnZWQ"
	for _, page := range []string{"/invite/", "/join/", "/verify-email/", "/reset-password/"} {
		logged.Reset()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, page+token+"?x="+token, nil))
		if strings.Contains(logged.String(), token) {
			t.Errorf("GET %s<token>: the log holds the token: %s", page, logged.String())
		}
		if !strings.Contains(logged.String(), "path="+page+"…") {
			t.Errorf("GET %s<token>: the log does not name the page: %s", page, logged.String())
		}
	}
	logged.Reset()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/projects/42", nil))
	if !strings.Contains(logged.String(), "path=/projects/42") {
		t.Errorf("another page's path is not logged whole: %s", logged.String())
	}
}
