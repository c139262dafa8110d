package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// Periodic is the Work of a tidying job: run every interval, and once at start-up. River
// inserts it on its elected leader only, so any number of processes run it once an interval.
// It has a queue of its own (queue) with one worker, so that it waits behind no other job and
// never runs twice at once in a process. A run that fails is not tried again: the next, an
// interval later, does the same work. Args is the job's kind (a struct with no fields whose
// Kind names it).
func Periodic[Args river.JobArgs](queue string, interval time.Duration, run func(context.Context) error) Work {
	var args Args
	return Work{
		Workers: func(workers *river.Workers) { river.AddWorker(workers, &periodicWorker[Args]{run: run}) },
		Queues:  map[string]river.QueueConfig{queue: {MaxWorkers: 1}},
		Periodic: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(interval),
			func() (river.JobArgs, *river.InsertOpts) {
				return args, &river.InsertOpts{Queue: queue, MaxAttempts: 1}
			},
			&river.PeriodicJobOpts{RunOnStart: true})},
	}
}

// periodicWorker works a Periodic job: it runs its function.
type periodicWorker[Args river.JobArgs] struct {
	river.WorkerDefaults[Args]
	run func(context.Context) error
}

func (w *periodicWorker[Args]) Work(ctx context.Context, _ *river.Job[Args]) error {
	return w.run(ctx)
}
