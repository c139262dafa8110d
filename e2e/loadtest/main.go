// Command loadtest measures the Invites server under concurrent load, beside PostGraphile
// 4.14.1 on the same database as the anchor. Run it with `make loadtest`.
//
// It creates the database invites_loadtest afresh (on the PostgreSQL that the server itself
// would use: 127.0.0.1:5432, or the private cluster under .data/), builds and starts the
// server binary on a loopback port (which migrates it), seeds it through SQL, starts
// PostGraphile on it, and drives both with closed-loop workers (each sends its next request
// when the last is answered) at each concurrency for a fixed time. It prints requests per
// second, p50 and p99 per scenario, and the member page's ratio to PostGraphile's.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"

	"github.com/invites/invites/internal/pglocal"
)

const database = "invites_loadtest"

type options struct {
	conns        []int
	duration     time.Duration
	warmup       time.Duration
	rounds       int
	acceptors    int
	serverEnv    []string
	postgraphile bool
	only         string
	hold         bool
}

func main() {
	var o options
	conns := flag.String("conns", "10,50", "concurrent connections, comma-separated")
	flag.DurationVar(&o.duration, "duration", 4*time.Second, "how long each scenario is measured at each concurrency")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each measurement")
	flag.IntVar(&o.rounds, "rounds", 4, "turns that the member page's two servers take within -duration, alternately")
	flag.IntVar(&o.acceptors, "acceptors", 10000, "invites seeded for acceptInvite to claim")
	serverEnv := flag.String("server-env", "", "extra environment for the server, space-separated NAME=value (e.g. DB_MAX_IDLE_CONNS=2)")
	flag.BoolVar(&o.postgraphile, "postgraphile", true, "run PostGraphile (e2e/loadtest/postgraphile, npm ci first) beside the server")
	flag.StringVar(&o.only, "only", "", "run only the scenarios whose name contains this")
	flag.BoolVar(&o.hold, "hold", false, "seed and start the servers, print their addresses, and keep them until interrupted (for profiling)")
	flag.Parse()
	for _, c := range strings.Split(*conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "loadtest: -conns: %q is not a positive number\n", c)
			os.Exit(2)
		}
		o.conns = append(o.conns, n)
	}
	o.serverEnv = strings.Fields(*serverEnv)
	if o.rounds <= 0 {
		fmt.Fprintln(os.Stderr, "loadtest: -rounds must be at least 1")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	root := pglocal.ModuleRoot()
	pgBin := filepath.Join(root, "e2e", "loadtest", "postgraphile", "node_modules", ".bin", "postgraphile")
	if _, err := os.Stat(pgBin); o.postgraphile && err != nil {
		return fmt.Errorf("PostGraphile is not installed: run `npm ci` in e2e/loadtest/postgraphile (make loadtest does), or pass -postgraphile=false")
	}
	tmp, err := os.MkdirTemp("", "invites-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	step := stepper()
	server, err := pglocal.ServerURL(ctx, root, "")
	if err != nil {
		return err
	}
	dbURL, err := freshDatabase(ctx, server)
	if err != nil {
		return err
	}
	// Registered first, so run last: after the servers have stopped and let go of it.
	defer func() {
		if err := dropDatabase(context.Background(), server); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
		}
	}()
	step("created database %s", database)

	bin := filepath.Join(tmp, "invites")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	step("built the server")

	addr, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin)
	// The whole environment is given, so nothing in the caller's changes what is measured.
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + dbURL, "ADDR=" + addr, "LOG_LEVEL=warn",
		"INVITE_RATE_LIMIT=-1", // createInvite sends thousands an hour from one inviter
	}, o.serverEnv...)
	ours, err := start("invites", "http://"+addr, tmp, cmd)
	if err != nil {
		return err
	}
	defer ours.stop()
	if err := ours.waitReady(ctx, "/readyz", nil, 2*time.Minute); err != nil {
		return err
	}
	step("started the server on %s (migrated; extra environment: %q)", addr, o.serverEnv)

	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := seed(ctx, db, o.acceptors); err != nil {
		return err
	}
	step("seeded %d members, %d invites, %d invites to accept", seedMembers, seedInvites, o.acceptors)

	var theirs *process
	if o.postgraphile {
		pgAddr, err := freePort()
		if err != nil {
			return err
		}
		_, port, _ := strings.Cut(pgAddr, ":")
		cmd := exec.Command(pgBin, "--connection", dbURL, "--schema", "public", "--host", "127.0.0.1", "--port", port,
			"--max-pool-size", "20", "--disable-query-log", "--disable-graphiql")
		cmd.Env = append(os.Environ(), "NODE_ENV=production")
		if theirs, err = start("postgraphile", "http://"+pgAddr, tmp, cmd); err != nil {
			return err
		}
		defer theirs.stop()
		if err := theirs.waitReady(ctx, "/graphql", []byte(`{"query":"{ __typename }"}`), 2*time.Minute); err != nil {
			return err
		}
		step("started PostGraphile on %s (pool of 20, as ours)", pgAddr)
	}

	f, err := prepare(ctx, ours, theirs, db, o.acceptors)
	if err != nil {
		return err
	}
	step("checked every scenario's answer once")
	if o.hold {
		return hold(ctx, f, dbURL)
	}

	fmt.Printf("\nload average before: %s\n", loadAverage())
	table := newTable()
	var compared []comparison
	for _, group := range groups(f.scenarios(), o.only) {
		// Scenarios compared with each other take turns in short rounds, so that the machine's
		// load, which swings over seconds here, weighs on both alike.
		rounds := 1
		if len(group) > 1 {
			rounds = o.rounds
		}
		for _, c := range o.conns {
			client := newClient(c)
			if o.warmup > 0 {
				for _, sc := range group {
					drive(ctx, client, sc.url, c, o.warmup, sc.next)
				}
			}
			results := make([]result, len(group))
			opened := make([]int64, len(group))
			for range rounds {
				for j, sc := range group {
					before, err := sessions(ctx, db)
					if err != nil {
						return err
					}
					r := drive(ctx, client, sc.url, c, o.duration/time.Duration(rounds), sc.next)
					if err := ctx.Err(); err != nil {
						return err
					}
					after, err := sessions(ctx, db)
					if err != nil {
						return err
					}
					results[j] = results[j].merge(r)
					opened[j] += after - before
				}
			}
			client.CloseIdleConnections()
			var cmp comparison
			for j, sc := range group {
				table.add(sc.name, c, results[j], opened[j])
				cmp.group, cmp.conns, cmp.sides[sc.side] = sc.group, c, results[j]
			}
			if len(group) == 2 {
				compared = append(compared, cmp)
			}
		}
	}
	table.print(os.Stdout)
	fmt.Printf("load average after: %s\n", loadAverage())
	for _, c := range compared {
		ours, theirs := c.sides[0], c.sides[1]
		if ours.Requests == 0 || theirs.Requests == 0 {
			continue
		}
		fmt.Printf("%s at %d connections: %.2f× PostGraphile's req/s (%.0f against %.0f), p50 %s against %s, p99 %s against %s\n",
			c.group, c.conns, ours.PerSecond()/theirs.PerSecond(), ours.PerSecond(), theirs.PerSecond(),
			ms(ours.Percentile(50)), ms(theirs.Percentile(50)), ms(ours.Percentile(99)), ms(theirs.Percentile(99)))
	}
	if table.failed {
		return errors.New("some requests failed (see the table's failures column and the first failure above it)")
	}
	return nil
}

