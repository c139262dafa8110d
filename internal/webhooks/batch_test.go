package webhooks_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
	"github.com/invites/invites/internal/webhooks"
)

// bulkTo runs a bulk invite of n rows into a new project with an endpoint for invite.created
// to rc, and returns the endpoint.
func bulkTo(t *testing.T, e *env, n int, rc *receiver) (*invites.Project, *webhooks.Endpoint) {
	t.Helper()
	owner, p := e.project(t)
	ep := e.endpoint(t, owner.ID, p.ID, rc, []string{"invite.created"})
	if _, err := e.svc.BulkInvite(context.Background(), owner.ID,
		invites.BulkInput{ProjectID: p.ID, Rows: bulkRows(n), DefaultRole: invites.RoleContributor}); err != nil {
		t.Fatal(err)
	}
	return p, ep
}

// eventOrder is ep's deliveries' ids in the order of their events (project.activity's).
func (e *env) eventOrder(t *testing.T, ep *webhooks.Endpoint) []string {
	t.Helper()
	var ids []string
	err := e.db.NewRaw("SELECT id::text FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY created_at, event_id, id", ep.ID).
		Scan(context.Background(), &ids)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// wantSucceededOnce waits until ep's n deliveries are settled, and checks that each succeeded
// at its first attempt.
func (e *env) wantSucceededOnce(t *testing.T, ep *webhooks.Endpoint, n int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		var pending, once int
		err := e.db.NewRaw(`SELECT count(*) FILTER (WHERE status = 'PENDING'), count(*) FILTER (WHERE status = 'SUCCEEDED' AND attempts = 1)
			FROM webhook_deliveries WHERE endpoint_id = ?`, ep.ID).Scan(context.Background(), &pending, &once)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 || time.Now().After(deadline) {
			if once != n || pending != 0 {
				t.Errorf("%d deliveries SUCCEEDED at the first attempt, %d PENDING; want %d and none", once, pending, n)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// firstPosts is the ids of ms in the order of their first post.
func firstPosts(ms []message) []string {
	var ids []string
	for _, m := range ms {
		if !slices.Contains(ids, m.ID) {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// A bulk invite's deliveries to one endpoint go out from one job, each once; with a
// concurrency of 1, in the order of their events (with more, SPEC §13 promises no order).
func TestBatch_Order(t *testing.T) {
	for _, concurrency := range []int{1, 16} {
		t.Run(fmt.Sprint("concurrency ", concurrency), func(t *testing.T) {
			e := newEnv(t, pgtest.DB(t), func(c *webhooks.Config) { c.EndpointConcurrency = concurrency })
			rc := newReceiver(t)
			const n = 300
			_, ep := bulkTo(t, e, n, rc)
			got := rc.waitAccepted(t, n, waitFor)
			want := e.eventOrder(t, ep)
			posted := firstPosts(got)
			if concurrency > 1 {
				slices.Sort(posted)
				slices.Sort(want)
			}
			if !slices.Equal(posted, want) || len(got) != n {
				t.Errorf("%d posts of %d deliveries; want the %d deliveries once each (in the order of their events at concurrency 1)",
					len(got), len(posted), len(want))
			}
			var jobs []string
			err := e.db.NewRaw("SELECT kind FROM river_job WHERE args->>'endpoint_id' = ? OR args->>'delivery_id' IN (SELECT id::text FROM webhook_deliveries WHERE endpoint_id = ?)",
				ep.ID.String(), ep.ID).Scan(context.Background(), &jobs)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(jobs, []string{"webhook_batch"}) {
				t.Errorf("jobs %v; want one webhook_batch for the %d deliveries", jobs, n)
			}
			e.wantSucceededOnce(t, ep, n)
		})
	}
}

// A delivery whose first attempt fails is retried on its own while the batch goes on: the
// deliveries after it are posted before its second attempt. (One post at a time, so that
// "after" is the order of the events.)
func TestBatch_FailureDoesNotBlock(t *testing.T) {
	e := newEnv(t, pgtest.DB(t), func(c *webhooks.Config) { c.EndpointConcurrency = 1 })
	rc := newReceiver(t)
	firsts := 0
	rc.setAnswer(func(n int, _ message) int {
		if n == 0 {
			firsts++
			if firsts == 3 {
				return http.StatusServiceUnavailable
			}
		}
		return http.StatusOK
	})
	const n = 20
	_, ep := bulkTo(t, e, n, rc)
	rc.waitAccepted(t, n, waitFor)
	order := e.eventOrder(t, ep)
	rc.mu.Lock()
	all := slices.Clone(rc.got)
	rc.mu.Unlock()
	if !slices.Equal(firstPosts(all), order) {
		t.Fatalf("first posts out of the events' order")
	}
	failing, next := order[2], order[3]
	var posts []string
	for _, m := range all {
		posts = append(posts, m.ID)
	}
	retry := slices.Index(posts[slices.Index(posts, failing)+1:], failing) + slices.Index(posts, failing) + 1
	if retry <= slices.Index(posts, failing) || slices.Index(posts, next) > retry {
		t.Errorf("posts %v: the delivery after the failed one (%s) came after its retry", posts, next)
	}
	for _, d := range e.settled(t, ep, n) {
		want := 1
		if d.ID.String() == failing {
			want = 2
		}
		if d.Status != webhooks.Succeeded || d.Attempts != want {
			t.Errorf("delivery %s: %s after %d attempts; want SUCCEEDED after %d", d.ID, d.Status, d.Attempts, want)
		}
	}
}

// A batch cut off in the middle (its job's context cancelled, as at its timeout or a
// shutdown) starts no post after the cut, lets those in flight finish and records every post
// it made; its next run posts the rest, none twice.
func TestBatch_ResumesAfterCut(t *testing.T) {
	const concurrency = 4
	e := newEnvIdle(t, pgtest.DB(t), func(c *webhooks.Config) { c.EndpointConcurrency = concurrency },
		time.Second, mail.NewLogSender(quiet))
	rc := newReceiver(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n, cut = 120, 30
	posted := 0
	rc.setAnswer(func(int, message) int {
		if posted++; posted == cut {
			cancel() // during the post: it is answered, and the batch starts no other
		}
		return http.StatusOK
	})
	p, ep := bulkTo(t, e, n, rc)
	if err := e.hooks.DrainEndpoint(ctx, p.ID, ep.ID); err == nil {
		t.Fatal("a cut run reported it was done")
	}
	count := func(status webhooks.Status) int {
		k, err := e.db.NewSelect().TableExpr("webhook_deliveries").Where("endpoint_id = ? AND status = ?", ep.ID, status).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return int(k)
	}
	// The posts in flight at the cut (up to concurrency, the cutting one included) end and are
	// recorded: the SUCCEEDED are exactly the posts made.
	made := len(rc.accepted())
	if done, left := count(webhooks.Succeeded), count(webhooks.Pending); done != made || made < cut || made >= cut+concurrency || left != n-made {
		t.Fatalf("after the cut: %d posts made, %d SUCCEEDED, %d PENDING; want %d to %d posts, each SUCCEEDED, the rest PENDING",
			made, done, left, cut, cut+concurrency-1)
	}
	if err := e.hooks.DrainEndpoint(context.Background(), p.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	got := rc.accepted()
	ids, want := firstPosts(got), e.eventOrder(t, ep)
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) || len(got) != n {
		t.Errorf("%d posts of %d deliveries; want %d, each once", len(got), len(ids), n)
	}
	e.wantSucceededOnce(t, ep, n)
}

// gate is a receiver that holds the posts until threshold of them are in flight at once (or
// waitFor has passed: then it holds none), and counts the posts of each delivery and the most
// in flight at once.
type gate struct {
	mu          sync.Mutex
	threshold   int
	inFlight    int
	maxInFlight int
	reached     bool
	opened      chan struct{}
	once        sync.Once
	posts       map[string]int
	URL         string
}

func newGate(t *testing.T, threshold int) *gate {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{threshold: threshold, opened: make(chan struct{}), posts: map[string]int{}, URL: "http://" + ln.Addr().String() + "/hook"}
	srv := &http.Server{Handler: g}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return g
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.inFlight++
	g.maxInFlight = max(g.maxInFlight, g.inFlight)
	g.posts[r.Header.Get("webhook-id")]++
	if g.inFlight >= g.threshold {
		g.reached = true
		g.once.Do(func() { close(g.opened) })
	}
	g.mu.Unlock()
	select {
	case <-g.opened:
	case <-r.Context().Done(): // the client gave up: this post is no longer in flight
	case <-time.After(waitFor):
		g.once.Do(func() { close(g.opened) })
	}
	g.mu.Lock()
	g.inFlight--
	g.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// postedOnce checks that g had n deliveries posted, each once.
func (g *gate) postedOnce(t *testing.T, n int) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	twice := 0
	for _, k := range g.posts {
		if k != 1 {
			twice++
		}
	}
	if len(g.posts) != n || twice != 0 {
		t.Errorf("%d deliveries posted, %d of them more than once; want %d, each once", len(g.posts), twice, n)
	}
}

// gatedConfig is the services' settings for a gate: posts of concurrency at once, each
// waiting as long as the gate may hold it, so that the gate counts only posts the batch has
// really in flight together.
func gatedConfig(concurrency int) func(*webhooks.Config) {
	return func(c *webhooks.Config) { c.EndpointConcurrency, c.Timeout = concurrency, 2*waitFor }
}

// gatedBulk runs a bulk invite of n rows into a new project with an endpoint to g, and returns
// the project and the endpoint.
func gatedBulk(t *testing.T, e *env, g *gate, n int) (*invites.Project, *webhooks.Endpoint) {
	t.Helper()
	owner, p := e.project(t)
	ep, _, err := e.hooks.Create(context.Background(), owner.ID, p.ID, g.URL, []string{"invite.created"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.BulkInvite(context.Background(), owner.ID,
		invites.BulkInput{ProjectID: p.ID, Rows: bulkRows(n), DefaultRole: invites.RoleContributor}); err != nil {
		t.Fatal(err)
	}
	return p, ep
}

// A receiver that answers slowly gets a batch's posts at once: as many in flight as the
// endpoint's concurrency, no more, each delivery once.
func TestBatch_SlowReceiverGetsConcurrentPosts(t *testing.T) {
	const concurrency, n = 8, 40
	e := newEnvIdle(t, pgtest.DB(t), gatedConfig(concurrency), time.Second, mail.NewLogSender(quiet))
	g := newGate(t, concurrency)
	p, ep := gatedBulk(t, e, g, n)
	if err := e.hooks.DrainEndpoint(context.Background(), p.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	reached, most := g.reached, g.maxInFlight
	g.mu.Unlock()
	if !reached || most != concurrency {
		t.Errorf("at most %d posts in flight at once; want %d", most, concurrency)
	}
	g.postedOnce(t, n)
	e.wantSucceededOnce(t, ep, n)
}

// Two batch jobs of one endpoint at once (two replicas) post every delivery once: each locks
// what it posts, and the other skips it. One job has at most its concurrency in flight, so a
// post beyond that is the other job's, posting at the same time.
func TestBatch_TwoJobsAtOnce(t *testing.T) {
	const concurrency, n = 4, 400
	e := newEnvIdle(t, pgtest.DB(t), gatedConfig(concurrency), time.Second, mail.NewLogSender(quiet))
	g := newGate(t, concurrency+1)
	p, ep := gatedBulk(t, e, g, n)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = e.hooks.DrainEndpoint(context.Background(), p.ID, ep.ID) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	g.mu.Lock()
	reached := g.reached
	g.mu.Unlock()
	if !reached {
		t.Error("the two jobs never posted at once")
	}
	g.postedOnce(t, n)
	e.wantSucceededOnce(t, ep, n)
}
