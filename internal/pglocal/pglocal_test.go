package pglocal

import (
	"context"
	"database/sql"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// TestServerURL_StartsPrivateCluster points at an address where nothing listens, as on a
// machine with PostgreSQL's programs installed but no server running: a private cluster is
// created under .data/, started, reused by a second call, and stopped.
func TestServerURL_StartsPrivateCluster(t *testing.T) {
	if _, err := findBinDir(); err != nil {
		t.Skip("PostgreSQL programs not installed:", err)
	}
	root := t.TempDir()
	// Run as root, PostgreSQL runs as the postgres user, which must reach the folder.
	for dir := root; dir != filepath.Dir(dir) && dir != os.TempDir(); dir = filepath.Dir(dir) {
		os.Chmod(dir, 0o755)
	}
	ctx := context.Background()
	nothing := freeAddr(t)

	url, err := ServerURL(ctx, root, nothing)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !Running(root) {
			t.Error("Running: false with the private cluster started")
		}
		if err := Stop(root); err != nil {
			t.Errorf("Stop: %v", err)
		}
		if Running(root) {
			t.Error("Running: true after Stop")
		}
		if ping(ctx, url) == nil {
			t.Error("the private cluster still answers after Stop")
		}
	})
	if _, err := os.Stat(filepath.Join(root, ".data", "postgres", "PG_VERSION")); err != nil {
		t.Errorf("no cluster under .data: %v", err)
	}

	dbURL, err := EnsureDatabase(ctx, url, "invites")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name string
	if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil || name != "invites" {
		t.Fatalf("current_database = %q, %v", name, err)
	}
	// Again: the database exists already, and the running cluster is found, not started twice.
	if _, err := EnsureDatabase(ctx, url, "invites"); err != nil {
		t.Fatal(err)
	}
	again, err := ServerURL(ctx, root, nothing)
	if err != nil || again != url {
		t.Fatalf("second ServerURL = %q, %v; want %q", again, err, url)
	}
}

func TestServerURL_PrefersRunningServer(t *testing.T) {
	url := serverURL(DefaultAddr)
	if ping(context.Background(), url) != nil {
		t.Skip("no PostgreSQL on", DefaultAddr)
	}
	root := t.TempDir()
	got, err := ServerURL(context.Background(), root, "")
	if err != nil || got != url {
		t.Fatalf("ServerURL = %q, %v; want %q", got, err, url)
	}
	if _, err := os.Stat(filepath.Join(root, ".data")); !os.IsNotExist(err) {
		t.Error("a private cluster was made although a server answers")
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
