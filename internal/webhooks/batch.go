package webhooks

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
)

// batchArgs is the job that makes the first attempt of an endpoint's deliveries: the Hook
// inserts one per endpoint in each transaction that queues deliveries (a 10,000-row bulk
// invite, one per endpoint), and it posts every delivery of the endpoint still waiting for its
// first attempt, its own and any other's, oldest first.
type batchArgs struct {
	ProjectID  uuid.UUID `json:"project_id"`
	EndpointID uuid.UUID `json:"endpoint_id"`
}

func (batchArgs) Kind() string { return "webhook_batch" }

func (batchArgs) InsertOpts() river.InsertOpts {
	// A run fails only when the database does; the deliveries stay PENDING meanwhile, so it
	// gets River's default attempts however short the deliveries' backoff.
	return river.InsertOpts{Queue: queueName, MaxAttempts: river.MaxAttemptsDefault}
}

// batchWorker posts an endpoint's deliveries (one HTTP request per delivery, the body and
// signature of SPEC §13), locking them a few at a time (claim.go), posting each claim's up to
// Config.EndpointConcurrency at once, and recording its outcomes in its transaction before the
// next claim.
//
// SPEC §13 promises no order, and a slow receiver gets its posts at once rather than one
// after the other: the posts of a claim start in the order of their events, but those in
// flight together arrive in any order (with a concurrency of 1, a claim's arrive in order). A
// failure does not hold the others back: a delivery whose first attempt fails for a reason
// that may pass is handed, in that transaction, to a job of its own (deliverArgs) that makes
// its later attempts on the backoff, while the batch goes on; and two batches of one endpoint
// running at once (another transaction's, a second replica's) post their claims interleaved.
type batchWorker struct {
	river.WorkerDefaults[batchArgs]
	s *Service
}

// Timeout is a run's: at its end, River cancels the run's context, and the run records what
// it posted and goes on in the job's next run (drain).
func (w *batchWorker) Timeout(*river.Job[batchArgs]) time.Duration { return w.s.jobTimeout }

func (w *batchWorker) Work(ctx context.Context, job *river.Job[batchArgs]) error {
	err := w.s.drain(ctx, job.Args)
	if err != nil && ctx.Err() != nil {
		// Shutdown, or the run's timeout: the next run posts the rest, its own claims first. A
		// snooze, unlike an error, uses up none of the job's attempts.
		return river.JobSnooze(0)
	}
	if err != nil && job.Attempt >= job.MaxAttempts {
		w.s.log.Error("webhook batch failed, no attempts left: its endpoint's deliveries wait for its next event",
			"job_id", job.ID, "endpoint", job.Args.EndpointID, "error", err)
	}
	return err
}

// drain posts endpoint a's deliveries waiting for their first attempt, a claim at a time,
// until there are none left to claim, or ctx ends.
func (s *Service) drain(ctx context.Context, a batchArgs) error {
	for ctx.Err() == nil {
		n, err := s.postClaim(ctx, a)
		if err != nil || n == 0 {
			return err
		}
	}
	return ctx.Err()
}

// postClaim claims the next deliveries of endpoint a, posts them (postClaimed) and records
// their outcomes, in one transaction, and returns how many it claimed. What was posted is recorded
// and committed however ctx ends: the posts went out.
func (s *Service) postClaim(ctx context.Context, a batchArgs) (int, error) {
	select {
	case s.claims <- struct{}{}:
		defer func() { <-s.claims }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	var n int
	var failed []*tried
	err := s.db.RunInTx(context.WithoutCancel(ctx), nil, func(txCtx context.Context, tx bun.Tx) error {
		// The commit need not wait for its WAL to reach the disk (1,100 to 1,600-1,660 posts a
		// second in make bench): if the database crashes before it does, what is lost is the
		// record of posts that went out, so those deliveries are PENDING with no attempt again
		// and posted again with the same webhook-id, at least once as after a kill -9; WAL is
		// flushed in order, so River's completion of this job, committed after it and
		// synchronously, is never kept without it.
		if _, err := tx.ExecContext(txCtx, "SET LOCAL synchronous_commit = off"); err != nil {
			return err
		}
		ds, err := s.claimBatch(txCtx, tx, a)
		if err != nil {
			return err
		}
		n = len(ds)
		failed, err = s.recordFirst(txCtx, tx, a.ProjectID, s.postClaimed(ctx, ds))
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, t := range failed {
		s.log.Warn("webhook delivery failed", "delivery", t.d.ID, "endpoint", t.d.EndpointID, "type", t.d.EventType,
			"attempts", 1, "error", t.o.err)
	}
	return n, nil
}

// postClaimed posts ds, up to s.endpointConcurrency at once, each once, starting them in the
// order of their events, and returns what each attempt came to, in that order: all of them, or
// those started before ctx ended or the claim's window passed (at least one, unless ctx has
// ended). A post is not cut short by ctx: the posts in flight end within the post timeout, and
// are recorded with the others.
func (s *Service) postClaimed(ctx context.Context, ds []*claimedDelivery) []*tried {
	end := time.Now().Add(claimWindow)
	out := make([]*tried, len(ds))
	slots := make(chan struct{}, s.endpointConcurrency)
	var wg sync.WaitGroup
	for i, d := range ds {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil || (i > 0 && time.Now().After(end)) {
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			out[i] = s.attempt(context.WithoutCancel(ctx), d)
		})
	}
	wg.Wait()
	return slices.DeleteFunc(out, func(t *tried) bool { return t == nil })
}

// attempt posts d to its endpoint as the claim read it (none when it is disabled).
func (s *Service) attempt(ctx context.Context, d *claimedDelivery) *tried {
	o := outcome{err: "the endpoint is disabled"}
	if d.Endpoint.Enabled {
		o = s.post(ctx, &d.Endpoint, &d.Delivery)
	}
	return &tried{d: d, o: o, at: time.Now().UTC()}
}
