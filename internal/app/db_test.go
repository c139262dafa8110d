package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/pgcluster"
	"github.com/invites/invites/internal/pgtest"
)

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
			db, _, err := OpenDB(ctx, pgtest.URL(t), cfg.Pool)
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

// TestOpenDB_PooledPreparesNothing: through a transaction pooler (pooled), queries with
// parameters leave no named prepared statement on the connection, which the next transaction
// might not find on its server connection; directly, pgx caches them as before.
func TestOpenDB_PooledPreparesNothing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		pooled bool
	}{
		{"Pooled", true},
		{"Direct", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _, err := openDB(ctx, pgtest.URL(t), config.Default().Pool, tc.pooled)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var n int
			for i := range 3 {
				if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email = ? OR ? = 1", "nobody@example.com", i).Scan(&n); err != nil {
					t.Fatal(err)
				}
			}
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pg_prepared_statements").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if tc.pooled && n != 0 {
				t.Errorf("%d named prepared statements on a pooled connection, want none", n)
			}
			if !tc.pooled && n == 0 {
				t.Errorf("no prepared statement on a direct connection: pgx's statement cache is expected there")
			}
		})
	}
}

// TestOpenDB_MultiHost: a URL naming a standby first and its primary second, with
// target_session_attrs=read-write (as for a failover), opens a pool on the primary: pgx's
// fallbacks are kept from the URL, not rebuilt from one host and port. DATABASE_DIRECT_URL
// and the live listener open theirs from the URL the same way.
func TestOpenDB_MultiHost(t *testing.T) {
	cluster := pgcluster.Start(t, pgcluster.Options{})
	cluster.CreateDatabase("invites")
	url := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/invites?sslmode=disable&connect_timeout=5&target_session_attrs=read-write",
		cluster.Standby.Port, cluster.Primary.Port)
	for _, pooled := range []bool{false, true} {
		db, opened, err := openDB(context.Background(), url, config.Default().Pool, pooled)
		if err != nil {
			t.Fatalf("pooled %v: %v", pooled, err)
		}
		var port int
		var standby bool
		err = db.QueryRowContext(context.Background(), "SELECT inet_server_port(), pg_is_in_recovery()").Scan(&port, &standby)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if port != cluster.Primary.Port || standby || opened != url {
			t.Errorf("pooled %v: connected to port %d (standby %v) as %q, want the primary's %d as %q", pooled, port, standby, opened, cluster.Primary.Port, url)
		}
	}
}

// TestOpenDB_ChecksConnectionsToAnOldServer: after a failover the pool's connections to the
// old server are dead, each with the server's last words unread (FATAL 57P01 when it stopped).
// One used a moment ago, which pgx's stdlib would reuse unchecked, is checked first once the
// pool has connected to another server, and replaced: the query meant for it succeeds.
func TestOpenDB_ChecksConnectionsToAnOldServer(t *testing.T) {
	ctx := context.Background()
	old, promoted := pgtest.StartProxy(t), pgtest.StartProxy(t)
	url := strings.Replace(old.URL, old.Addr, old.Addr+","+promoted.Addr, 1)
	pool := config.Default().Pool
	pool.MaxConns, pool.MaxIdleConns = 2, 2
	db, _, err := OpenDB(ctx, url, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxIdleConns(0) // OpenDB's ping connection: gone, so that the pool holds only the two below
	db.SetMaxIdleConns(2)

	// A connection on the old server, used before (pgx's stdlib pings a connection on its
	// first reuse whatever its idle time), whose server process then ends.
	stale, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stale.Close()
	if stale, err = db.Conn(ctx); err != nil {
		t.Fatal(err)
	}
	var pid int
	if err := stale.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := pgtest.DB(t).ExecContext(ctx, "SELECT pg_terminate_backend(?)", pid); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); old.Open() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the ended session's connection is still open through the proxy after a minute")
		}
	}
	old.Cut() // new connections go to the other server

	fresh, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if err := fresh.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	stale.Close() // back to the pool, its only idle connection, used a moment ago

	if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
		t.Errorf("a query after the failover: %v, want it on a new connection", err)
	}
	if n := promoted.Accepted(); n != 2 {
		t.Errorf("%d connections to the new server, want 2 (the one held, and the stale one's replacement)", n)
	}
}
