package webhooks_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
	"github.com/invites/invites/internal/webhooks"
)

// Every event type the domain produces reaches an endpoint that wants all, signed, with the
// people and roles it is about and nothing secret.
func TestEveryEventType(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, pgtest.DB(t), nil)
	rc := newReceiver(t)
	owner, p := e.project(t)
	ep, secret, err := e.hooks.Create(ctx, owner.ID, p.ID, rc.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "whsec_") || len(secret) < len("whsec_")+32 {
		t.Fatalf("secret %q is not whsec_ and base64 of 24+ bytes", secret)
	}
	rc.trust(secret)

	aliceEmail := uniqueEmail("alice")
	alice := e.join(t, owner.ID, p.ID, aliceEmail, invites.RoleContributor) // invite.created, invite.accepted, member.joined
	resent := e.invite(t, owner.ID, p.ID, uniqueEmail("resent"), invites.RoleContributor)
	if _, err := e.svc.ResendInvite(ctx, owner.ID, resent.ID); err != nil { // invite.resent
		t.Fatal(err)
	}
	if _, err := e.svc.RevokeInvite(ctx, owner.ID, resent.ID); err != nil { // invite.revoked
		t.Fatal(err)
	}
	bob := e.signUp(t, uniqueEmail("bob"))
	declined := e.invite(t, owner.ID, p.ID, bob.Email, invites.RoleContributor)
	if _, err := e.svc.DeclineInvite(ctx, bob, invites.InviteRef{InviteID: declined.ID.String()}); err != nil { // invite.declined
		t.Fatal(err)
	}
	ext := "S-1"
	if _, err := e.svc.UpdateMember(ctx, owner.ID, invites.UpdateMemberInput{ProjectID: p.ID, UserID: alice.ID, ExternalID: &ext}); err != nil { // member.updated
		t.Fatal(err)
	}
	dave := e.join(t, owner.ID, p.ID, uniqueEmail("dave"), invites.RoleContributor)
	if err := e.svc.RemoveMember(ctx, owner.ID, p.ID, dave.ID); err != nil { // member.removed
		t.Fatal(err)
	}
	if err := e.svc.LeaveProject(ctx, alice.ID, p.ID); err != nil { // member.left
		t.Fatal(err)
	}
	// An invite past its expiry is marked EXPIRED when the next invite to the project finds it.
	expiring := e.invite(t, owner.ID, p.ID, uniqueEmail("expiring"), invites.RoleContributor)
	if _, err := e.db.NewUpdate().Table("invites").Set("expires_at = now() - interval '1 second'").Where("id = ?", expiring.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	e.invite(t, owner.ID, p.ID, uniqueEmail("after-expiry"), invites.RoleContributor) // invite.expired
	bulk, err := e.svc.BulkInvite(ctx, owner.ID, invites.BulkInput{ProjectID: p.ID, DefaultRole: invites.RoleContributor,
		Rows: []invites.BulkRow{{Row: 1, Email: uniqueEmail("bulk")}, {Row: 2, Email: uniqueEmail("bulk")}, {Row: 3, Email: "not an email"}}})
	if err != nil || bulk.Summary.NewInvitations != 2 { // invite.created twice, bulk_invite.completed
		t.Fatalf("BulkInvite = %+v, %v", bulk, err)
	}
	erin := e.join(t, owner.ID, p.ID, uniqueEmail("erin"), invites.RoleAdmin)
	if _, err := e.svc.TransferOwnership(ctx, owner.ID, p.ID, erin.ID); err != nil { // project.ownership_transferred
		t.Fatal(err)
	}

	want := map[string]int{"invite.created": 9, "bulk_invite.completed": 1, "invite.expired": 1, "invite.accepted": 3, "member.joined": 3, "invite.resent": 1,
		"invite.revoked": 1, "invite.declined": 1, "member.updated": 1, "member.removed": 1, "member.left": 1,
		"project.ownership_transferred": 1}
	total := 0
	for _, n := range want {
		total += n
	}
	got := rc.waitAccepted(t, total, waitFor)
	counts := map[string]int{}
	for _, m := range got {
		counts[m.Type]++
		for _, secretWord := range []string{"token", "password", "secret", "whsec_", "hash"} {
			if strings.Contains(strings.ToLower(m.Body), secretWord) {
				t.Errorf("%s payload mentions %q: %s", m.Type, secretWord, m.Body)
			}
		}
		if m.Data["projectId"] != p.ID.String() {
			t.Errorf("%s: projectId = %v, want %s", m.Type, m.Data["projectId"], p.ID)
		}
	}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%d %s posts, want %d (all: %v)", counts[typ], typ, n, counts)
		}
	}
	if len(rc.bad) != 0 {
		t.Errorf("posts with bad signatures or bodies: %v", rc.bad)
	}
	// What the payloads say of the people and roles.
	for _, m := range got {
		switch m.Type {
		case "invite.created":
			inv, _ := m.Data["invite"].(map[string]any)
			actor, _ := m.Data["actor"].(map[string]any)
			if inv == nil || inv["email"] == "" || inv["role"] == nil || actor["email"] != owner.Email {
				t.Errorf("invite.created data = %v", m.Data)
			}
		case "member.updated":
			mem, _ := m.Data["member"].(map[string]any)
			if mem == nil || mem["email"] != aliceEmail || mem["externalId"] != "S-1" || mem["role"] != "CONTRIBUTOR" {
				t.Errorf("member.updated data = %v", m.Data)
			}
		case "bulk_invite.completed":
			want := map[string]any{"bulkId": m.Data["bulkId"], "projectId": p.ID.String(), "total": 3.0, "newInvitations": 2.0,
				"existingInvitations": 0.0, "existingMembers": 0.0, "failed": 1.0, "externalIdsUpdated": 0.0}
			if fmt.Sprint(m.Data) != fmt.Sprint(want) || m.Data["bulkId"] == nil {
				t.Errorf("bulk_invite.completed data = %v, want counts only: %v", m.Data, want)
			}
		case "invite.expired":
			inv, _ := m.Data["invite"].(map[string]any)
			if inv == nil || inv["id"] != expiring.ID.String() || inv["status"] != "EXPIRED" || m.Data["actor"] != nil {
				t.Errorf("invite.expired data = %v", m.Data)
			}
		case "project.ownership_transferred":
			if m.Data["email"] != erin.Email {
				t.Errorf("project.ownership_transferred data = %v", m.Data)
			}
		}
	}
	ds := e.settled(t, ep, total)
	for _, d := range ds {
		if d.Status != webhooks.Succeeded || d.Attempts != 1 || d.ResponseStatus == nil || *d.ResponseStatus != http.StatusNoContent || d.DeliveredAt == nil {
			t.Errorf("delivery %s %s: status %s, %d attempts, response %v", d.ID, d.EventType, d.Status, d.Attempts, d.ResponseStatus)
		}
	}
	if len(ds) != total {
		t.Errorf("%d deliveries logged, want %d", len(ds), total)
	}
}

