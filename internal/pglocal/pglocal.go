// Package pglocal finds a PostgreSQL server to use when no DATABASE_URL is given: the one on
// 127.0.0.1:5432 where it answers, or else a private cluster under the project's .data/
// folder, created and started with the PostgreSQL programs installed on the machine.
//
// The private cluster is left running after the process that started it ends, so that the
// next `make run` or `make test` finds it at once; `make db-stop` stops it.
package pglocal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
)

// DefaultAddr is where a running PostgreSQL is looked for first.
const DefaultAddr = "127.0.0.1:5432"

// ServerURL returns the URL of a PostgreSQL server's maintenance database ("postgres"), as
// user postgres without a password: the server at addr (DefaultAddr when empty) if it
// answers, or else the private cluster under root/.data, created and started if need be.
func ServerURL(ctx context.Context, root, addr string) (string, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	u := serverURL(addr)
	if err := ping(ctx, u); err == nil {
		return u, nil
	}
	return startPrivate(ctx, root)
}

// EnsureDatabase creates the database name on the server at serverURL unless it exists, and
// returns the URL that reaches it.
func EnsureDatabase(ctx context.Context, serverURL, name string) (string, error) {
	db, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look up database %s: %w", name, err)
	}
	if !exists {
		_, err := db.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name))
		// Another process may have created it at the same moment (42P04: duplicate_database).
		if err != nil && !strings.Contains(err.Error(), "42P04") {
			return "", fmt.Errorf("create database %s: %w", name, err)
		}
	}
	return WithDatabase(serverURL, name)
}

// DropDatabase drops the database name on the server at serverURL, if it exists, ending the
// sessions still connected to it.
func DropDatabase(ctx context.Context, serverURL, name string) error {
	db, err := sql.Open("pgx", serverURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// WithDatabase returns serverURL with its database replaced by name.
func WithDatabase(serverURL, name string) (string, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// ModuleRoot returns the checkout's root: the nearest folder at or above the working directory
// whose go.mod is the server's module (e2e/ has a go.mod of its own, and its tests share the
// root's .data/), or the working directory itself when there is none.
func ModuleRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; {
		if isServerModule(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return wd
		}
		dir = parent
	}
}

// serverModule is the server's module path, as its go.mod declares it.
const serverModule = "github.com/invites/invites"

func isServerModule(goMod string) bool {
	b, err := os.ReadFile(goMod)
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
			return f[1] == serverModule
		}
	}
	return false
}

// Running reports whether the private cluster under root/.data runs.
func Running(root string) bool {
	_, err := os.Stat(filepath.Join(root, ".data", "postgres", "postmaster.pid"))
	return err == nil
}

// Stop stops the private cluster under root/.data if it runs. `make db-stop` runs it
// (through ./internal/pglocal/dbstop).
func Stop(root string) error {
	if !Running(root) {
		return nil
	}
	c, err := newCluster(root)
	if err != nil {
		return err
	}
	return c.run("pg_ctl", "-D", c.dataDir, "-m", "fast", "-w", "stop")
}

func serverURL(addr string) string {
	return "postgres://postgres@" + addr + "/postgres?sslmode=disable&connect_timeout=5"
}

func ping(ctx context.Context, u string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// cluster is the private PostgreSQL under .data/postgres.
type cluster struct {
	*Programs
	dir     string // .data
	dataDir string // .data/postgres
}

func newCluster(root string) (*cluster, error) {
	progs, err := FindPrograms()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, ".data")
	return &cluster{Programs: progs, dir: dir, dataDir: filepath.Join(dir, "postgres")}, nil
}

func startPrivate(ctx context.Context, root string) (string, error) {
	c, err := newCluster(root)
	if err != nil {
		return "", fmt.Errorf("no PostgreSQL answers on %s and none can be started here (%w); set DATABASE_URL", DefaultAddr, err)
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := lockFile(filepath.Join(c.dir, "postgres.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()

	port, err := c.port()
	if err != nil {
		return "", err
	}
	u := serverURL("127.0.0.1:" + strconv.Itoa(port))
	if ping(ctx, u) == nil {
		return u, nil
	}
	if err := c.initialise(); err != nil {
		return "", err
	}
	// A cluster that was running when the machine stopped leaves a stale postmaster.pid;
	// pg_ctl start copes with that on its own.
	err = c.run("pg_ctl", "-D", c.dataDir, "-l", filepath.Join(c.dataDir, "server.log"), "-w", "-t", "60",
		"-o", fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", port), "start")
	if err != nil {
		return "", fmt.Errorf("start PostgreSQL under %s (see its server.log): %w", c.dataDir, err)
	}
	if err := ping(ctx, u); err != nil {
		return "", fmt.Errorf("PostgreSQL under %s started but does not answer: %w", c.dataDir, err)
	}
	return u, nil
}

func (c *cluster) initialise() error {
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		return err
	}
	if err := c.Own(c.dataDir); err != nil {
		return err
	}
	err := c.run("initdb", "-D", c.dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions")
	if err != nil {
		return fmt.Errorf("initdb %s: %w", c.dataDir, err)
	}
	return nil
}

// port returns the private cluster's port, chosen once (a free one) and kept in .data/postgres.port.
func (c *cluster) port() (int, error) {
	file := filepath.Join(c.dir, "postgres.port")
	if b, err := os.ReadFile(file); err == nil {
		if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return p, nil
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return p, os.WriteFile(file, []byte(strconv.Itoa(p)+"\n"), 0o644)
}

func (c *cluster) run(prog string, args ...string) error {
	return c.Run(c.dir, prog, args...)
}

// findBinDir finds the folder of initdb, pg_ctl and the other PostgreSQL programs: PATH first, then Debian's and other usual
// places, newest version first.
func findBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		// Follow a link (Debian's /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb):
		// the folder must hold the other programs too (pg_basebackup is linked nowhere).
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	var candidates []string
	for _, pattern := range []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"} {
		m, _ := filepath.Glob(pattern)
		candidates = append(candidates, m...)
	}
	sort.SliceStable(candidates, func(i, j int) bool { return versionOf(candidates[i]) > versionOf(candidates[j]) })
	for _, dir := range candidates {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	return "", errors.New("the PostgreSQL programs (initdb, pg_ctl) are not installed")
}

func versionOf(dir string) int {
	for _, part := range strings.Split(dir, string(filepath.Separator)) {
		part = strings.TrimPrefix(part, "pgsql-")
		if v, err := strconv.Atoi(part); err == nil {
			return v
		}
	}
	return 0
}

// lockFile takes an exclusive lock on path, so that test packages starting together create and
// start the cluster once.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN) //nolint:errcheck
		f.Close()
	}, nil
}
