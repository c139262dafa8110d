package webhooks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
)

// The invite-link and reminder events are posted as their types: a link's creation and
// revocation, a join by it once (member.joined, not twice for its two activity events), and
// a reminder sent by the sweep.
func TestLinkAndReminderTypes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, pgtest.DB(t), nil)
	rc := newReceiver(t)
	owner, p := e.project(t)
	e.endpoint(t, owner.ID, p.ID, rc, nil)

	created, err := e.svc.CreateInviteLink(ctx, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor})
	if err != nil { // invite_link.created
		t.Fatal(err)
	}
	joiner := e.signUp(t, uniqueEmail("joiner"))
	if _, err := e.svc.JoinWithLink(ctx, joiner, created.URL[strings.LastIndexByte(created.URL, '/')+1:]); err != nil { // member.joined
		t.Fatal(err)
	}
	if _, err := e.svc.RevokeInviteLink(ctx, owner.ID, created.Link.ID); err != nil { // invite_link.revoked
		t.Fatal(err)
	}
	// An invite sent six days ago with an hour left is due its reminder (INVITE_REMIND_BEFORE is
	// 24h).
	due := e.invite(t, owner.ID, p.ID, uniqueEmail("due"), invites.RoleContributor) // invite.created
	if _, err := e.db.NewUpdate().Table("invites").Set("expires_at = now() + interval '1 hour', created_at = now() - interval '6 days'").Where("id = ?", due.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if res, err := e.services.Sweeper.Sweep(ctx); err != nil || res.Reminded != 1 { // invite.reminded
		t.Fatalf("Sweep = %+v, %v; want one reminder", res, err)
	}

	want := map[string]int{"invite_link.created": 1, "member.joined": 1, "invite_link.revoked": 1, "invite.created": 1, "invite.reminded": 1}
	got := rc.waitAccepted(t, 5, waitFor)
	time.Sleep(300 * time.Millisecond) // a second member.joined, were there one, would be on its way
	counts := map[string]int{}
	for _, m := range rc.accepted() {
		counts[m.Type]++
	}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%d %s posts, want %d (all: %v)", counts[typ], typ, n, counts)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("posts of types %v, want only %v", counts, want)
	}
	for _, m := range got {
		if m.Data["projectId"] != p.ID.String() {
			t.Errorf("%s: projectId = %v, want %s", m.Type, m.Data["projectId"], p.ID)
		}
	}
	if len(rc.bad) != 0 {
		t.Errorf("posts with bad signatures or bodies: %v", rc.bad)
	}
}