// A 503 is retried and the 200 after it succeeds; a 400 fails at once, and
// retryWebhookDelivery sends it again.
func TestRetries(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, pgtest.DB(t), nil)
	owner, p := e.project(t)

	t.Run("503 then 200", func(t *testing.T) {
		rc := newReceiver(t)
		ep := e.endpoint(t, owner.ID, p.ID, rc, []string{"invite.revoked"})
		rc.setAnswer(func(n int, _ message) int {
			if n == 0 {
				return http.StatusServiceUnavailable
			}
			return http.StatusOK
		})
		inv := e.invite(t, owner.ID, p.ID, uniqueEmail("x"), invites.RoleContributor)
		if _, err := e.svc.RevokeInvite(ctx, owner.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		d := e.waitDelivery(t, ep, "invite.revoked")
		if d.Status != webhooks.Succeeded || d.Attempts != 2 || *d.ResponseStatus != 200 {
			t.Fatalf("delivery: %s after %d attempts, response %d; want SUCCEEDED after 2, 200", d.Status, d.Attempts, *d.ResponseStatus)
		}
		if len(rc.got) != 2 || rc.got[0].ID != rc.got[1].ID {
			t.Fatalf("receiver got %d posts; want the same message twice", len(rc.got))
		}
	})

	t.Run("400 fails at once, then retried", func(t *testing.T) {
		rc := newReceiver(t)
		ep := e.endpoint(t, owner.ID, p.ID, rc, []string{"invite.revoked"})
		rc.setAnswer(func(int, message) int { return http.StatusBadRequest })
		inv := e.invite(t, owner.ID, p.ID, uniqueEmail("x"), invites.RoleContributor)
		if _, err := e.svc.RevokeInvite(ctx, owner.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		d := e.waitDelivery(t, ep, "invite.revoked")
		if d.Status != webhooks.Failed || d.Attempts != 1 || *d.ResponseStatus != 400 || d.LastError == nil {
			t.Fatalf("delivery: %s after %d attempts, response %d; want FAILED after 1, 400", d.Status, d.Attempts, *d.ResponseStatus)
		}
		time.Sleep(150 * time.Millisecond) // longer than the backoff: no retry comes
		if n := len(rc.got); n != 1 {
			t.Fatalf("a 400 was posted %d times, want once", n)
		}
		rc.setAnswer(func(int, message) int { return http.StatusOK })
		retried, err := e.hooks.Retry(ctx, owner.ID, d.ID)
		if err != nil || retried.Status != webhooks.Pending {
			t.Fatalf("Retry = %v, %v", retried, err)
		}
		if _, err := e.hooks.Retry(ctx, owner.ID, d.ID); err == nil {
			t.Fatal("a PENDING delivery was retried")
		} else {
			wantCode(t, err, invites.BadUserInput, "id")
		}
		rc.waitAccepted(t, 1, waitFor)
		d = e.waitDelivery(t, ep, "invite.revoked")
		if d.Status != webhooks.Succeeded || d.Attempts != 2 || *d.ResponseStatus != 200 {
			t.Fatalf("retried delivery: %s after %d attempts, response %d", d.Status, d.Attempts, *d.ResponseStatus)
		}
	})

	t.Run("a redirect is not followed", func(t *testing.T) {
		target := newReceiver(t)
		rc := newReceiver(t)
		ep, secret, err := e.hooks.Create(ctx, owner.ID, p.ID, rc.URL, []string{"invite.revoked"})
		if err != nil {
			t.Fatal(err)
		}
		rc.trust(secret)
		target.trust(secret)
		rc.setAnswer(func(int, message) int { return http.StatusTemporaryRedirect })
		rc.redirect = target.URL
		inv := e.invite(t, owner.ID, p.ID, uniqueEmail("x"), invites.RoleContributor)
		if _, err := e.svc.RevokeInvite(ctx, owner.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		d := e.waitDelivery(t, ep, "invite.revoked")
		if d.Status != webhooks.Failed || d.Attempts != 1 || *d.ResponseStatus != http.StatusTemporaryRedirect {
			t.Fatalf("delivery: %s after %d attempts, response %d; want FAILED after 1, 307", d.Status, d.Attempts, *d.ResponseStatus)
		}
		if len(target.got) != 0 {
			t.Fatalf("the redirect's target got %d posts", len(target.got))
		}
	})

	t.Run("5xx until the backoff ends: FAILED", func(t *testing.T) {
		rc := newReceiver(t)
		ep := e.endpoint(t, owner.ID, p.ID, rc, []string{"invite.revoked"})
		rc.setAnswer(func(int, message) int { return http.StatusTooManyRequests })
		inv := e.invite(t, owner.ID, p.ID, uniqueEmail("x"), invites.RoleContributor)
		if _, err := e.svc.RevokeInvite(ctx, owner.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		d := e.waitDelivery(t, ep, "invite.revoked")
		if d.Status != webhooks.Failed || d.Attempts != 5 || *d.ResponseStatus != 429 || d.NextAttemptAt != nil {
			t.Fatalf("delivery: %s after %d attempts, response %d; want FAILED after 5 (the backoff's), 429", d.Status, d.Attempts, *d.ResponseStatus)
		}
	})
}

// After rotateWebhookSecret, posts are signed with the new secret only.
func TestRotatedSecret(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, pgtest.DB(t), nil)
	owner, p := e.project(t)
	rc := newReceiver(t)
	ep, old, err := e.hooks.Create(ctx, owner.ID, p.ID, rc.URL, []string{"invite.created"})
	if err != nil {
		t.Fatal(err)
	}
	rc.trust(old)
	e.invite(t, owner.ID, p.ID, uniqueEmail("before"), invites.RoleContributor)
	if m := rc.waitAccepted(t, 1, waitFor); m[0].Secret != old {
		t.Fatal("the first post was not signed with the first secret")
	}
	_, rotated, err := e.hooks.Rotate(ctx, owner.ID, ep.ID)
	if err != nil || rotated == old || !strings.HasPrefix(rotated, "whsec_") {
		t.Fatalf("Rotate = %q, %v", rotated, err)
	}
	rc.trust(rotated)
	e.invite(t, owner.ID, p.ID, uniqueEmail("after"), invites.RoleContributor)
	got := rc.waitAccepted(t, 2, waitFor)
	if got[1].Secret != rotated || verifyWith(old, got[1]) {
		t.Fatal("the post after rotating was not signed with the new secret alone")
	}
}

func verifyWith(secret string, m message) bool {
	for _, s := range []string{secret} {
		if s == m.Secret {
			return true
		}
	}
	return false
}

// An endpoint gets only the types it asks for; a disabled one gets nothing; an unknown type is
// refused naming events.
func TestEventFilter(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, pgtest.DB(t), nil)
	owner, p := e.project(t)
	rc := newReceiver(t)
	// A type named twice is refused, not folded: what is stored is what was sent.
	if _, _, err := e.hooks.Create(ctx, owner.ID, p.ID, rc.URL, []string{"invite.revoked", "invite.revoked"}); err == nil {
		t.Fatal("an event type named twice was accepted")
	} else {
		wantCode(t, err, invites.BadUserInput, "events")
	}
	filtered, secret, err := e.hooks.Create(ctx, owner.ID, p.ID, rc.URL, []string{"invite.revoked"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(filtered.Events, []string{"invite.revoked"}) {
		t.Fatalf("events = %v", filtered.Events)
	}
	rc.trust(secret)
	off, _, err := e.hooks.Create(ctx, owner.ID, p.ID, rc.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	disabled := false
	if _, err := e.hooks.Update(ctx, owner.ID, off.ID, nil, nil, &disabled); err != nil {
		t.Fatal(err)
	}
	inv := e.invite(t, owner.ID, p.ID, uniqueEmail("x"), invites.RoleContributor)
	if _, err := e.svc.RevokeInvite(ctx, owner.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	got := rc.waitAccepted(t, 1, waitFor)
	time.Sleep(200 * time.Millisecond)
	if got = rc.accepted(); len(got) != 1 || got[0].Type != "invite.revoked" {
		t.Fatalf("posts: %v, want one invite.revoked", types(got))
	}
	if n := len(e.deliveries(t, off)); n != 0 {
		t.Fatalf("the disabled endpoint has %d deliveries", n)
	}
	if _, _, err := e.hooks.Create(ctx, owner.ID, p.ID, rc.URL, []string{"invite.nope"}); err == nil {
		t.Fatal("an unknown event type was accepted")
	} else {
		wantCode(t, err, invites.BadUserInput, "events")
	}
	if _, err := e.hooks.Update(ctx, owner.ID, filtered.ID, nil, []string{"member.joined", "bogus"}, nil); err == nil {
		t.Fatal("an unknown event type was accepted")
	} else {
		wantCode(t, err, invites.BadUserInput, "events")
	}
	if _, err := e.hooks.Update(ctx, owner.ID, filtered.ID, nil, []string{"member.joined", "member.left", "member.joined"}, nil); err == nil {
		t.Fatal("an event type named twice was accepted")
	} else {
		wantCode(t, err, invites.BadUserInput, "events")
	}
}

// URLs that break the rules are refused naming url, at registration.
func TestRefusedURLs(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	strict := newEnv(t, db, func(c *webhooks.Config) { c.AllowLoopback = false })
	loose := newEnv(t, db, nil)
	owner, p := strict.project(t)
	for _, tc := range []struct {
		name, url string
		env       *env
	}{
		{"private 10/8", "https://10.1.2.3/hook", loose},
		{"private 192.168", "https://192.168.0.10/hook", loose},
		{"private IPv6", "https://[fd00::1]/hook", loose},
		{"link-local (cloud metadata)", "https://169.254.169.254/latest", loose},
		{"link-local IPv6", "https://[fe80::1]/hook", loose},
		{"unspecified", "https://0.0.0.0/hook", loose},
		{"loopback without the flag", "http://127.0.0.1:8080/hook", strict},
		{"loopback https without the flag", "https://127.0.0.1/hook", strict},
		{"IPv6 loopback without the flag", "https://[::1]/hook", strict},
		{"a name resolving to 127.0.0.1 without the flag", "https://localhost/hook", strict},
		{"http to a public address", "http://93.184.216.34/hook", loose},
		{"not http", "ftp://93.184.216.34/hook", loose},
		{"relative", "/hook", loose},
		{"user info", "https://user:pw@93.184.216.34/hook", loose},
		{"no such host", "https://no-such-host.invalid/hook", loose},
		// Special-purpose addresses, and IPv4 embedded in IPv6 (SPEC §13, issue 19).
		{"NAT64 of 127.0.0.1", "https://[64:ff9b::7f00:1]/hook", loose},
		{"NAT64 of the metadata address", "https://[64:ff9b::a9fe:a9fe]/hook", loose},
		{"6to4 of 127.0.0.1", "https://[2002:7f00:1::]/hook", loose},
		{"IPv4-translated 127.0.0.1", "https://[::ffff:0:7f00:1]/hook", loose},
		{"IPv4-mapped 10.0.0.1", "https://[::ffff:10.0.0.1]/hook", loose},
		{"IPv4-compatible 127.0.0.1", "https://[::127.0.0.1]/hook", loose},
		{"site-local IPv6", "https://[fec0::1]/hook", loose},
		{"this network 0/8", "https://0.1.2.3/hook", loose},
		{"reserved 240/4", "https://240.0.0.1/hook", loose},
		{"broadcast", "https://255.255.255.255/hook", loose},
		{"benchmarking 198.18/15", "https://198.19.0.1/hook", loose},
		{"IETF protocol assignments 192.0.0/24", "https://192.0.0.170/hook", loose},
		{"port 0", "https://93.184.216.34:0/hook", loose},
		{"port 99999", "https://93.184.216.34:99999/hook", loose},
		{"longer than 2048", "https://93.184.216.34/" + strings.Repeat("a", 2048), loose},
		// 1,022 bytes as sent, 3,062 as stored once its spaces are escaped.
		{"longer than 2048 escaped", "https://93.184.216.34/" + strings.Repeat(" ", 1000), loose},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.env.hooks.Create(ctx, owner.ID, p.ID, tc.url, nil)
			wantCode(t, err, invites.BadUserInput, "url")
		})
	}
	// Public addresses pass, on any port from 1 to 65535.
	for _, ok := range []string{"https://93.184.216.34:8443/hook", "https://[2606:2800:220:1:248:1893:25c8:1946]:1/hook", "https://93.184.216.34:65535/"} {
		if _, _, err := strict.hooks.Create(ctx, owner.ID, p.ID, ok, nil); err != nil {
			t.Errorf("%s: %v, want it registered", ok, err)
		}
	}
	// The same on update.
	ep, _, err := loose.hooks.Create(ctx, owner.ID, p.ID, "http://127.0.0.1:9/hook", nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := "https://10.0.0.1/"
	_, err = loose.hooks.Update(ctx, owner.ID, ep.ID, &bad, nil, nil)
	wantCode(t, err, invites.BadUserInput, "url")
}

// An address is checked again when the post dials it: an endpoint registered while loopback
// was allowed is not posted to by a server that does not allow it.
func TestRefusedAtDial(t *testing.T) {
	ctx := context.Background()
	db := pgtest.DB(t)
	loose := newEnv(t, db, nil)
	owner, p := loose.project(t)
	rc := newReceiver(t)
	ep, secret, err := loose.hooks.Create(ctx, owner.ID, p.ID, rc.URL, []string{"invite.created"})
	if err != nil {
		t.Fatal(err)
	}
	rc.trust(secret)
	loose.services.Jobs.Stop(ctx)
	strict := newEnv(t, db, func(c *webhooks.Config) { c.AllowLoopback = false })
	strict.invite(t, owner.ID, p.ID, uniqueEmail("x"), invites.RoleContributor)
	d := strict.waitDelivery(t, ep, "invite.created")
	if d.Status != webhooks.Failed || d.Attempts != 5 || d.ResponseStatus != nil || d.LastError == nil || !strings.Contains(*d.LastError, "loopback") {
		t.Fatalf("delivery: %s after %d attempts, error %v; want FAILED after 5 refused dials", d.Status, d.Attempts, d.LastError)
	}
	if len(rc.got) != 0 {
		t.Fatalf("the receiver got %d posts", len(rc.got))
	}
}

// A receiver that is down for a while and then up gets every event: nothing is lost.
func TestReceiverDownThenUp(t *testing.T) {
	e := newEnv(t, pgtest.DB(t), func(c *webhooks.Config) {
		c.Backoff = func(attempt int) time.Duration { return 100 * time.Millisecond }
	})
	owner, p := e.project(t)
	rc := newReceiver(t)
	ep := e.endpoint(t, owner.ID, p.ID, rc, []string{"invite.created"})
	rc.down()
	const n = 8
	for range n {
		e.invite(t, owner.ID, p.ID, uniqueEmail("x"), invites.RoleContributor)
	}
	// Every delivery has failed at least once while the receiver was down.
	deadline := time.Now().Add(waitFor)
	for {
		failedOnce := 0
		for _, d := range e.deliveries(t, ep) {
			if d.Attempts >= 1 && d.Status == webhooks.Pending && d.LastError != nil {
				failedOnce++
			}
		}
		if failedOnce == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries were attempted while down", failedOnce, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	rc.up()
	got := rc.waitAccepted(t, n, waitFor)
	ids := map[string]bool{}
	for _, m := range got {
		ids[m.ID] = true
	}
	if len(ids) != n {
		t.Fatalf("%d distinct messages, want %d", len(ids), n)
	}
}

// Only ADMIN and above manage a project's endpoints; a stranger learns nothing.
func TestAuthority(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, pgtest.DB(t), nil)
	owner, p := e.project(t)
	admin := e.join(t, owner.ID, p.ID, uniqueEmail("admin"), invites.RoleAdmin)
	contributor := e.join(t, owner.ID, p.ID, uniqueEmail("contrib"), invites.RoleContributor)
	stranger := e.signUp(t, uniqueEmail("stranger"))
	ep, _, err := e.hooks.Create(ctx, admin.ID, p.ID, "http://127.0.0.1:9/hook", nil)
	if err != nil {
		t.Fatalf("an ADMIN could not register an endpoint: %v", err)
	}
	for _, tc := range []struct {
		name string
		who  *invites.User
		code invites.Code
	}{{"contributor", contributor, invites.Forbidden}, {"stranger", stranger, invites.NotFound}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := e.hooks.Create(ctx, tc.who.ID, p.ID, "http://127.0.0.1:9/hook", nil); invites.ErrorCode(err) != tc.code {
				t.Errorf("Create: %v, want %s", err, tc.code)
			}
			if _, err := e.hooks.Endpoints(ctx, tc.who.ID, p.ID); invites.ErrorCode(err) != tc.code {
				t.Errorf("Endpoints: %v, want %s", err, tc.code)
			}
			if _, _, err := e.hooks.Rotate(ctx, tc.who.ID, ep.ID); invites.ErrorCode(err) != tc.code {
				t.Errorf("Rotate: %v, want %s", err, tc.code)
			}
			if err := e.hooks.Delete(ctx, tc.who.ID, ep.ID); invites.ErrorCode(err) != tc.code {
				t.Errorf("Delete: %v, want %s", err, tc.code)
			}
			if got, err := e.hooks.Endpoint(ctx, tc.who.ID, ep.ID); got != nil || err != nil {
				t.Errorf("Endpoint (node) = %v, %v; want nothing", got, err)
			}
		})
	}
	eps, err := e.hooks.Endpoints(ctx, owner.ID, p.ID)
	if err != nil || len(eps) != 1 || eps[0].ID != ep.ID {
		t.Fatalf("Endpoints = %v, %v", eps, err)
	}
	if err := e.hooks.Delete(ctx, owner.ID, ep.ID); err != nil {
		t.Fatal(err)
	}
	if eps, _ := e.hooks.Endpoints(ctx, owner.ID, p.ID); len(eps) != 0 {
		t.Fatalf("%d endpoints after the delete", len(eps))
	}
}

// The secret is stored encrypted: the row does not hold it.
func TestSecretEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, pgtest.DB(t), nil)
	owner, p := e.project(t)
	ep, secret, err := e.hooks.Create(ctx, owner.ID, p.ID, "http://127.0.0.1:9/hook", nil)
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := e.db.NewSelect().Table("webhook_endpoints").Column("secret_encrypted").Where("id = ?", ep.ID).Scan(ctx, &stored); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimPrefix(secret, "whsec_")
	if strings.Contains(string(stored), key) || strings.Contains(string(stored), secret) || len(stored) < 28 {
		t.Fatal("the stored secret is readable")
	}
}

// The sweep's expiries are posted too, in the sweep's transaction.
func TestSweepExpiry(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, pgtest.DB(t), nil)
	owner, p := e.project(t)
	rc := newReceiver(t)
	e.endpoint(t, owner.ID, p.ID, rc, []string{"invite.expired"})
	inv := e.invite(t, owner.ID, p.ID, uniqueEmail("swept"), invites.RoleContributor)
	if _, err := e.db.NewUpdate().Table("invites").Set("expires_at = now() - interval '1 second'").Where("id = ?", inv.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	cfg := e.cfg
	cfg.Domain.InviteRemindBefore = 0 // reminders have tests of their own
	res, err := newServices(t, e.db, cfg, e.opts).Sweeper.Sweep(ctx)
	if err != nil || res.Expired < 1 {
		t.Fatalf("Sweep = %+v, %v", res, err)
	}
	got := rc.waitAccepted(t, 1, waitFor)
	if got[0].Type != "invite.expired" || got[0].Data["invite"].(map[string]any)["id"] != inv.ID.String() {
		t.Fatalf("posted %s %v", got[0].Type, got[0].Data)
	}
}
