package live_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// notifyEventsTrigger is live_events_inserted as it was before migration 20261209003000: a
// pg_notify per project and chunk, sent from the writing transaction.
const notifyEventsTrigger = `CREATE OR REPLACE FUNCTION live_events_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('live', json_build_object('k', 'activity', 'p', g.p, 'ids', to_json(g.ids[c.first:c.first + 99]))::text)
    FROM (SELECT n.project_id AS p, array_agg(n.id) AS ids
          FROM live_new AS n WHERE n.project_id IS NOT NULL GROUP BY n.project_id) AS g,
         generate_series(1, cardinality(g.ids), 100) AS c (first);
    RETURN NULL;
END
$$`

// BenchmarkPublish_10Writers: the commits per second of 10 connections each committing
// transactions that insert one activity event (the trigger publishes it), with the trigger
// sending pg_notify as before, and with it writing a row of live_changes as now, the
// listener and its drainer running. The two take turns in 4 rounds of b.N/4 transactions
// each, so that a machine whose load swings weighs on both alike. Reports both rates and
// their ratio (x-notify: the table's rate over pg_notify's).
func BenchmarkPublish_10Writers(b *testing.B) {
	const writers, rounds = 10, 4
	listening(b)
	f := newFixture(b)
	f.db.DB.SetMaxOpenConns(writers + 2)
	ctx := context.Background()
	// The trigger as the migrations made it (a row in live_changes), put back after each
	// round of pg_notify's and at the end.
	var tableEventsTrigger string
	if err := f.db.DB.QueryRowContext(ctx, `SELECT pg_get_functiondef('live_events_inserted'::regproc)`).Scan(&tableEventsTrigger); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.exec(b, tableEventsTrigger) })
	commit := func() error {
		_, err := f.db.ExecContext(ctx, `INSERT INTO activity_events (id, project_id, name, created_at) VALUES (gen_random_uuid(), ?, 'Bench', now())`, f.project)
		return err
	}
	var elapsed [2]time.Duration
	n := max(b.N/rounds, writers)
	b.ResetTimer()
	for range rounds {
		for i, trigger := range []string{notifyEventsTrigger, tableEventsTrigger} {
			b.StopTimer()
			f.exec(b, trigger)
			b.StartTimer()
			elapsed[i] += runWriters(b, writers, n, commit)
		}
	}
	b.StopTimer()
	notify := float64(n*rounds) / elapsed[0].Seconds()
	table := float64(n*rounds) / elapsed[1].Seconds()
	b.ReportMetric(notify, "notify-commits/s")
	b.ReportMetric(table, "table-commits/s")
	b.ReportMetric(table/notify, "x-notify")
}

// runWriters runs fn n times over writers goroutines and returns how long that took.
func runWriters(b *testing.B, writers, n int, fn func() error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := fn(); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}
