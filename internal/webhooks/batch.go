package webhooks

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"sync/atomic"
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
// until there are none left to claim, or ctx ends. The claims are pipelined: once the posts of
// one claim left to start fit in the endpoint's Config.EndpointConcurrency slots, the next
// claim is taken (claimLanes of them open at once), so that its rows are locked and read while
// the posts of the one before end, and it starts posting as soon as those free their slots,
// while the one before records its outcomes and commits. The posts of all the claims share the
// slots and start in the order of their claims: with a concurrency of 1, the next claim is
// taken once the last post of the one before has its slot, and the posts still go one after
// the other in the order of their events.
func (s *Service) drain(ctx context.Context, a batchArgs) error {
	p := &pipeline{slots: make(chan struct{}, s.endpointConcurrency), lanes: make(chan struct{}, claimLanes)}
	for ctx.Err() == nil && p.err() == nil {
		select {
		case p.lanes <- struct{}{}:
		case <-ctx.Done():
			continue
		}
		if p.empty.Swap(false) {
			// A claim found nothing: if another was open then, it may have released rows it
			// did not post (its window passed), so claim again once every claim has ended;
			// else there is nothing left.
			<-p.lanes
			if !p.othersOpen {
				break
			}
			p.wg.Wait()
			p.othersOpen = false
			continue
		}
		p.othersOpen = len(p.lanes) > 1
		dispatched := make(chan struct{})
		p.wg.Go(func() {
			defer func() { <-p.lanes }()
			dispatch := sync.OnceFunc(func() { close(dispatched) })
			n, err := s.postClaim(ctx, a, p.slots, dispatch)
			p.done(n, err) // before dispatch when it posted nothing: the loop reads it next
			dispatch()
		})
		<-dispatched
	}
	p.wg.Wait()
	if err := p.err(); err != nil {
		return err
	}
	return ctx.Err()
}

// claimLanes is how many claims of one batch job are open at once: the one posting its last
// posts, recording and committing, and the next, claimed meanwhile.
const claimLanes = 2

// pipeline is a batch job's claims in flight (drain).
type pipeline struct {
	slots chan struct{} // a token for each post in flight
	lanes chan struct{} // a token for each claim open
	wg    sync.WaitGroup
	empty atomic.Bool // a claim found nothing to post
	// othersOpen is whether another claim was open when the last one was taken.
	othersOpen bool
	mu         sync.Mutex
	firstErr   error
}

func (p *pipeline) done(n int, err error) {
	if n == 0 && err == nil {
		p.empty.Store(true)
	}
	if err != nil {
		p.mu.Lock()
		p.firstErr = cmp.Or(p.firstErr, err)
		p.mu.Unlock()
	}
}

func (p *pipeline) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.firstErr
}

// postClaim claims the next deliveries of endpoint a, posts them (postClaimed, on slots) and
// records their outcomes, in one transaction, and returns how many it claimed; dispatched is
// called once the posts left to start fit in the slots (not when it claimed none). What was posted is recorded
// and committed however ctx ends: the posts went out.
func (s *Service) postClaim(ctx context.Context, a batchArgs, slots chan struct{}, dispatched func()) (int, error) {
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
		if n = len(ds); n == 0 {
			return nil
		}
		failed, err = s.recordFirst(txCtx, tx, a.ProjectID, s.postClaimed(ctx, ds, slots, dispatched))
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

// postClaimed posts ds, each once, starting them in the order of their events as slots (a token
// for each post in flight) allow, calls dispatched once those left to start are fewer than the
// slots (the next claim may be taken), and returns
// what each attempt came to, in that order: all of them, or those started before ctx ended or
// the claim's window passed (at least one, unless ctx has ended). A post is not cut short by
// ctx: the posts in flight end within the post timeout, and are recorded with the others.
func (s *Service) postClaimed(ctx context.Context, ds []*claimedDelivery, slots chan struct{}, dispatched func()) []*tried {
	end := time.Now().Add(claimWindow)
	// A claim's deliveries are of one endpoint, which the claim read with each: read it once.
	t := s.target(&ds[0].Endpoint)
	out := make([]*tried, len(ds))
	var wg sync.WaitGroup
	for i, d := range ds {
		took := false
		select {
		case slots <- struct{}{}:
			took = true
		case <-ctx.Done():
		}
		if !took || ctx.Err() != nil || (i > 0 && time.Now().After(end)) {
			if took {
				<-slots // the slots outlive the claim
			}
			break
		}
		if i >= len(ds)-cap(slots) {
			dispatched() // the posts left to start fit in the slots
		}
		wg.Go(func() {
			defer func() { <-slots }()
			out[i] = &tried{d: d, o: s.post(context.WithoutCancel(ctx), t, &d.Delivery), at: time.Now().UTC()}
		})
	}
	dispatched()
	wg.Wait()
	return slices.DeleteFunc(out, func(t *tried) bool { return t == nil })
}
