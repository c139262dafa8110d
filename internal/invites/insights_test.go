package invites_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
)

// setEmailStatus sets the delivery status of an invite's latest email, as the mail worker would.
func setEmailStatus(t *testing.T, inviteID uuid.UUID, status string) {
	t.Helper()
	_, err := pgDB(t).NewRaw("UPDATE emails SET status = ? WHERE id = (SELECT email_id FROM invites WHERE id = ?)", status, inviteID).
		Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
}

func TestService_InvitationMarksOpened(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Opened")
	email := uniqueEmail("invitee")
	inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
	token := inviteToken(t, email)
	if inviteRow(t, inv.ID).OpenedAt != nil {
		t.Fatal("openedAt set before any preview")
	}
	// Ten first previews at once: one sets openedAt and records the event.
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := s.Invitation(ctx, token); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	first := inviteRow(t, inv.ID).OpenedAt
	if first == nil {
		t.Fatal("openedAt not set by the preview")
	}
	if _, err := s.Invitation(ctx, token); err != nil {
		t.Fatal(err)
	}
	if again := inviteRow(t, inv.ID).OpenedAt; !again.Equal(*first) {
		t.Errorf("openedAt moved from %v to %v on a later preview", first, again)
	}
	if n := count(t, "activity_events", "invite_id = ? AND name = ?", inv.ID, invites.EventViewedUserInvite); n != 1 {
		t.Errorf("%d %q events, want 1", n, invites.EventViewedUserInvite)
	}
}

