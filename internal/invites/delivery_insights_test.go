package invites_test

import (
	"context"
	"testing"
	"time"

	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
)

// TestConsoleService_Insights_Delivered: delivered counts SENT while no provider has reported a
// delivery of the project's emails, and from the first report only what providers report
// delivered (or complained of); a bounce never counts.
func TestConsoleService_Insights_Delivered(t *testing.T) {
	db := pgtest.DB(t)
	svc := newServices(t, db, newClock(), nil)
	s, ctx := svc.Invites, context.Background()
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Insightful")
	var sent []*invites.Invite
	for range 3 {
		sent = append(sent, mustInvite(t, s, owner.ID, uniqueEmail("sent"), &p.ID, invites.RoleContributor, ""))
	}
	mustInvite(t, s, owner.ID, uniqueEmail("queued"), &p.ID, invites.RoleContributor, "")
	for _, inv := range sent {
		if _, err := db.NewRaw("UPDATE emails SET status = 'SENT', sent_at = now() WHERE id = ?", inv.EmailID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	delivered := func() int {
		t.Helper()
		in, err := s.Insights(ctx, owner.ID, p, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return in.Delivered
	}
	if got := delivered(); got != 3 {
		t.Errorf("delivered before any report = %d, want 3 (the SENT ones)", got)
	}
	for i, kind := range []delivery.Kind{delivery.Delivered, delivery.HardBounce} {
		_, err := svc.Delivery.Record(ctx, delivery.Event{Provider: "ses", Kind: kind, EmailID: sent[i].EmailID.String(), At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := delivered(); got != 1 {
		t.Errorf("delivered after the reports = %d, want 1 (the DELIVERED one)", got)
	}
}
