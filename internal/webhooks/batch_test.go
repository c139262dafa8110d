package webhooks_test

import (
	"context"
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

// A bulk invite's deliveries to one endpoint go out from one job, each once, in the order of
// their events.
func TestBatch_Order(t *testing.T) {
	e := newEnv(t, pgtest.DB(t), nil)
	rc := newReceiver(t)
	const n = 300
	_, ep := bulkTo(t, e, n, rc)
	got := rc.waitAccepted(t, n, waitFor)
	if want := e.eventOrder(t, ep); !slices.Equal(firstPosts(got), want) || len(got) != n {
		t.Errorf("%d posts; want the %d deliveries once each, in the order of their events", len(got), len(want))
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
}

// A delivery whose first attempt fails is retried on its own while the batch goes on: the
// deliveries after it are posted before its second attempt.
func TestBatch_FailureDoesNotBlock(t *testing.T) {
	e := newEnv(t, pgtest.DB(t), nil)
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
// shutdown) records what it posted; its next run posts the rest, none twice.
func TestBatch_ResumesAfterCut(t *testing.T) {
	e := newEnvIdle(t, pgtest.DB(t), nil, time.Second, mail.NewLogSender(quiet))
	rc := newReceiver(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n, cut = 120, 30
	posted := 0
	rc.setAnswer(func(int, message) int {
		if posted++; posted == cut {
			cancel() // during the post: it is answered, and the batch stops after it
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
	if done, left := count(webhooks.Succeeded), count(webhooks.Pending); done != cut || left != n-cut {
		t.Fatalf("after the cut: %d SUCCEEDED, %d PENDING; want %d and %d", done, left, cut, n-cut)
	}
	if err := e.hooks.DrainEndpoint(context.Background(), p.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	got := rc.accepted()
	if !slices.Equal(firstPosts(got), e.eventOrder(t, ep)) || len(got) != n {
		t.Errorf("%d posts; want %d, each once, in order", len(got), n)
	}
	e.wantSucceededOnce(t, ep, n)
}

// gate is a receiver that holds the first post until another is in flight, so that it sees
// two batches post at once, and counts the posts of each delivery.
type gate struct {
	mu       sync.Mutex
	inFlight int
	opened   chan struct{}
	once     sync.Once
	posts    map[string]int
	URL      string
}

func newGate(t *testing.T) *gate {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{opened: make(chan struct{}), posts: map[string]int{}, URL: "http://" + ln.Addr().String() + "/hook"}
	srv := &http.Server{Handler: g}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return g
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.inFlight++
	g.posts[r.Header.Get("webhook-id")]++
	if g.inFlight >= 2 {
		g.once.Do(func() { close(g.opened) })
	}
	g.mu.Unlock()
	select {
	case <-g.opened:
	case <-time.After(waitFor):
	}
	g.mu.Lock()
	g.inFlight--
	g.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// Two batch jobs of one endpoint at once (two replicas) post every delivery once: each locks
// what it posts, and the other skips it.
func TestBatch_TwoJobsAtOnce(t *testing.T) {
	e := newEnvIdle(t, pgtest.DB(t), nil, time.Second, mail.NewLogSender(quiet))
	g := newGate(t)
	owner, p := e.project(t)
	ep, _, err := e.hooks.Create(context.Background(), owner.ID, p.ID, g.URL, []string{"invite.created"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 400
	if _, err := e.svc.BulkInvite(context.Background(), owner.ID,
		invites.BulkInput{ProjectID: p.ID, Rows: bulkRows(n), DefaultRole: invites.RoleContributor}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = e.hooks.DrainEndpoint(context.Background(), p.ID, ep.ID) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	select {
	case <-g.opened:
	default:
		t.Error("the two jobs never posted at once")
	}
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
	e.wantSucceededOnce(t, ep, n)
}
