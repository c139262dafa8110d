package graph_test

import (
	"database/sql"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/metrics"
	"github.com/invites/invites/internal/pgtest"
)

// syncBuffer is a log destination that handlers may write from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// An unexpected error in a resolver (here: the database handle is closed, which is neither
// the client's fault nor an outage) reaches the client as INTERNAL with no details, is
// logged once with the operation and path, and is counted by code in the metrics.
func TestInternalError_LoggedOnceAndCounted(t *testing.T) {
	sqldb, err := sql.Open("pgx", pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(sqldb, pgdialect.New())
	var logged syncBuffer
	services := newServices(t, db, config.Default(), app.Options{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	h := services.GraphQL(nil)
	db.Close()

	r := do(t, h, "some-token", `query Viewer { me { id } }`, nil)
	e := wantCode(t, r, "INTERNAL")
	if e.Message != "internal error" || r.Status != 200 {
		t.Errorf("error = %+v, status %d; want \"internal error\", 200", e, r.Status)
	}
	if got := strings.Count(logged.String(), "request failed"); got != 1 {
		t.Errorf("logged %d times, want once: %s", got, logged.String())
	}
	for _, want := range []string{"operation=Viewer", "path=me", "code=INTERNAL", "database is closed"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("the log lacks %q: %s", want, logged.String())
		}
	}
	if got := errorsCounted(t, services.Metrics, "INTERNAL"); got != 1 {
		t.Errorf("invites_graphql_errors_total{code=INTERNAL} = %v, want 1", got)
	}
}

// errorsCounted reads invites_graphql_errors_total{code=code} from the metrics' page.
func errorsCounted(t *testing.T, m *metrics.Metrics, code string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for line := range strings.Lines(rec.Body.String()) {
		if v, ok := strings.CutPrefix(line, `invites_graphql_errors_total{code="`+code+`"} `); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	return 0
}
