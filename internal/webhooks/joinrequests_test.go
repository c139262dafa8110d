package webhooks_test

import (
	"context"
	"strings"
	"testing"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
)

// Requests to join are posted as join_request.created, .approved (beside member.joined) and
// .denied; a cancelled request posts nothing.
func TestJoinRequestTypes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, pgtest.DB(t), nil)
	rc := newReceiver(t)
	owner, p := e.project(t)
	e.endpoint(t, owner.ID, p.ID, rc, []string{"join_request.created", "join_request.approved", "join_request.denied", "member.joined"})

	created, err := e.svc.CreateInviteLink(ctx, owner.ID, invites.CreateInviteLinkInput{ProjectID: p.ID, Role: invites.RoleContributor, RequiresApproval: true})
	if err != nil {
		t.Fatal(err)
	}
	token := created.URL[strings.LastIndexByte(created.URL, '/')+1:]
	var ids []string
	for _, name := range []string{"approved", "denied"} {
		r, err := e.svc.RequestToJoin(ctx, e.signUp(t, uniqueEmail(name)), invites.RequestToJoinInput{LinkToken: &token})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID.String())
	}
	if rs, err := e.svc.ApproveJoinRequests(ctx, owner.ID, ids[:1], nil); err != nil || rs[0].Err != nil {
		t.Fatalf("approve: %v %v", rs, err)
	}
	if rs, err := e.svc.DenyJoinRequests(ctx, owner.ID, ids[1:], nil); err != nil || rs[0].Err != nil {
		t.Fatalf("deny: %v %v", rs, err)
	}
	want := map[string]int{"join_request.created": 2, "join_request.approved": 1, "join_request.denied": 1, "member.joined": 1}
	rc.waitAccepted(t, 5, waitFor)
	counts := map[string]int{}
	for _, m := range rc.accepted() {
		counts[m.Type]++
		if m.Data["projectId"] != p.ID.String() {
			t.Errorf("%s: projectId %v", m.Type, m.Data["projectId"])
		}
	}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%d %s posts, want %d (all: %v)", counts[typ], typ, n, counts)
		}
	}
}
