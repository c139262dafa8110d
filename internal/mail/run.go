package mail

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
)

// runLimits are the times that bound one run of a sending job. River's rescuer takes a job
// that has been running for rescueAfter for the job of a process that died, and runs it
// again: a run must have ended by then, or two runs could send one email twice.
//
// A run starts sends until jobTimeout (River then cancels its context; the emails not sent
// yet go on in a next run); the send in flight may go on to halfway between jobTimeout and
// rescueAfter, and writing its outcome, retried while the database fails, to three quarters
// of the way. The last quarter is the margin for clocks and for River's own bookkeeping.
type runLimits struct {
	jobTimeout  time.Duration
	rescueAfter time.Duration
	clock       clock // the zero value reads and waits on the real time
}

// clock is the time a run reads and waits on: the process's, but for tests of the run's
// deadlines, which step a fake one instead of waiting out seconds that a busy machine stretches.
type clock struct {
	now   func() time.Time
	sleep func(time.Duration)
}

func (c clock) Now() time.Time {
	if c.now == nil {
		return time.Now()
	}
	return c.now()
}

func (c clock) Sleep(d time.Duration) {
	if c.sleep == nil {
		time.Sleep(d)
		return
	}
	c.sleep(d)
}

// start returns the deadlines of a run that starts now. River's rescuer counts from the job's
// attempted_at, the database's time when the run was fetched, a moment earlier: the margin
// covers that moment and a modest skew between the clocks of the database and of the process
// (counting from attempted_at instead would make every send fail at once if the database's
// clock were well behind).
func (l runLimits) start() runDeadlines {
	start := l.clock.Now()
	gap := l.rescueAfter - l.jobTimeout
	return runDeadlines{
		clock:   l.clock,
		sendBy:  start.Add(l.jobTimeout + gap/2),
		writeBy: start.Add(l.jobTimeout + gap*3/4),
	}
}

// runDeadlines are the ends of one run of a sending job, as runLimits sets them.
type runDeadlines struct {
	clock   clock
	sendBy  time.Time // a send still going on then is cut short
	writeBy time.Time // a status write still failing then is given up
}

// send renders e and hands it to sender, by sendBy at the latest. ctx must not be one that
// River cancels at the job's timeout: a send cut short after the server took the message
// but before it said so would be sent again.
func (r runDeadlines) send(ctx context.Context, sender Sender, e outboxRow) error {
	ctx, cancel := context.WithDeadline(ctx, r.sendBy)
	defer cancel()
	return send(ctx, sender, e)
}

// Waits between the tries of a status write: doubling from writeRetryMin up to writeRetryMax.
const (
	writeRetryMin = 100 * time.Millisecond
	writeRetryMax = 2 * time.Second
)

// write runs write until it succeeds, waiting longer after each failure, and gives up with its
// last error once the next try would start after writeBy. Each try's context ends at writeBy,
// so that a database that hangs rather than refuses does not keep the run past it. write must
// be safe to run again after a failure whose effect was committed (a lost reply).
func (r runDeadlines) write(ctx context.Context, write func(context.Context) error) error {
	ctx, cancel := context.WithDeadline(ctx, r.writeBy)
	defer cancel()
	wait := writeRetryMin
	for {
		err := write(ctx)
		if err == nil || r.writeBy.Sub(r.clock.Now()) < wait {
			return err
		}
		r.clock.Sleep(wait)
		wait = min(2*wait, writeRetryMax)
	}
}

// unrecordedSends are the emails that this process sent but could not record as SENT, the
// database being out of reach for longer than a run could wait. A later run in this process
// records them instead of sending them again; a crash forgets them, and they go again (the
// at-least-once window). An email stays here only until it is recorded.
type unrecordedSends struct {
	mu  sync.Mutex
	ids map[uuid.UUID]struct{}
}

func newUnrecordedSends() *unrecordedSends {
	return &unrecordedSends{ids: map[uuid.UUID]struct{}{}}
}

func (u *unrecordedSends) add(id uuid.UUID) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.ids[id] = struct{}{}
}

func (u *unrecordedSends) remove(id uuid.UUID) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.ids, id)
}

func (u *unrecordedSends) has(id uuid.UUID) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.ids[id]
	return ok
}
