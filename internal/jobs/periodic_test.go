package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/invites/invites/internal/jobs"
	"github.com/invites/invites/internal/pgtest"
)

type tidyArgs struct{}

func (tidyArgs) Kind() string { return "jobs_test_tidy" }

// Periodic runs its function at start-up, once, in its own queue, and a run that fails is not
// tried again.
func TestPeriodic(t *testing.T) {
	ctx := context.Background()
	runs := make(chan struct{}, 10)
	work := jobs.Periodic[tidyArgs]("tidy", time.Hour, func(context.Context) error {
		runs <- struct{}{}
		return context.DeadlineExceeded // fails: River must not run it again
	})
	if q := work.Queues["tidy"]; len(work.Queues) != 1 || q.MaxWorkers != 1 {
		t.Errorf("queues %v, want tidy alone with one worker", work.Queues)
	}
	cfg := testConfig()
	j, err := jobs.New(pgtest.DB(t), cfg, work)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Stop(context.Background()) })
	select {
	case <-runs:
	case <-time.After(30 * time.Second):
		t.Fatal("the periodic job did not run at start-up")
	}
	var attempts []int
	err = pgtest.DB(t).NewSelect().Table("river_job").Column("max_attempts").
		Where("kind = ?", tidyArgs{}.Kind()).Scan(ctx, &attempts)
	if err != nil || len(attempts) != 1 || attempts[0] != 1 {
		t.Errorf("the job's max_attempts: %v, %v; want one job of 1 attempt", attempts, err)
	}
}
