// Package pgcluster starts, for one test, a private PostgreSQL primary and a streaming standby
// of it, with the PostgreSQL programs installed on the machine (through pglocal.Programs, so
// that a root test runs them as the postgres user). Tests of read replicas and failover use
// it: where a query ran, read-your-writes with replay paused, a standby stopped and started
// again, a primary stopped hard and its standby promoted.
//
//	c := pgcluster.Start(t, pgcluster.Options{})
//	primary, standby := c.Primary.URL("postgres"), c.Standby.URL("postgres")
//
// Both servers run under a folder of t.TempDir() and are stopped at the test's end.
package pgcluster

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"

	"github.com/invites/invites/internal/pglocal"
)

// Wait is how long the helpers wait for a server to start, stop or catch up: generous, as the
// machine is shared and busy.
const Wait = time.Minute

// replicationUser is the role the standby streams WAL as.
const replicationUser = "replicator"

// Options shape the pair.
type Options struct {
	// Synchronous makes the primary wait for the standby to flush each commit before it
	// acknowledges it (synchronous_standby_names names the standby), so that a promoted standby
	// has every acknowledged transaction.
	Synchronous bool
}

// Cluster is a primary and its streaming standby. After Promote, Standby is the writable one.
type Cluster struct {
	Primary *Node
	Standby *Node
}

// Start creates and starts a primary (wal_level=replica, a replication role trusted on
// 127.0.0.1) and a standby cloned from it with pg_basebackup -R, streaming through a
// replication slot, each on a free loopback port. Both are stopped at the test's end.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	progs, err := pglocal.FindPrograms()
	if err != nil {
		t.Skip("PostgreSQL programs not installed:", err)
	}
	dir := sharedTempDir(t, progs)
	primary := &Node{Name: "primary", t: t, progs: progs, dir: filepath.Join(dir, "primary"), Port: freePort(t)}
	standby := &Node{Name: "standby", t: t, progs: progs, dir: filepath.Join(dir, "standby"), Port: freePort(t)}
	t.Cleanup(func() {
		standby.stopIfRunning()
		primary.stopIfRunning()
	})

	primary.initdb()
	primary.appendConf(primarySettings + nodeSettings(primary))
	primary.Start()
	primary.Exec("postgres", "CREATE ROLE "+replicationUser+" WITH REPLICATION LOGIN")

	standby.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primary.Port), "-U", replicationUser,
		"-D", standby.dir, "-R", "-X", "stream", "-C", "-S", "standby")
	standby.appendConf(nodeSettings(standby))
	standby.Start()
	c := &Cluster{Primary: primary, Standby: standby}
	c.WaitStreaming()
	if opts.Synchronous {
		// Only now: with no standby to confirm them, the primary's own commits would wait.
		primary.Exec("postgres", "ALTER SYSTEM SET synchronous_standby_names = 'standby'")
		primary.Exec("postgres", "SELECT pg_reload_conf()")
		primary.waitTrue("postgres", "synchronous replication", "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE application_name = 'standby' AND sync_state = 'sync')")
	}
	return c
}

// primarySettings make a primary that a standby can stream from. fsync is off: the tests stop
// servers (even with -m immediate), never the machine, so the OS still writes what they wrote.
const primarySettings = `
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
hot_standby_feedback = on
fsync = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 100
`

// nodeSettings are each server's own: where it listens, and its name (the standby's
// cluster_name is the application_name it streams as, which synchronous_standby_names matches).
func nodeSettings(n *Node) string {
	return fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\ncluster_name = '%s'\n",
		n.Port, n.Name)
}

// WaitStreaming waits until the primary sees the standby streaming.
func (c *Cluster) WaitStreaming() {
	c.Primary.t.Helper()
	c.Primary.waitTrue("postgres", "the standby streaming", "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE application_name = 'standby' AND state = 'streaming')")
}

// CurrentLSN returns the primary's current WAL write position (pg_current_wal_lsn()): once the
// standby has replayed it, it has everything committed before the call.
func (c *Cluster) CurrentLSN() string {
	c.Primary.t.Helper()
	var lsn string
	c.Primary.query("postgres", "SELECT pg_current_wal_lsn()::text", &lsn)
	return lsn
}

// WaitReplayed waits until the standby has replayed the WAL up to lsn (a pg_lsn as text).
func (c *Cluster) WaitReplayed(lsn string) {
	c.Standby.t.Helper()
	c.Standby.waitTrue("postgres", "replay up to "+lsn, "SELECT coalesce(pg_last_wal_replay_lsn() >= '"+lsn+"'::pg_lsn, false)")
}

// CatchUp waits until the standby has replayed everything the primary has written so far.
func (c *Cluster) CatchUp() {
	c.Primary.t.Helper()
	c.WaitReplayed(c.CurrentLSN())
}

// StopPrimary stops the primary at once (pg_ctl -m immediate), as a crash would: no shutdown
// checkpoint, clients cut off mid-transaction.
func (c *Cluster) StopPrimary() {
	c.Primary.t.Helper()
	c.Primary.Stop("immediate")
}

// Promote makes the standby a primary (pg_ctl promote) and waits until it accepts writes.
func (c *Cluster) Promote() {
	c.Standby.t.Helper()
	c.Standby.run("pg_ctl", "-D", c.Standby.dir, "-w", "-t", strconv.Itoa(int(Wait.Seconds())), "promote")
	c.Standby.waitTrue("postgres", "promotion", "SELECT NOT pg_is_in_recovery()")
}

// MultiHostURL returns a URL of database on both servers, primary first, with
// target_session_attrs=read-write: a client following it connects to whichever accepts writes,
// the standby once promoted.
func (c *Cluster) MultiHostURL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/%s?sslmode=disable&connect_timeout=5&target_session_attrs=read-write",
		c.Primary.Port, c.Standby.Port, database)
}

// CreateDatabase creates database on the primary and waits until the standby has it too.
func (c *Cluster) CreateDatabase(database string) {
	c.Primary.t.Helper()
	c.Primary.Exec("postgres", "CREATE DATABASE "+quoteIdent(database))
	c.CatchUp()
}

// sharedTempDir returns a folder of t.TempDir() that the programs' user may write in: a root
// test's folders are private to root, so its parents are opened to be traversed.
func sharedTempDir(t testing.TB, progs *pglocal.Programs) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != filepath.Dir(d) && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := progs.Own(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// open connects to database on the server at port, for the helpers' own short queries.
func open(port int, database string) (*sql.DB, error) {
	db, err := sql.Open("pgx", fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=5", port, database))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

func waitContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), Wait)
}
