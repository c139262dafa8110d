package webhooks_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
	"github.com/invites/invites/internal/webhooks"
)

// A project has at most EndpointLimit endpoints, however many creates run at once: the
// refusal is BAD_USER_INPUT on projectId with reason LIMIT_EXCEEDED, and a removal makes room.
func TestCreate_EndpointLimit(t *testing.T) {
	ctx := context.Background()
	const limit = 3
	e := newEnv(t, pgtest.DB(t), func(c *webhooks.Config) { c.EndpointLimit = limit })
	owner, p := e.project(t)
	rc := newReceiver(t)

	const tries = 12
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() { _, _, errs[i] = e.hooks.Create(ctx, owner.ID, p.ID, rc.URL, nil) })
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		if err == nil {
			created++
			continue
		}
		if ie, ok := errors.AsType[*invites.Error](err); !ok || ie.Code != invites.BadUserInput || ie.Field != "projectId" || ie.Reason != invites.ReasonLimitExceeded {
			t.Fatalf("create over the cap: %v, want BAD_USER_INPUT on projectId with reason LIMIT_EXCEEDED", err)
		}
	}
	eps, err := e.hooks.Endpoints(ctx, owner.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if created != limit || len(eps) != limit {
		t.Fatalf("%d of %d concurrent creates accepted, %d endpoints listed; want %d", created, tries, len(eps), limit)
	}

	// Another project has a cap of its own; a removal makes room in this one.
	otherOwner, other := e.project(t)
	for range limit {
		if _, _, err := e.hooks.Create(ctx, otherOwner.ID, other.ID, rc.URL, nil); err != nil {
			t.Fatalf("create in another project: %v", err)
		}
	}
	if err := e.hooks.Delete(ctx, owner.ID, eps[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.hooks.Create(ctx, owner.ID, p.ID, rc.URL, nil); err != nil {
		t.Fatalf("create after a removal: %v", err)
	}
}
