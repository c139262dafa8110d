package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/jobs"
	"github.com/invites/invites/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// pingArgs is a job that tells its worker its number.
type pingArgs struct {
	N int `json:"n"`
}

func (pingArgs) Kind() string { return "jobs_test_ping" }

func (pingArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: "ping"} }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	done chan int
}

func (w *pingWorker) Work(ctx context.Context, job *river.Job[pingArgs]) error {
	w.done <- job.Args.N
	return nil
}

// pingWork is a package's Work as New takes it: the ping worker on a queue of its own, and a
// periodic ping (number 0) at start-up and then every hour.
func pingWork(done chan int) jobs.Work {
	return jobs.Work{
		Workers: func(w *river.Workers) { river.AddWorker(w, &pingWorker{done: done}) },
		Queues:  map[string]river.QueueConfig{"ping": {MaxWorkers: 2}},
		Periodic: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return pingArgs{N: 0}, nil },
			&river.PeriodicJobOpts{RunOnStart: true})},
	}
}

func testConfig() jobs.Config {
	cfg := jobs.Config{Jobs: config.Default().Jobs}
	cfg.PollInterval = 50 * time.Millisecond
	return cfg
}

// Jobs run what the packages' Work gives it: a job inserted in a transaction that commits,
// and the periodic job; a job inserted in a transaction that rolls back is gone with it.
func TestJobs_WorksCommittedAndPeriodicJobs(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	ins, err := jobs.NewInserter(db)
	if err != nil {
		t.Fatal(err)
	}
	errRollBack := errors.New("roll back")
	insert := func(n int, commit bool) {
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := ins.InsertMany(ctx, tx, []river.InsertManyParams{{Args: pingArgs{N: n}}}); err != nil {
				return err
			}
			if err := ins.Insert(ctx, tx, pingArgs{N: n + 1}, nil); err != nil {
				return err
			}
			if !commit {
				return errRollBack
			}
			return nil
		})
		if commit && err != nil || !commit && !errors.Is(err, errRollBack) {
			t.Fatalf("insert %d: %v", n, err)
		}
	}
	insert(1, true)
	insert(3, false)
	if n := countPings(t, db); n != 2 {
		t.Fatalf("%d ping jobs after one commit and one rollback of two each, want 2", n)
	}

	done := make(chan int, 10)
	j, err := jobs.New(db, testConfig(), pingWork(done))
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Stop(context.Background()) })
	got := map[int]bool{}
	deadline := time.After(30 * time.Second)
	for len(got) < 3 {
		select {
		case n := <-done:
			if got[n] {
				t.Fatalf("ping %d ran twice", n)
			}
			got[n] = true
		case <-deadline:
			t.Fatalf("pings run: %v; want 0 (periodic), 1 and 2", got)
		}
	}
	if !got[0] || !got[1] || !got[2] {
		t.Fatalf("pings run: %v; want 0 (periodic), 1 and 2", got)
	}
}

// countPings counts the ping jobs in River's table.
func countPings(t *testing.T, db *bun.DB) int {
	t.Helper()
	n, err := db.NewSelect().Table("river_job").Where("kind = ?", pingArgs{}.Kind()).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// New refuses settings that would run a job twice, and two packages working one queue.
func TestNew_Refuses(t *testing.T) {
	db := pgtest.DB(t)
	for _, tc := range []struct {
		name   string
		change func(*jobs.Config)
		work   []jobs.Work
		want   string
	}{
		{"RescueNotAfterTimeout", func(c *jobs.Config) { c.RescueAfter = c.JobTimeout }, nil, "RescueAfter"},
		{"NoTimeout", func(c *jobs.Config) { c.JobTimeout = 0 }, nil, "JobTimeout"},
		{"NoPoll", func(c *jobs.Config) { c.PollInterval = 0 }, nil, "PollInterval"},
		{"OneQueueTwice", nil, []jobs.Work{pingWork(nil), {Queues: map[string]river.QueueConfig{"ping": {MaxWorkers: 1}}}}, `"ping"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			if tc.change != nil {
				tc.change(&cfg)
			}
			_, err := jobs.New(db, cfg, tc.work...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error naming %s", err, tc.want)
			}
		})
	}
}
