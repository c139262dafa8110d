package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/pgtest"
)

// defaultPool is the pool's configuration with no setting in the environment.
func defaultPool(*testing.T) config.Pool { return config.Default().Pool }

// TestOpenDB_KeepsConnections runs as many workers as the pool has connections, each a query
// and a pause in turn, as requests come and go, and checks that the pool stayed within its
// size and, with the default idle limit, closed nothing it had opened: every query after the
// first few reused a connection. With the idle limit database/sql had before (2) the same load
// closes (and opens again) connections by the dozen.
func TestOpenDB_KeepsConnections(t *testing.T) {
	const (
		maxConns = 8
		workers  = maxConns
		queries  = 40 // per worker
	)
	for _, tc := range []struct {
		name       string
		idle       string // DB_MAX_IDLE_CONNS; "" for the default
		wantClosed bool   // whether idle connections must have been closed for lack of room
	}{
		{"Default", "", false},
		{"IdleTwo", "2", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cfg, err := config.Load(func(k string) string {
				return map[string]string{"DB_MAX_CONNS": "8", "DB_MAX_IDLE_CONNS": tc.idle}[k]
			})
			if err != nil {
				t.Fatal(err)
			}
			db, _, err := openDB(ctx, pgtest.URL(t), cfg.Pool)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()

			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for range workers {
				wg.Go(func() {
					for range queries {
						if _, err := db.ExecContext(ctx, "SELECT pg_sleep(0.001)"); err != nil {
							errs <- err
							return
						}
						// Between requests the connection goes back to the pool, while the
						// other workers' queries keep more than two in use.
						time.Sleep(time.Millisecond)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}

			s := db.Stats()
			t.Logf("stats: %+v", s)
			if s.MaxOpenConnections != maxConns || s.OpenConnections > maxConns {
				t.Errorf("open connections %d with limit %d, want the limit %d and no more open", s.OpenConnections, s.MaxOpenConnections, maxConns)
			}
			if tc.wantClosed {
				if s.MaxIdleClosed < 10 {
					t.Errorf("MaxIdleClosed = %d with DB_MAX_IDLE_CONNS=2, want the churn this test is there to catch", s.MaxIdleClosed)
				}
				return
			}
			if s.MaxIdleClosed != 0 || s.MaxLifetimeClosed != 0 || s.MaxIdleTimeClosed != 0 {
				t.Errorf("connections closed: %d for the idle limit, %d for lifetime, %d for idle time; want none",
					s.MaxIdleClosed, s.MaxLifetimeClosed, s.MaxIdleTimeClosed)
			}
			// How many were open at once depends on the machine's load; more than the old idle
			// limit of two, and all of them kept.
			if s.OpenConnections <= 2 || s.Idle != s.OpenConnections {
				t.Errorf("after the load %d open, %d idle; want more than 2, all kept idle for the next requests", s.OpenConnections, s.Idle)
			}
		})
	}
}

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
			for deadline := time.Now().Add(3 * time.Second); opened < 20 && time.Now().Before(deadline); {
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
