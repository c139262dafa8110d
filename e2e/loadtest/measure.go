package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// measure runs each chosen group of scenarios at each concurrency, then prints the table and
// how ours compares with PostGraphile's.
func (b *bench) measure(ctx context.Context, f *fixture) error {
	fmt.Printf("\nload average before: %s\n", loadAverage())
	table := newTable()
	var compared []comparison
	for _, group := range groups(f.scenarios(), b.only) {
		for _, c := range b.conns {
			results, opened, err := b.measureGroup(ctx, group, c)
			if err != nil {
				return err
			}
			for j, sc := range group {
				table.add(sc.name, c, results[j], opened[j])
			}
			if pair, ok := compare(group, c, results); ok {
				compared = append(compared, pair)
			}
		}
	}
	table.print(os.Stdout)
	fmt.Printf("load average after: %s\n", loadAverage())
	printComparisons(os.Stdout, compared)
	if table.failed {
		return errors.New("some requests failed (see the table's failures column and the first failure above it)")
	}
	return nil
}

// measureGroup warms group's scenarios up and measures each at conns connections for
// -duration in all. It returns each one's result and the PostgreSQL sessions its turns opened.
func (b *bench) measureGroup(ctx context.Context, group []scenario, conns int) ([]result, []int64, error) {
	// Scenarios compared with each other take turns in short rounds, so that the machine's
	// load, which swings over seconds here, weighs on both alike.
	rounds := 1
	if len(group) > 1 {
		rounds = b.rounds
	}
	client := newClient(conns)
	defer client.CloseIdleConnections()
	if b.warmup > 0 {
		for _, sc := range group {
			drive(ctx, client, sc.url, conns, b.warmup, sc.next)
		}
	}
	results := make([]result, len(group))
	opened := make([]int64, len(group))
	for range rounds {
		for j, sc := range group {
			r, n, err := b.measureTurn(ctx, client, sc, conns, b.duration/time.Duration(rounds))
			if err != nil {
				return nil, nil, err
			}
			results[j] = results[j].merge(r)
			opened[j] += n
		}
	}
	return results, opened, nil
}

// measureTurn drives one scenario for d and counts the PostgreSQL sessions opened meanwhile.
func (b *bench) measureTurn(ctx context.Context, client *http.Client, sc scenario, conns int, d time.Duration) (result, int64, error) {
	before, err := sessions(ctx, b.db)
	if err != nil {
		return result{}, 0, err
	}
	r := drive(ctx, client, sc.url, conns, d, sc.next)
	if err := ctx.Err(); err != nil {
		return result{}, 0, err
	}
	after, err := sessions(ctx, b.db)
	if err != nil {
		return result{}, 0, err
	}
	return r, after - before, nil
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

// comparison is one group's two sides, ours and PostGraphile's, at one concurrency.
type comparison struct {
	group string
	conns int
	sides [2]result
}

// compare pairs the results of a group of two scenarios, each by its side; a scenario alone
// (or without PostGraphile beside it) is compared with nothing.
func compare(group []scenario, conns int, results []result) (comparison, bool) {
	if len(group) != 2 {
		return comparison{}, false
	}
	c := comparison{conns: conns}
	for j, sc := range group {
		c.group, c.sides[sc.side] = sc.group, results[j]
	}
	return c, true
}

// printComparisons writes one line per comparison: our req/s as a multiple of PostGraphile's,
// then both sides' figures. A side that made no request has nothing to compare.
func printComparisons(w io.Writer, compared []comparison) {
	for _, c := range compared {
		ours, theirs := c.sides[0], c.sides[1]
		if ours.Requests == 0 || theirs.Requests == 0 {
			continue
		}
		fmt.Fprintf(w, "%s at %d connections: %.2f× PostGraphile's req/s (%.0f against %.0f), p50 %s against %s, p99 %s against %s\n",
			c.group, c.conns, ours.PerSecond()/theirs.PerSecond(), ours.PerSecond(), theirs.PerSecond(),
			ms(ours.Percentile(50)), ms(theirs.Percentile(50)), ms(ours.Percentile(99)), ms(theirs.Percentile(99)))
	}
}
