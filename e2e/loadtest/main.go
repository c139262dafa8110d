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
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/invites/invites/internal/pglocal"
)

const database = "invites_loadtest"

// options are the command line's flags (see parseOptions).
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
	o, err := parseOptions(flag.CommandLine, os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// parseOptions reads the command line's flags from args into options (main gives it
// flag.CommandLine, which exits with the usage on a flag it does not know).
func parseOptions(fs *flag.FlagSet, args []string) (options, error) {
	var o options
	conns := fs.String("conns", "10,50", "concurrent connections, comma-separated")
	fs.DurationVar(&o.duration, "duration", 4*time.Second, "how long each scenario is measured at each concurrency")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each measurement")
	fs.IntVar(&o.rounds, "rounds", 4, "turns that the member page's two servers take within -duration, alternately")
	fs.IntVar(&o.acceptors, "acceptors", 10000, "invites seeded for acceptInvite to claim")
	serverEnv := fs.String("server-env", "", "extra environment for the server, space-separated NAME=value (e.g. DB_MAX_IDLE_CONNS=2)")
	fs.BoolVar(&o.postgraphile, "postgraphile", true, "run PostGraphile (e2e/loadtest/postgraphile, npm ci first) beside the server")
	fs.StringVar(&o.only, "only", "", "run only the scenarios whose name contains this")
	fs.BoolVar(&o.hold, "hold", false, "seed and start the servers, print their addresses, and keep them until interrupted (for profiling)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, c := range strings.Split(*conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n <= 0 {
			return o, fmt.Errorf("-conns: %q is not a positive number", c)
		}
		o.conns = append(o.conns, n)
	}
	o.serverEnv = strings.Fields(*serverEnv)
	if o.rounds <= 0 {
		return o, errors.New("-rounds must be at least 1")
	}
	return o, nil
}

// run sets the bench up, checks every scenario's answer once, then holds the servers for a
// profiler (-hold) or measures.
func run(ctx context.Context, o options) error {
	b := &bench{options: o, root: pglocal.ModuleRoot(), step: stepper()}
	defer b.close()
	if err := b.setUp(ctx); err != nil {
		return err
	}
	f, err := prepare(ctx, b.ours, b.theirs, b.db, o.acceptors)
	if err != nil {
		return err
	}
	b.step("checked every scenario's answer once")
	if o.hold {
		return hold(ctx, f, b.dbURL)
	}
	return b.measure(ctx, f)
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
