// Package pgtest gives each test package a fresh PostgreSQL database of its own, migrated,
// on the server that DATABASE_URL names or else the one pglocal finds or starts.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// and take the database in a test with pgtest.DB(t).
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/pglocal"
	"github.com/invites/invites/migrations"
)

var (
	db    *bun.DB
	dbURL string
)

// Main creates the package's database, runs the tests, drops the database and exits.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	server, name, err := create(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	code := m.Run()
	db.Close()
	if err := drop(server, name); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
	}
	return code
}

// DB returns the package's migrated database.
func DB(tb testing.TB) *bun.DB {
	tb.Helper()
	if db == nil {
		tb.Fatal("pgtest: no database: call pgtest.Main(m) from the package's TestMain")
	}
	return db
}

// URL returns the package database's connection URL, for code that opens its own pool (a
// second server process, say).
func URL(tb testing.TB) string {
	tb.Helper()
	DB(tb)
	return dbURL
}

func create(ctx context.Context) (server, name string, err error) {
	server = os.Getenv("DATABASE_URL")
	if server == "" {
		if server, err = pglocal.ServerURL(ctx, pglocal.ModuleRoot(), ""); err != nil {
			return "", "", err
		}
	}
	name = databaseName()
	if dbURL, err = pglocal.EnsureDatabase(ctx, server, name); err != nil {
		return "", "", err
	}
	sqldb, err := sql.Open("pgx", dbURL)
	if err != nil {
		return "", "", err
	}
	config.Default().Pool.Apply(sqldb)
	db = bun.NewDB(sqldb, pgdialect.New())
	if err := migrations.Up(ctx, db); err != nil {
		db.Close()
		if dropErr := drop(server, name); dropErr != nil {
			err = errors.Join(err, dropErr)
		}
		return "", "", fmt.Errorf("migrate %s: %w", name, err)
	}
	return server, name, nil
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// databaseName is unique per run and says which package it belongs to, so that a database
// left by a killed run is easy to recognise.
func databaseName() string {
	wd, _ := os.Getwd()
	pkg := unsafeChars.ReplaceAllString(strings.ToLower(filepath.Base(wd)), "_")
	if len(pkg) > 20 {
		pkg = pkg[:20]
	}
	b := make([]byte, 4)
	rand.Read(b)
	return "invites_test_" + pkg + "_" + hex.EncodeToString(b)
}

func drop(server, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return pglocal.DropDatabase(ctx, server, name)
}
