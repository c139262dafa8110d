package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/internal/pgtest"
)

// pgbouncerBin is Debian's PgBouncer (apt-get install pgbouncer); PGBOUNCER names another.
func pgbouncerBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("PGBOUNCER")
	if bin == "" {
		bin = "/usr/sbin/pgbouncer"
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PgBouncer is missing (%v): apt-get install pgbouncer", err)
		}
		t.Skipf("PgBouncer is missing (%v): apt-get install pgbouncer", err)
	}
	return bin
}

// TestPgBouncer runs two server processes through PgBouncer in transaction mode, as a
// deployment with a pooler does: DATABASE_URL is the pooler, DATABASE_DIRECT_URL PostgreSQL.
// Both start at once on an empty database and migrate it safely (the advisory lock on the
// direct URL, released afterwards); member pages and mutations answer through the pooler
// without INTERNAL errors (no named prepared statements); an invite made on A reaches a live
// subscriber on B (LISTEN on the direct URL), and its email goes out (River on the direct URL).
func TestPgBouncer(t *testing.T) {
	pgb := pgbouncerBin(t)
	bin := buildReplicaBinary(t)
	smtp := smtptest.Start(t)
	direct := freshDatabase(t)
	pooled := startPgBouncer(t, pgb, direct)

	replicas := startReplicas(t, bin, map[string]string{
		"DATABASE_URL": pooled, "DATABASE_DIRECT_URL": direct, "SMTP_URL": smtp.URL(),
		"APP_URL": "https://app.example", "LOG_LEVEL": "warn", "LIVE_KEEPALIVE": "1s",
	}, "a", "b")
	a, b := e2eClient{t, replicas[0].base}, e2eClient{t, replicas[1].base}
	if held := migrationLockHolders(t, direct); held != 0 {
		t.Errorf("the migrations' advisory lock is held by %d sessions once both replicas are ready, want 0", held)
	}

	owner := a.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := a.createProject(owner, "Apollo")
	vars := map[string]any{"p": project}
	subs := dialWS(t, b.base, owner).subscribe(map[string][2]any{"invites": {liveInviteChanged, vars}})
	waitSubscribers(t, b.base, 1)

	guestEmail := e2eEmail("guest")
	guest := a.createInvite(owner, map[string]any{"email": guestEmail, "projectId": project, "role": "CONTRIBUTOR"})
	nextInvite(t, "ws owner on B", subs["invites"], func(i liveInvite) bool { return i.ID == guest.ID })
	token := tokenOf(smtp.WaitFor(t, guestEmail, 1, mailWait)[0].Link("https://app.example/invite/"))
	b.signUp(map[string]any{"password": "correct horse", "name": "Gus", "inviteToken": token})

	// Member pages and mutations, many at once on both replicas: every one answers.
	var wg sync.WaitGroup
	for i := range 40 {
		c := []e2eClient{a, b}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m e2eMembers
			if errs := c.try(owner, `query($p: ID!) { project(id: $p) { viewerRole members { edges { node { externalId user { email } } } } } }`, vars, &m); len(errs) > 0 {
				t.Errorf("member page %d: %s", i, errs)
			} else if n := len(m.Project.Members.Edges); n != 2 {
				t.Errorf("member page %d: %d members, want 2", i, n)
			}
			email := e2eEmail(fmt.Sprintf("more%02d", i))
			var inv struct{ CreateInvite struct{ Status string } }
			if errs := c.try(owner, `mutation($in: CreateInviteInput!) { createInvite(input: $in) { status } }`,
				map[string]any{"in": map[string]any{"email": email, "projectId": project, "role": "CONTRIBUTOR"}}, &inv); len(errs) > 0 {
				t.Errorf("createInvite %d: %s", i, errs)
			}
		}()
	}
	wg.Wait()
}

// freshDatabase creates an empty database (no migrations) on the tests' PostgreSQL, dropped at
// the test's end, and returns its URL.
func freshDatabase(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	name := "invites_pgbouncer_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	admin := pgtest.DB(t)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// startPgBouncer runs PgBouncer in transaction mode on a free loopback port in front of
// direct's server (as user postgres when the test runs as root: PgBouncer refuses root), and
// returns the URL of direct's database through it. It is stopped at the test's end.
func startPgBouncer(t *testing.T, bin, direct string) string {
	t.Helper()
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	listen := freeLocalAddr(t)
	_, listenPort, _ := net.SplitHostPort(listen)
	// Not t.TempDir: its parent is private to this user, and PgBouncer may run as postgres.
	dir, err := os.MkdirTemp("", "pgbouncer")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`[databases]
* = host=%s port=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %s
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
`, host, port, listenPort, filepath.Join(dir, "users.txt"))
	writeFile(t, filepath.Join(dir, "pgbouncer.ini"), conf)
	writeFile(t, filepath.Join(dir, "users.txt"), fmt.Sprintf("%q \"\"\n", u.User.Username()))

	cmd := exec.Command(bin, filepath.Join(dir, "pgbouncer.ini"))
	logFile, err := os.Create(filepath.Join(dir, "pgbouncer.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	runAsPostgres(t, cmd, dir)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start PgBouncer: %v", err)
	}
	logFile.Close()
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }() //nolint:errcheck // SIGTERM ends it
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck
		<-exited
		if t.Failed() {
			out, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Logf("PgBouncer's log:\n%s", out)
		}
	})
	pooled := *u
	pooled.Host = listen
	waitPgBouncer(t, pooled.String(), exited)
	return pooled.String()
}

// runAsPostgres makes cmd run as user postgres when the test runs as root, and gives that user
// dir.
func runAsPostgres(t *testing.T, cmd *exec.Cmd, dir string) {
	t.Helper()
	cred, err := pglocal.PostgresCredential()
	if err != nil {
		t.Fatal(err)
	}
	if cred == nil {
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error { //nolint:errcheck
		if err == nil {
			err = os.Lchown(p, int(cred.Uid), int(cred.Gid))
		}
		return err
	})
}

// waitPgBouncer waits until a query answers through PgBouncer at u.
func waitPgBouncer(t *testing.T, u string, exited <-chan struct{}) {
	t.Helper()
	db, err := sql.Open("pgx", withParam(t, u, "default_query_exec_mode", "exec"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := db.PingContext(ctx)
		cancel()
		select {
		case <-exited:
			t.Fatal("PgBouncer exited at start")
		default:
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PgBouncer does not answer after 30s: %v", err)
		}
	}
}

// migrationLockHolders counts the sessions holding the migrations' advisory lock
// (migrations.lockKey, 7283461001: classid its high 32 bits, objid its low ones).
func migrationLockHolders(t *testing.T, direct string) int {
	t.Helper()
	db, err := sql.Open("pgx", direct)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND (classid::bigint << 32 | objid::bigint) = 7283461001 AND objsubid = 1`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// withParam is URL u with the query parameter name set to value.
func withParam(t *testing.T, u, name, value string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set(name, value)
	p.RawQuery = q.Encode()
	return p.String()
}
