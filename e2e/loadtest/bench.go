package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"

	"github.com/invites/invites/internal/pglocal"
)

// bench is one run's set-up: the load test's database, our server and PostGraphile started on
// it, and the folder that holds the server binary and the servers' logs.
type bench struct {
	options
	root   string // the checkout's root
	step   func(format string, args ...any)
	tmp    string
	server string  // the PostgreSQL server's URL
	dbURL  string  // the load test's database on it, set once it has been created
	db     *sql.DB // for the seed and the session counts
	ours   *process
	theirs *process // PostGraphile, nil with -postgraphile=false
}

// setUp creates the database, builds and starts our server (which migrates it), seeds it, and
// starts PostGraphile on it. What it started is kept in b for close, even when a step fails.
func (b *bench) setUp(ctx context.Context) error {
	if _, err := os.Stat(b.postGraphileBin()); b.postgraphile && err != nil {
		return fmt.Errorf("PostGraphile is not installed: run `npm ci` in e2e/loadtest/postgraphile (make loadtest does), or pass -postgraphile=false")
	}
	var err error
	if b.tmp, err = os.MkdirTemp("", "invites-loadtest-"); err != nil {
		return err
	}
	if err := b.createDatabase(ctx); err != nil {
		return err
	}
	if err := b.startOurs(ctx); err != nil {
		return err
	}
	if err := b.seedDatabase(ctx); err != nil {
		return err
	}
	if !b.postgraphile {
		return nil
	}
	return b.startPostGraphile(ctx)
}

// close stops what setUp started, last first; the database is dropped after the servers have
// stopped and let go of it.
func (b *bench) close() {
	if b.theirs != nil {
		b.theirs.stop()
	}
	if b.db != nil {
		b.db.Close()
	}
	if b.ours != nil {
		b.ours.stop()
	}
	if b.dbURL != "" {
		if err := dropDatabase(context.Background(), b.server); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
		}
	}
	if b.tmp != "" {
		os.RemoveAll(b.tmp)
	}
}

func (b *bench) postGraphileBin() string {
	return filepath.Join(b.root, "e2e", "loadtest", "postgraphile", "node_modules", ".bin", "postgraphile")
}

// createDatabase makes the load test's database afresh on the PostgreSQL that the server
// itself would use.
func (b *bench) createDatabase(ctx context.Context) error {
	var err error
	if b.server, err = pglocal.ServerURL(ctx, b.root, ""); err != nil {
		return err
	}
	if b.dbURL, err = freshDatabase(ctx, b.server); err != nil {
		return err
	}
	b.step("created database %s", database)
	return nil
}

// buildServer builds the server binary into the bench's folder and returns its path.
func (b *bench) buildServer(ctx context.Context) (string, error) {
	bin := filepath.Join(b.tmp, "invites")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = b.root
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	b.step("built the server")
	return bin, nil
}

// startOurs builds and starts our server on a free loopback port, and waits until it has
// migrated the database and is ready.
func (b *bench) startOurs(ctx context.Context) error {
	bin, err := b.buildServer(ctx)
	if err != nil {
		return err
	}
	addr, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin)
	// The whole environment is given, so nothing in the caller's changes what is measured.
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + b.dbURL, "ADDR=" + addr, "LOG_LEVEL=warn",
		"INVITE_RATE_LIMIT=-1", // createInvite sends thousands an hour from one inviter
	}, b.serverEnv...)
	if b.ours, err = start("invites", "http://"+addr, b.tmp, cmd); err != nil {
		return err
	}
	if err := b.ours.waitReady(ctx, "/readyz", nil, 2*time.Minute); err != nil {
		return err
	}
	b.step("started the server on %s (migrated; extra environment: %q)", addr, b.serverEnv)
	return nil
}

// seedDatabase opens the database for the load test's own queries and seeds it.
func (b *bench) seedDatabase(ctx context.Context) error {
	var err error
	if b.db, err = sql.Open("pgx", b.dbURL); err != nil {
		return err
	}
	if err := seed(ctx, b.db, b.acceptors); err != nil {
		return err
	}
	b.step("seeded %d members, %d invites, %d invites to accept", seedMembers, seedInvites, b.acceptors)
	return nil
}

// startPostGraphile starts PostGraphile on the seeded database, with a pool as large as ours,
// and waits until it answers a query.
func (b *bench) startPostGraphile(ctx context.Context) error {
	addr, err := freePort()
	if err != nil {
		return err
	}
	_, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command(b.postGraphileBin(), "--connection", b.dbURL, "--schema", "public", "--host", "127.0.0.1", "--port", port,
		"--max-pool-size", "20", "--disable-query-log", "--disable-graphiql")
	cmd.Env = append(os.Environ(), "NODE_ENV=production")
	if b.theirs, err = start("postgraphile", "http://"+addr, b.tmp, cmd); err != nil {
		return err
	}
	if err := b.theirs.waitReady(ctx, "/graphql", []byte(`{"query":"{ __typename }"}`), 2*time.Minute); err != nil {
		return err
	}
	b.step("started PostGraphile on %s (pool of 20, as ours)", addr)
	return nil
}

// freshDatabase drops and creates the load test's own database on server.
func freshDatabase(ctx context.Context, server string) (string, error) {
	if err := dropDatabase(ctx, server); err != nil {
		return "", err
	}
	return pglocal.EnsureDatabase(ctx, server, database)
}

// dropDatabase drops the load test's database, if there is one: its 100,000 invites are no use
// once the figures are printed.
func dropDatabase(ctx context.Context, server string) error {
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+database+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", database, err)
	}
	return nil
}