func TestConsoleService_Insights(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Insights")
	start := clk.Now()
	invite := func() (*invites.Invite, string) {
		email := uniqueEmail("i")
		inv := mustInvite(t, s, owner.ID, email, &p.ID, invites.RoleContributor, "")
		return inv, inviteToken(t, email)
	}
	i1, t1 := invite()
	_, t2 := invite()
	i3, t3 := invite()
	invite() // stays pending past its expiry
	setEmailStatus(t, i1.ID, "SENT")
	setEmailStatus(t, i3.ID, "FAILED_PERMANENT")
	for _, tok := range []string{t1, t2, t2} {
		if _, err := s.Invitation(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(time.Hour)
	accept := func(token string) {
		if _, err := s.SignUp(ctx, invites.SignUpInput{InviteToken: token, Password: "correct horse", Name: "Joiner"}); err != nil {
			t.Fatal(err)
		}
	}
	accept(t1) // after 1 hour
	clk.Advance(2 * time.Hour)
	accept(t2) // after 3 hours
	if _, err := s.DeclineInvite(ctx, nil, invites.InviteRef{Token: t3}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(8 * 24 * time.Hour)
	later := clk.Now()
	invite() // a week later

	all := &invites.Insights{Sent: 5, Delivered: 1, Opened: 2, Accepted: 2, Declined: 1, Expired: 1, Failed: 1}
	tests := []struct {
		name     string
		from, to *time.Time
		want     *invites.Insights
		weeks    int
		p50, p90 float64
	}{
		{"all time", nil, nil, all, 2, 7200, 10080},
		{"from a time", &later, nil, &invites.Insights{Sent: 1}, 1, 0, 0},
		{"until a time", nil, &later, &invites.Insights{Sent: 4, Delivered: 1, Opened: 2, Accepted: 2, Declined: 1, Expired: 1, Failed: 1}, 1, 7200, 10080},
		{"an empty period", &start, &start, &invites.Insights{}, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Insights(ctx, owner.ID, &invites.Project{ID: p.ID}, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			w := tc.want
			if got.Sent != w.Sent || got.Delivered != w.Delivered || got.Opened != w.Opened || got.Accepted != w.Accepted ||
				got.Declined != w.Declined || got.Expired != w.Expired || got.Failed != w.Failed {
				t.Errorf("funnel = %+v, want %+v", got, w)
			}
			if !floatIs(got.AcceptSecondsMedian, tc.p50) || !floatIs(got.AcceptSecondsP90, tc.p90) {
				t.Errorf("accept seconds = %v, %v; want %v, %v", deref(got.AcceptSecondsMedian), deref(got.AcceptSecondsP90), tc.p50, tc.p90)
			}
			if len(got.ByWeek) != tc.weeks {
				t.Errorf("%d weeks, want %d", len(got.ByWeek), tc.weeks)
			}
			sum := 0
			for i, b := range got.ByWeek {
				sum += b.Sent
				if b.Start == nil || b.Start.Weekday() != time.Monday || i > 0 && !b.Start.After(*got.ByWeek[i-1].Start) {
					t.Errorf("week %d starts %v: want Mondays, oldest first", i, b.Start)
				}
			}
			if sum != w.Sent {
				t.Errorf("weeks sent %d, want %d", sum, w.Sent)
			}
			if w.Sent > 0 && (len(got.ByInviter) != 1 || *got.ByInviter[0].InviterID != owner.ID || got.ByInviter[0].Sent != w.Sent ||
				got.ByInviter[0].Opened != w.Opened || got.ByInviter[0].Accepted != w.Accepted) {
				t.Errorf("by inviter = %+v, want the owner's %d", got.ByInviter, w.Sent)
			}
		})
	}
	t.Run("ErrToBeforeFrom", func(t *testing.T) {
		_, err := s.Insights(ctx, owner.ID, &invites.Project{ID: p.ID}, &later, &start)
		wantCode(t, err, invites.BadUserInput)
	})
	t.Run("ErrBelowAdmin", func(t *testing.T) {
		c := mustMember(t, s, owner.ID, p.ID, invites.RoleContributor)
		_, err := s.Insights(ctx, c.ID, &invites.Project{ID: p.ID}, nil, nil)
		wantCode(t, err, invites.Forbidden)
		outsider := mustVerifiedUser(t, s, uniqueEmail("outsider"))
		_, err = s.Insights(ctx, outsider.ID, &invites.Project{ID: p.ID}, nil, nil)
		wantCode(t, err, invites.NotFound)
	})
}

func TestConsoleService_InsightsByBatch(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t, nil)
	owner := mustVerifiedUser(t, s, uniqueEmail("owner"))
	p := mustProject(t, s, owner.ID, "Batches")
	bulk := func(n int) time.Time {
		rows := make([]invites.BulkRow, n)
		for i := range rows {
			rows[i] = invites.BulkRow{Row: i + 1, Email: uniqueEmail("row"), Role: "CONTRIBUTOR"}
		}
		if _, err := s.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, Rows: rows, DefaultRole: invites.RoleContributor}); err != nil {
			t.Fatal(err)
		}
		at := clk.Now().UTC().Truncate(time.Microsecond)
		clk.Advance(time.Minute)
		return at
	}
	first := bulk(3)
	mustInvite(t, s, owner.ID, uniqueEmail("single"), &p.ID, invites.RoleContributor, "")
	second := bulk(2)
	got, err := s.Insights(ctx, owner.ID, &invites.Project{ID: p.ID}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		start time.Time
		sent  int
	}{{second, 2}, {first, 3}}
	if got.Sent != 6 || len(got.ByBatch) != len(want) {
		t.Fatalf("sent %d, batches %+v; want 6 sent, 2 batches", got.Sent, got.ByBatch)
	}
	for i, w := range want {
		b := got.ByBatch[i]
		if b.Start == nil || !b.Start.Equal(w.start) || b.InviterID == nil || *b.InviterID != owner.ID || b.Sent != w.sent {
			t.Errorf("batch %d = %+v, want %d sent by the owner at %v", i, b, w.sent, w.start)
		}
	}
}

// floatIs reports whether f is want, nil standing for 0 (no acceptance).
func floatIs(f *float64, want float64) bool {
	if f == nil {
		return want == 0
	}
	return *f > want-0.001 && *f < want+0.001
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