// comparison is one group's two sides, ours and PostGraphile's, at one concurrency.
type comparison struct {
	group string
	conns int
	sides [2]result
}

// sessions is how many PostgreSQL sessions have been opened on the load test's database so
// far (pg_stat_database, PostgreSQL 14 and later; a session's start is counted once its
// backend reports, at the latest when it ends, so sessions opened and closed again during a
// scenario, which is what a pool that does not keep its connections does, all count).
func sessions(ctx context.Context, db *sql.DB) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, "SELECT sessions FROM pg_stat_database WHERE datname = $1", database).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count PostgreSQL sessions: %w", err)
	}
	return n, nil
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

// stepper prints each setup step with the time since the start.
func stepper() func(format string, args ...any) {
	start := time.Now()
	return func(format string, args ...any) {
		fmt.Printf("[%5.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
}

// loadAverage is the machine's load average over 1, 5 and 15 minutes, as uptime shows it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings and numbers are marshalled here
	}
	return b
}

// hold prints what a profiler or a hand-run load needs and waits until interrupted, with the
// servers and the seeded database kept.
func hold(ctx context.Context, f *fixture, dbURL string) error {
	fmt.Printf("holding until interrupted:\n  database   %s\n  ours       %s/graphql (Authorization: Bearer %s)\n  project    %s (members), %s (invites)\n",
		dbURL, f.ours.base, ownerSession, f.members, f.invites)
	if f.theirs != nil {
		fmt.Printf("  PostGraphile %s/graphql, member project row %s\n", f.theirs.base, f.membersUUID)
	}
	<-ctx.Done()
	return nil
}
