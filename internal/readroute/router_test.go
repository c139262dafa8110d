package readroute

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also the database/sql driver "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/pgcluster"
)

// probeWait is how long a probe waits for the router to see what the test did: generous, as
// the machine is shared.
const probeWait = time.Minute

// reads records where the router sent each read.
type reads struct {
	mu   sync.Mutex
	last [2]string
}

func (r *reads) DatabaseRead(target, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = [2]string{target, reason}
}

func (r *reads) lastRead() [2]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// routed is a router over a fresh cluster's database "app" (a table notes), polling until
// the test ends.
type routed struct {
	*Router
	cluster *pgcluster.Cluster
	primary *bun.DB
	replica *bun.DB // the pool Read returns for the replica
	seen    *reads
}

func startRouted(t *testing.T, maxLag time.Duration) *routed {
	t.Helper()
	c := pgcluster.Start(t, pgcluster.Options{})
	c.CreateDatabase("app")
	c.Primary.Exec("app", "CREATE TABLE notes (id int PRIMARY KEY)")
	c.CatchUp()
	primary, replica := openBun(t, c.Primary.URL("app")), openReplica(t, c.Standby.URL("app"), c.Primary.URL("app"))
	seen := &reads{}
	r := New(primary, replica, Config{MaxLag: maxLag, Poll: 20 * time.Millisecond, Observer: seen,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), CookieKey: []byte("the installation's cookie key")})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	return &routed{Router: r, cluster: c, primary: primary, replica: replica, seen: seen}
}

func openBun(t *testing.T, url string) *bun.DB {
	t.Helper()
	sqldb, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(sqldb, pgdialect.New())
	t.Cleanup(func() { db.Close() })
	return db
}

