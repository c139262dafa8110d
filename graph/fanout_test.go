package graph_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/graph"
	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/pgtest"
)

// fanOutFixture is a resolver whose statements are counted, its hub, and a project's owner.
type fanOutFixture struct {
	r              *graph.Resolver
	hub            *live.Hub
	h              http.Handler // for the mutations
	counter        *pgtest.Counter
	owner, project string
}

func newFanOutFixture(t testing.TB) fanOutFixture {
	t.Helper()
	db, counter := pgtest.CountingDB(t)
	cfg := config.Default()
	cfg.Domain.AppURL = "https://app.example"
	cfg.Domain.SignUpClientLimit = 0
	cfg.GraphQL.Live.ConnectionsPerUser = 1 << 20
	tt, _ := t.(*testing.T)
	if tt == nil {
		tt = &testing.T{} // a benchmark: as the other benchmarks set up
	}
	services := newServices(tt, db, cfg, app.Options{})
	hub := live.NewHub(cfg.GraphQL.Live.Buffer)
	t.Cleanup(hub.Close)
	r := &graph.Resolver{Service: services.Invites, Live: &graph.Live{Hub: hub, Limits: cfg.GraphQL.Live}}
	graph.StartFanOut(r)
	// The mutations go through a pool of their own: the counter sees only the fan-out.
	h := newServices(tt, pgtest.DB(t), cfg, app.Options{}).GraphQL(nil)
	owner := signUpVerified(tt, h, uniqueEmail("fan-owner"))
	var d struct{ CreateProject struct{ ID string } }
	gql(t, h, owner, `mutation { createProject(input: {name: "Fan"}) { id } }`, nil, &d)
	return fanOutFixture{r: r, hub: hub, h: h, counter: counter, owner: owner, project: d.CreateProject.ID}
}

// subscribe opens n subscriptions of the owner to the project's invites.
func (f fanOutFixture) subscribe(t testing.TB, n int) (chans []<-chan *invites.Invite, reasons []func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for range n {
		ch, reason, err := graph.SubscribeInvites(ctx, f.r, f.owner, f.project)
		if err != nil {
			t.Fatal(err)
		}
		chans, reasons = append(chans, ch), append(reasons, reason)
	}
	return chans, reasons
}

// invite creates an invite and returns its change, as the database's trigger would publish it.
func (f fanOutFixture) invite(t testing.TB) live.Change {
	t.Helper()
	var d struct{ CreateInvite struct{ ID string } }
	gql(t, f.h, f.owner, `mutation($i: CreateInviteInput!) { createInvite(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"email": uniqueEmail("fan-invitee"), "projectId": f.project, "role": "CONTRIBUTOR"}}, &d)
	return live.Change{Kind: live.KindInvite, Project: uuid.MustParse(f.project), IDs: []uuid.UUID{uuid.MustParse(d.CreateInvite.ID)}}
}

// receive waits for the next item of ch (a generous deadline: a probe, not a timing).
func receive(t testing.TB, ch <-chan *invites.Invite) (*invites.Invite, bool) {
	t.Helper()
	select {
	case inv, ok := <-ch:
		return inv, ok
	case <-time.After(wsWait):
		t.Fatalf("nothing delivered after %s", wsWait)
		return nil, false
	}
}

// waitForEnd waits until a subscriber has its close reason (a probe with a minute's deadline).
func waitForEnd(t testing.TB, reason func() string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); reason() == ""; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscriber was not ended within a minute")
		}
	}
}

// TestFanOut_StatementsPerChange: a change costs the same statements for one subscriber as for
// fifty: the viewers' standings in one, what changed in another. Before, each subscriber
// authenticated and read on its own (three statements each).
func TestFanOut_StatementsPerChange(t *testing.T) {
	f := newFanOutFixture(t)
	var counts []int
	for _, n := range []int{1, 50} {
		chans, _ := f.subscribe(t, n)
		c := f.invite(t)
		f.counter.Reset()
		f.hub.Publish(c)
		for i, ch := range chans {
			if inv, ok := receive(t, ch); !ok || inv.ID != c.IDs[0] {
				t.Fatalf("%d subscribers: subscriber %d got %v, %v; want the invite", n, i, inv, ok)
			}
		}
		counts = append(counts, f.counter.Count())
	}
	if counts[0] < 1 || counts[0] > 2 || counts[1] != counts[0] {
		t.Errorf("statements per change: %v for 1 and 50 subscribers; want the same, at most 2", counts)
	}
}

// TestFanOut_SlowSubscriberDropped: a subscriber that reads nothing is dropped with a close
// reason once its buffer is full, and the one that reads gets every change meanwhile.
func TestFanOut_SlowSubscriberDropped(t *testing.T) {
	f := newFanOutFixture(t)
	chans, reasons := f.subscribe(t, 2)
	fast, slow := chans[0], chans[1]
	c := f.invite(t)
	for i := range graph.LiveBuffer + 1 {
		f.hub.Publish(c)
		if _, ok := receive(t, fast); !ok {
			t.Fatalf("the reading subscriber ended at change %d", i)
		}
	}
	// The last change may reach the slow subscriber after the reading one: wait for its end
	// before reading it, as reading would make room in its buffer for that change.
	waitForEnd(t, reasons[1])
	n := 0
	for range slow {
		n++
	}
	if n != graph.LiveBuffer {
		t.Errorf("the slow subscriber had %d changes before its end, want its buffer's %d", n, graph.LiveBuffer)
	}
	if got := reasons[1](); got != live.ReasonBehind {
		t.Errorf("the slow subscriber's close reason is %q, want %q", got, live.ReasonBehind)
	}
	if got := reasons[0](); got != "" {
		t.Errorf("the reading subscriber's close reason is %q, want none", got)
	}
	f.hub.Publish(c)
	if _, ok := receive(t, fast); !ok {
		t.Error("the reading subscriber ended with the slow one")
	}
}
