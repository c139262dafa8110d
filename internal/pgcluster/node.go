package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/invites/invites/internal/pglocal"
)

// Node is one server of a Cluster.
type Node struct {
	Name string // "primary" or "standby": its cluster_name, and the standby's application_name
	Port int    // on 127.0.0.1

	t     testing.TB
	progs *pglocal.Programs
	dir   string // its data directory
}

// URL returns the URL of database on this server, as user postgres.
func (n *Node) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=5", n.Port, database)
}

// Start starts the server and waits until it accepts connections (a standby: read-only ones).
func (n *Node) Start() {
	n.t.Helper()
	n.run("pg_ctl", "-D", n.dir, "-l", n.logFile(), "-w", "-t", strconv.Itoa(int(Wait.Seconds())), "start")
}

// Stop stops the server with pg_ctl's mode: "fast" (clients cut off, a clean shutdown) or
// "immediate" (as a crash).
func (n *Node) Stop(mode string) {
	n.t.Helper()
	n.run("pg_ctl", "-D", n.dir, "-m", mode, "-w", "-t", strconv.Itoa(int(Wait.Seconds())), "stop")
}

// Running reports whether the server runs (its postmaster.pid exists).
func (n *Node) Running() bool {
	_, err := os.Stat(filepath.Join(n.dir, "postmaster.pid"))
	return err == nil
}

// Exec runs statement in database on this server.
func (n *Node) Exec(database, statement string, args ...any) {
	n.t.Helper()
	db, err := open(n.Port, database)
	if err != nil {
		n.t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := waitContext()
	defer cancel()
	if _, err := db.ExecContext(ctx, statement, args...); err != nil {
		n.t.Fatalf("%s: %s: %v", n.Name, statement, err)
	}
}

// PauseReplay pauses a standby's replay of WAL (pg_wal_replay_pause()) and waits until it is
// paused: it keeps receiving WAL but shows none of it until ResumeReplay.
func (n *Node) PauseReplay() {
	n.t.Helper()
	n.Exec("postgres", "SELECT pg_wal_replay_pause()")
	n.waitTrue("postgres", "replay paused", "SELECT pg_get_wal_replay_pause_state() = 'paused'")
}

// ResumeReplay resumes a standby's replay of WAL.
func (n *Node) ResumeReplay() {
	n.t.Helper()
	n.Exec("postgres", "SELECT pg_wal_replay_resume()")
}

// Log returns the server's log so far, for a failing test to show.
func (n *Node) Log() string {
	b, err := os.ReadFile(n.logFile())
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func (n *Node) logFile() string {
	return filepath.Join(filepath.Dir(n.dir), n.Name+".log")
}

func (n *Node) initdb() {
	n.t.Helper()
	n.run("initdb", "-D", n.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions")
}

// appendConf adds settings to the server's postgresql.auto.conf, which wins over
// postgresql.conf (and which pg_basebackup copies, so a standby overrides its primary's).
func (n *Node) appendConf(settings string) {
	n.t.Helper()
	f, err := os.OpenFile(filepath.Join(n.dir, "postgresql.auto.conf"), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		n.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(settings); err != nil {
		n.t.Fatal(err)
	}
}

func (n *Node) run(prog string, args ...string) {
	n.t.Helper()
	if err := n.progs.Run(filepath.Dir(n.dir), prog, args...); err != nil {
		n.t.Fatalf("%s: %v\n%s's log:\n%s", n.Name, err, n.Name, n.Log())
	}
}

// stopIfRunning stops the server at the test's end, at once: nothing it holds is kept.
func (n *Node) stopIfRunning() {
	if !n.Running() {
		return
	}
	if err := n.progs.Run(filepath.Dir(n.dir), "pg_ctl", "-D", n.dir, "-m", "immediate", "-w", "stop"); err != nil {
		n.t.Errorf("stop %s: %v", n.Name, err)
	}
}

// query runs a query returning one row into dest.
func (n *Node) query(database, query string, dest ...any) {
	n.t.Helper()
	db, err := open(n.Port, database)
	if err != nil {
		n.t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := waitContext()
	defer cancel()
	if err := db.QueryRowContext(ctx, query).Scan(dest...); err != nil {
		n.t.Fatalf("%s: %s: %v", n.Name, query, err)
	}
}

// waitTrue polls query (returning one boolean) until it is true, for up to Wait.
func (n *Node) waitTrue(database, what, query string) {
	n.t.Helper()
	db, err := open(n.Port, database)
	if err != nil {
		n.t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := waitContext()
	defer cancel()
	var lastErr error
	for {
		var ok bool
		err := db.QueryRowContext(ctx, query).Scan(&ok)
		if err == nil && ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			n.t.Fatalf("%s: waited %s for %s: %v", n.Name, Wait, what, errors.Join(ctx.Err(), lastErr))
		case <-time.After(20 * time.Millisecond):
		}
	}
}
