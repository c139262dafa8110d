package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/pgtest"
)

// TestServer_KeepsDatabaseConnections drives the real server with concurrent requests that
// each read the database, and counts the PostgreSQL sessions opened on its database meanwhile
// (pg_stat_database.sessions): with the default pool, none beyond the pool's own size (those
// opened in the warm-up may be reported late); with DB_MAX_IDLE_CONNS=1, about one for every
// few requests, as the server did before idle connections were kept.
func TestServer_KeepsDatabaseConnections(t *testing.T) {
	const (
		maxConns = 4
		workers  = 8
		requests = 60 // per worker
	)
	db := pgtest.DB(t)
	ctx := context.Background()
	sessions := func() int64 {
		t.Helper()
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const lookup = `{"query":"{ invitation(token: \"no-such-token\") { email } }"}`
	load := func(base string) {
		t.Helper()
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range requests {
					code, body := postGraphQL(t, base, lookup)
					if code != 200 || body != `{"data":{"invitation":null}}` {
						t.Errorf("invitation = %d %s", code, body)
						return
					}
					time.Sleep(time.Millisecond)
				}
			})
		}
		wg.Wait()
	}

	for _, tc := range []struct {
		name  string
		idle  string
		churn bool
	}{
		{"Default", "", false},
		{"IdleOne", "1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := startServer(t, map[string]string{"DB_MAX_CONNS": "4", "DB_MAX_IDLE_CONNS": tc.idle})
			load(base) // warm-up: the pool opens its connections
			before := sessions()
			load(base)
			opened := sessions() - before
			if !tc.churn {
				t.Logf("default pool: %d sessions opened for %d requests", opened, workers*requests)
				if opened > maxConns {
					t.Errorf("%d PostgreSQL sessions opened during %d requests with the default pool, want at most %d", opened, workers*requests, maxConns)
				}
				return
			}
			// Sessions that ended are reported as they end; give the last ones a moment.
			for deadline := time.Now().Add(60 * time.Second); opened < 20 && time.Now().Before(deadline); {
				time.Sleep(100 * time.Millisecond)
				opened = sessions() - before
			}
			if opened < 20 {
				t.Errorf("%d PostgreSQL sessions opened during %d requests with DB_MAX_IDLE_CONNS=1, want the churn (20 or more) this test is there to catch", opened, workers*requests)
			}
			t.Logf("DB_MAX_IDLE_CONNS=1: %d sessions opened for %d requests", opened, workers*requests)
		})
	}
}