// openReplica opens the replica's pool as the server does, with Connector.
func openReplica(t *testing.T, replicaURL, primaryURL string) *bun.DB {
	t.Helper()
	replica, err := pgx.ParseConfig(replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	primary, err := pgx.ParseConfig(primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(sql.OpenDB(Connector(stdlib.GetConnector(*replica), stdlib.GetConnector(*primary))), pgdialect.New())
	t.Cleanup(func() { db.Close() })
	return db
}

// read runs a read through the router in ctx: whether it ran on a standby, the notes it saw,
// and where the router says it sent it.
func (r *routed) read(t *testing.T, ctx context.Context) (onStandby bool, notes int, where [2]string) {
	t.Helper()
	db := r.Read(ctx)
	where = r.seen.lastRead()
	if err := db.QueryRowContext(ctx, "SELECT pg_is_in_recovery(), (SELECT count(*) FROM notes)").Scan(&onStandby, &notes); err != nil {
		t.Fatalf("read through the router (sent to %v): %v", where, err)
	}
	return onStandby, notes, where
}

// waitRoute reads in ctx until the router sends the read to target for reason, and returns
// what that read saw; every read on the way must succeed.
func (r *routed) waitRoute(t *testing.T, ctx context.Context, target, reason string) (onStandby bool, notes int) {
	t.Helper()
	deadline := time.Now().Add(probeWait)
	for {
		standby, notes, where := r.read(t, ctx)
		if where == [2]string{target, reason} {
			if standby != (target == TargetReplica) {
				t.Fatalf("the router said %v, but the read ran on a standby: %v", where, standby)
			}
			return standby, notes
		}
		if time.Now().After(deadline) {
			t.Fatalf("reads still go to %v after %s, want %s (%s)", where, probeWait, target, reason)
		}
		time.Sleep(10 * time.Millisecond) // a probe's pace, not a synchronisation
	}
}

func (r *routed) write(t *testing.T, ctx context.Context, id int) {
	t.Helper()
	if _, err := r.primary.ExecContext(ctx, "INSERT INTO notes VALUES (?)", id); err != nil {
		t.Fatal(err)
	}
	if err := r.Committed(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRouter_ReadYourWrites: a caught-up replica serves a session's reads; with its replay
// paused, the session that wrote reads its write on the primary at once, while another
// session reads the replica's older state (the lag allowed is long); once replay resumes,
// both sessions read the replica, which has the write.
func TestRouter_ReadYourWrites(t *testing.T) {
	t.Parallel() // each on a cluster of its own
	r := startRouted(t, time.Hour)
	writer := WithSession(context.Background(), 0, "token:writer", "client:10.0.0.1")
	other := WithSession(context.Background(), 0, "token:other", "client:10.0.0.2")
	r.waitRoute(t, writer, TargetReplica, ReasonCaughtUp)

	r.cluster.Standby.PauseReplay()
	r.write(t, writer, 1)
	standby, notes, where := r.read(t, writer)
	if standby || notes != 1 || where != [2]string{TargetPrimary, ReasonReadYourWrites} {
		t.Errorf("the writer's read right after its write: on standby %v, %d notes, routed %v; want the primary with 1 note (read-your-writes)", standby, notes, where)
	}
	standby, notes, where = r.read(t, other)
	if !standby || notes != 0 || where != [2]string{TargetReplica, ReasonCaughtUp} {
		t.Errorf("another session's read with replay paused: on standby %v, %d notes, routed %v; want the replica's 0 notes", standby, notes, where)
	}

	r.cluster.Standby.ResumeReplay()
	if _, notes := r.waitRoute(t, writer, TargetReplica, ReasonCaughtUp); notes != 1 {
		t.Errorf("the writer back on the replica sees %d notes, want 1", notes)
	}
	if _, notes, _ := r.read(t, other); notes != 1 {
		t.Errorf("the other session sees %d notes once replayed, want 1", notes)
	}
}

// TestRouter_Lag: with replay paused and the primary written to, every session's reads go to
// the primary once the replica is more than MaxLag behind, and come back when it catches up.
func TestRouter_Lag(t *testing.T) {
	t.Parallel() // each on a cluster of its own
	r := startRouted(t, 200*time.Millisecond)
	reader := WithSession(context.Background(), 0, "token:reader")
	r.waitRoute(t, reader, TargetReplica, ReasonCaughtUp)

	r.cluster.Standby.PauseReplay()
	r.write(t, context.Background(), 1) // no session's: only the lag sends the reader away
	if _, notes := r.waitRoute(t, reader, TargetPrimary, ReasonLag); notes != 1 {
		t.Errorf("a read on the primary for the replica's lag sees %d notes, want 1", notes)
	}
	if lag, up := r.Lag(); !up || lag <= 200*time.Millisecond {
		t.Errorf("Lag() = %s, %v with reads sent away for lag; want more than 200ms, up", lag, up)
	}
	r.cluster.Standby.ResumeReplay()
	if _, notes := r.waitRoute(t, reader, TargetReplica, ReasonCaughtUp); notes != 1 {
		t.Errorf("back on the replica the reader sees %d notes, want 1", notes)
	}
}

// TestRouter_ReplicaDown: with the replica stopped, reads go to the primary without an error,
// even one sent to the replica's pool before the router has seen it go (its connections are
// gone: Connector makes one to the primary), and return to it when it is started again.
func TestRouter_ReplicaDown(t *testing.T) {
	t.Parallel() // each on a cluster of its own
	r := startRouted(t, time.Hour)
	reader := WithSession(context.Background(), 0, "token:reader")
	r.waitRoute(t, reader, TargetReplica, ReasonCaughtUp)

	r.cluster.Standby.Stop("fast")
	for range 5 {
		var standby bool
		if err := r.replica.QueryRowContext(reader, "SELECT pg_is_in_recovery()").Scan(&standby); err != nil || standby {
			t.Fatalf("a read on the replica's pool with the replica stopped: on standby %v, error %v; want the primary's answer", standby, err)
		}
	}
	r.waitRoute(t, reader, TargetPrimary, ReasonDown)
	for range 20 {
		if standby, _, where := r.read(t, reader); standby || where[0] != TargetPrimary {
			t.Fatalf("a read with the replica down went to %v (on standby: %v)", where, standby)
		}
	}
	r.cluster.Standby.Start()
	r.waitRoute(t, reader, TargetReplica, ReasonCaughtUp)
}

// TestRouter_StaysOnPrimary: reads outside a request, and a mutation's or subscription's
// reads, never go to the replica.
func TestRouter_StaysOnPrimary(t *testing.T) {
	t.Parallel() // each on a cluster of its own
	r := startRouted(t, time.Hour)
	query := WithSession(context.Background(), 0, "token:q")
	r.waitRoute(t, query, TargetReplica, ReasonCaughtUp)

	if standby, _, _ := r.read(t, context.Background()); standby {
		t.Error("a read outside any request went to the replica")
	}
	for _, reason := range []string{ReasonWrite, ReasonSubscription} {
		ctx := WithSession(context.Background(), 0, "token:"+reason)
		Primary(ctx, reason)
		if standby, _, where := r.read(t, ctx); standby || where != [2]string{TargetPrimary, reason} {
			t.Errorf("%s: read routed %v, on standby %v; want the primary", reason, where, standby)
		}
	}
}
