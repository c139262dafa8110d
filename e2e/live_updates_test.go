package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/invites/invites/internal/mail/smtptest"
	"github.com/invites/invites/internal/pgtest"
)

const (
	liveInviteChanged = `subscription($p: ID!) { inviteChanged(projectId: $p) { id email status deliveryStatus externalId role } }`
	liveActivityAdded = `subscription($p: ID!) { activityAdded(projectId: $p) { id name email actor { id } createdAt } }`
	liveWait          = 60 * time.Second
)

// liveMsg is one message of a subscription: a result ("next"), its errors, or its end.
type liveMsg struct {
	Kind   string // next, error, complete, closed
	Data   json.RawMessage
	Errors e2eErrors
}

// liveInvite is what inviteChanged shows in these tests.
type liveInvite struct {
	ID, Email, Status, DeliveryStatus, Role string
}

// wsClient speaks graphql-transport-ws (the protocol of the graphql-ws package) to /graphql.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	msgs map[string]chan liveMsg
	done chan struct{}
	err  error
}

// dialWS opens a connection and initialises it with token as connection_init's Authorization.
func dialWS(t *testing.T, base, token string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if conn.Subprotocol() != "graphql-transport-ws" {
		t.Fatalf("subprotocol %q, want graphql-transport-ws", conn.Subprotocol())
	}
	c := &wsClient{t: t, conn: conn, msgs: map[string]chan liveMsg{}, done: make(chan struct{})}
	t.Cleanup(func() { conn.CloseNow() })
	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	var ack struct{ Type string }
	if err := c.read(ctx, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("connection_init: %v, answer %q, want connection_ack", err, ack.Type)
	}
	return c
}

func (c *wsClient) send(msg any) {
	c.t.Helper()
	b, _ := json.Marshal(msg)
	if err := c.conn.Write(context.Background(), websocket.MessageText, b); err != nil {
		c.t.Fatalf("websocket write: %v", err)
	}
}

func (c *wsClient) read(ctx context.Context, v any) error {
	_, b, err := c.conn.Read(ctx)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// subscribe starts each subscription by id and then reads the connection in the background,
// answering pings.
func (c *wsClient) subscribe(subs map[string][2]any) map[string]<-chan liveMsg {
	out := map[string]<-chan liveMsg{}
	for id, s := range subs {
		ch := make(chan liveMsg, 1000)
		c.msgs[id] = ch
		out[id] = ch
		c.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": s[0], "variables": s[1]}})
	}
	go func() {
		defer func() {
			for _, ch := range c.msgs {
				ch <- liveMsg{Kind: "closed"}
			}
			close(c.done)
		}()
		for {
			var m struct {
				ID, Type string
				Payload  json.RawMessage
			}
			if err := c.read(context.Background(), &m); err != nil {
				c.err = err
				return
			}
			switch m.Type {
			case "ping":
				b, _ := json.Marshal(map[string]any{"type": "pong"})
				c.conn.Write(context.Background(), websocket.MessageText, b)
			case "next":
				var r struct {
					Data   json.RawMessage
					Errors e2eErrors
				}
				json.Unmarshal(m.Payload, &r)
				c.msgs[m.ID] <- liveMsg{Kind: "next", Data: r.Data, Errors: r.Errors}
			case "error":
				var errs e2eErrors
				json.Unmarshal(m.Payload, &errs)
				c.msgs[m.ID] <- liveMsg{Kind: "error", Errors: errs}
			case "complete":
				c.msgs[m.ID] <- liveMsg{Kind: "complete"}
			}
		}
	}()
	return out
}

// waitSubscribers waits until the server at base serves n live subscriptions: a subscription
// is registered a moment after its stream starts, and a change made before would not reach it.
func waitSubscribers(t *testing.T, base string, n int) {
	t.Helper()
	for deadline := time.Now().Add(liveWait); ; time.Sleep(20 * time.Millisecond) {
		got := metricValue(t, base, "invites_live_subscribers")
		if got == float64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v live subscriptions after %s, want %d", got, liveWait, n)
		}
	}
}

// subscribeSSE opens one subscription over server-sent events (graphql-sse's distinct
// connections mode) with token in the Authorization header.
func subscribeSSE(t *testing.T, base, token, query string, vars map[string]any) <-chan liveMsg {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("SSE: status %d, Content-Type %q: %s", resp.StatusCode, ct, b)
	}
	out := make(chan liveMsg, 1000)
	go func() {
		defer func() { out <- liveMsg{Kind: "closed"} }()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
				if event == "complete" {
					out <- liveMsg{Kind: "complete"}
				}
			case strings.HasPrefix(line, "data: ") && event == "next":
				var r struct {
					Data   json.RawMessage
					Errors e2eErrors
				}
				json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &r)
				out <- liveMsg{Kind: "next", Data: r.Data, Errors: r.Errors}
			}
		}
	}()
	return out
}

// nextInvite waits for an inviteChanged result for which ok holds, failing on the stream's end.
func nextInvite(t *testing.T, name string, ch <-chan liveMsg, ok func(liveInvite) bool) liveInvite {
	t.Helper()
	timeout := time.After(liveWait)
	for {
		select {
		case m := <-ch:
			if m.Kind != "next" || len(m.Errors) > 0 {
				t.Fatalf("%s: %s %s while waiting for an invite", name, m.Kind, m.Errors)
			}
			var d struct{ InviteChanged liveInvite }
			if err := json.Unmarshal(m.Data, &d); err != nil {
				t.Fatal(err)
			}
			if ok(d.InviteChanged) {
				return d.InviteChanged
			}
		case <-timeout:
			t.Fatalf("%s: no matching invite after %s", name, liveWait)
		}
	}
}

// streamEnd waits for the stream's end and returns what came before it.
func streamEnd(t *testing.T, name string, ch <-chan liveMsg) []liveMsg {
	t.Helper()
	var before []liveMsg
	timeout := time.After(liveWait)
	for {
		select {
		case m := <-ch:
			if m.Kind == "complete" || m.Kind == "closed" {
				return before
			}
			before = append(before, m)
		case <-timeout:
			t.Fatalf("%s: the stream has not ended after %s", name, liveWait)
		}
	}
}

// TestLive_AcrossReplicas: two server processes on one database. Subscribers on B, over
// WebSocket and SSE, see what is done through A, delivery status included as the mail workers
// send through a real SMTP server; a stranger and a contributor are refused in the first
// message; a demoted admin's stream ends with nothing more.
func TestLive_AcrossReplicas(t *testing.T) {
	bin := buildReplicaBinary(t)
	smtp := smtptest.Start(t)
	replicas := startReplicas(t, bin, map[string]string{
		"DATABASE_URL": pgtest.URL(t), "SMTP_URL": smtp.URL(), "APP_URL": "https://app.example",
		"LOG_LEVEL": "warn", "LIVE_KEEPALIVE": "1s",
	}, "a", "b")
	a, b := e2eClient{t, replicas[0].base}, e2eClient{t, replicas[1].base}

	owner := a.signUpVerified(smtp, e2eEmail("owner"), "Olga Owner")
	project := a.createProject(owner, "Apollo")
	adaEmail := e2eEmail("ada")
	a.createInvite(owner, map[string]any{"email": adaEmail, "projectId": project, "role": "ADMIN"})
	adaToken := tokenOf(smtp.WaitFor(t, adaEmail, 1, mailWait)[0].Link("https://app.example/invite/"))
	ada := a.signUp(map[string]any{"password": "correct horse", "name": "Ada", "inviteToken": adaToken}).SignUp.Token
	var me struct{ Me struct{ ID string } }
	a.do(ada, `{ me { id } }`, nil, &me)
	stranger := a.signUpVerified(smtp, e2eEmail("stranger"), "Stan")
	vars := map[string]any{"p": project}

	// Refused in the first message, then the stream ends: a stranger NOT_FOUND (over both
	// protocols), an unknown project NOT_FOUND, no token UNAUTHENTICATED.
	refusals := dialWS(t, b.base, stranger).subscribe(map[string][2]any{
		"stranger": {liveInviteChanged, vars},
		"activity": {liveActivityAdded, vars},
		"unknown":  {liveInviteChanged, map[string]any{"p": "nonsense"}},
	})
	for id, want := range map[string]string{"stranger": "NOT_FOUND", "activity": "NOT_FOUND", "unknown": "NOT_FOUND"} {
		refused(t, "ws "+id, refusals[id], want)
	}
	refused(t, "sse stranger", subscribeSSE(t, b.base, stranger, liveInviteChanged, vars), "NOT_FOUND")
	refused(t, "ws without a token", dialWS(t, b.base, "").subscribe(map[string][2]any{"anon": {liveInviteChanged, vars}})["anon"], "UNAUTHENTICATED")

	// The owner over WebSocket, Ada over SSE, both on B.
	ownerSubs := dialWS(t, b.base, owner).subscribe(map[string][2]any{
		"invites": {liveInviteChanged, vars}, "activity": {liveActivityAdded, vars},
	})
	adaInvites := subscribeSSE(t, b.base, ada, liveInviteChanged, vars)
	waitSubscribers(t, b.base, 3) // registered on B before the change

	// Through A: an invite. Both subscribers see it created (QUEUED) and then SENT once the
	// mail worker of whichever replica has sent it through SMTP.
	guestEmail := e2eEmail("guest")
	created := time.Now()
	guest := a.createInvite(owner, map[string]any{"email": guestEmail, "projectId": project, "role": "CONTRIBUTOR"})
	for name, ch := range map[string]<-chan liveMsg{"ws owner": ownerSubs["invites"], "sse ada": adaInvites} {
		first := nextInvite(t, name, ch, func(i liveInvite) bool { return i.ID == guest.ID })
		if first.Email != guestEmail || first.Status != "PENDING" || first.Role != "CONTRIBUTOR" {
			t.Errorf("%s: first event %+v, want %s PENDING CONTRIBUTOR", name, first, guestEmail)
		}
		sent := nextInvite(t, name, ch, func(i liveInvite) bool { return i.ID == guest.ID && i.DeliveryStatus == "SENT" })
		t.Logf("%s: SENT seen %s after createInvite", name, time.Since(created).Round(time.Millisecond))
		if sent.Status != "PENDING" {
			t.Errorf("%s: SENT event %+v, want status PENDING", name, sent)
		}
	}
	if n := len(smtp.Received(guestEmail)); n != 1 {
		t.Errorf("%d emails to the guest, want 1", n)
	}
	// The activity: Created User Invite and the rest, by the owner.
	names := map[string]bool{}
	timeout := time.After(liveWait)
	for !names["Created User Invite"] {
		select {
		case m := <-ownerSubs["activity"]:
			var d struct {
				ActivityAdded struct {
					Name, Email string
					Actor       struct{ ID string }
				}
			}
			if m.Kind != "next" || json.Unmarshal(m.Data, &d) != nil {
				t.Fatalf("activity: %s %s", m.Kind, m.Errors)
			}
			names[d.ActivityAdded.Name] = true
			if d.ActivityAdded.Actor.ID == "" {
				t.Errorf("activity %+v: no actor, want the owner", d.ActivityAdded)
			}
		case <-timeout:
			t.Fatalf("activity: no Created User Invite after %s (got %v)", liveWait, names)
		}
	}

	// Ada demoted to CONTRIBUTOR through A: her stream on B ends, and a later invite reaches
	// only the owner.
	a.do(owner, `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { role } }`,
		map[string]any{"i": map[string]any{"projectId": project, "userId": me.Me.ID, "role": "CONTRIBUTOR"}}, nil)
	for _, m := range streamEnd(t, "sse ada after demotion", adaInvites) {
		if m.Kind != "next" || !strings.Contains(string(m.Data), guest.ID) {
			t.Errorf("sse ada after demotion: %s %s %s; only the guest's earlier events may precede the end", m.Kind, m.Data, m.Errors)
		}
	}
	later := a.createInvite(owner, map[string]any{"email": e2eEmail("later"), "projectId": project, "role": "CONTRIBUTOR"})
	nextInvite(t, "ws owner", ownerSubs["invites"], func(i liveInvite) bool { return i.ID == later.ID })

	// Ada, now a contributor, is refused: FORBIDDEN.
	refused(t, "sse contributor", subscribeSSE(t, b.base, ada, liveInviteChanged, vars), "FORBIDDEN")
	refused(t, "ws contributor", dialWS(t, b.base, ada).subscribe(map[string][2]any{"x": {liveActivityAdded, vars}})["x"], "FORBIDDEN")

	// Shutdown: B ends its streams and closes its WebSocket connections at once, and exits
	// soon rather than waiting for its subscribers to leave.
	ownerSSE := subscribeSSE(t, b.base, owner, liveActivityAdded, vars)
	waitSubscribers(t, b.base, 3) // the owner's two over WebSocket and this one; Ada's ended
	stopping := time.Now()
	if err := replicas[1].cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]<-chan liveMsg{"ws invites": ownerSubs["invites"], "ws activity": ownerSubs["activity"], "sse activity": ownerSSE} {
		streamEnd(t, name+" at shutdown", ch)
	}
	select {
	case <-replicas[1].exited:
		t.Logf("B's streams ended and B exited %s after SIGTERM", time.Since(stopping).Round(time.Millisecond))
		if replicas[1].err != nil {
			t.Errorf("B exited with %v", replicas[1].err)
		}
	case <-time.After(60 * time.Second): // a hang guard
		t.Errorf("B still running 60s after SIGTERM with live subscribers")
	}
}

// refused checks that a subscription's first message is a result with no data and one error
// of code want, and that the stream then ends.
func refused(t *testing.T, name string, ch <-chan liveMsg, want string) {
	t.Helper()
	select {
	case m := <-ch:
		if (m.Kind != "next" && m.Kind != "error") || (m.Data != nil && string(m.Data) != "null") || m.Errors.code() != want {
			t.Errorf("%s: first message %s data %s errors %s, want only the error %s", name, m.Kind, m.Data, m.Errors, want)
		}
	case <-time.After(liveWait):
		t.Fatalf("%s: no first message after %s", name, liveWait)
	}
	if rest := streamEnd(t, name, ch); len(rest) > 0 {
		t.Errorf("%s: %d more messages before the end, want none", name, len(rest))
	}
}

// TestLive_Limits: the cap on subscriptions per connection and on live connections per user,
// and a session ended by logOut ending its stream.
func TestLive_Limits(t *testing.T) {
	smtp := smtptest.Start(t)
	base := startServer(t, map[string]string{
		"SMTP_URL": smtp.URL(), "APP_URL": "https://app.example",
		"LIVE_SUBSCRIPTIONS_PER_CONNECTION": "2", "LIVE_CONNECTIONS_PER_USER": "2",
	})
	c := e2eClient{t, base}
	ownerEmail := e2eEmail("owner")
	owner := c.signUpVerified(smtp, ownerEmail, "Olga Owner")
	project := c.createProject(owner, "Apollo")
	vars := map[string]any{"p": project}

	// Three subscriptions on a connection that allows two: exactly one is refused.
	subs := dialWS(t, base, owner).subscribe(map[string][2]any{
		"1": {liveInviteChanged, vars}, "2": {liveActivityAdded, vars}, "3": {liveInviteChanged, vars},
	})
	// The two running have nothing to say yet; the refusal is awaited however long it takes.
	refusedOne := ""
	timeout := time.After(liveWait)
	for refusedOne == "" {
		var id string
		var m liveMsg
		select {
		case m = <-subs["1"]:
			id = "1"
		case m = <-subs["2"]:
			id = "2"
		case m = <-subs["3"]:
			id = "3"
		case <-timeout:
			t.Fatalf("three subscriptions on a connection capped at two: none refused in %s", liveWait)
		}
		if m.Errors.code() != "RATE_LIMITED" {
			t.Errorf("subscription %s: %s %s, want one RATE_LIMITED of three", id, m.Kind, m.Errors)
		}
		refusedOne = id
	}

	// A second connection is allowed; a third is closed with 4403 and the reason, and an SSE
	// stream, a connection too, is refused with RATE_LIMITED.
	dialWS(t, base, owner)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	initMsg, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + owner}})
	conn.Write(ctx, websocket.MessageText, initMsg)
	_, msg, err := conn.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4403 || !strings.Contains(ce.Reason, "too many live connections") {
		t.Errorf("a third connection: message %s, error %v; want closed with 4403 and the reason", msg, err)
	}
	refused(t, "sse over the cap", subscribeSSE(t, base, owner, liveInviteChanged, vars), "RATE_LIMITED")

	// Another user is not held by the owner's connections; her stream ends when she logs out.
	adaEmail := e2eEmail("ada")
	c.createInvite(owner, map[string]any{"email": adaEmail, "projectId": project, "role": "ADMIN"})
	adaToken := tokenOf(smtp.WaitFor(t, adaEmail, 1, mailWait)[0].Link("https://app.example/invite/"))
	ada := c.signUp(map[string]any{"password": "correct horse", "name": "Ada", "inviteToken": adaToken}).SignUp.Token
	// Her invite's email is recorded SENT a little after it arrives (the mail workers write
	// statuses in batches); that change must be behind her before her stream starts, or it
	// would reach the stream and be taken for one after her log-out.
	waitAllDelivered(t, c, owner, project)
	adaSSE := subscribeSSE(t, base, ada, liveInviteChanged, vars)
	waitSubscribers(t, base, 3) // the owner's two over WebSocket and hers
	c.do(ada, `mutation { logOut }`, nil, nil)
	c.createInvite(owner, map[string]any{"email": e2eEmail("after"), "projectId": project, "role": "CONTRIBUTOR"})
	if rest := streamEnd(t, "sse after logOut", adaSSE); len(rest) > 0 {
		t.Errorf("sse after logOut: %d results before the end, want none", len(rest))
	}
}

// TestLive_AcceptChoosesTheTransport: only a request that wants an event stream and no JSON
// (graphql-sse's `Accept: text/event-stream`) is served as server-sent events; clients such as
// urql, which list text/event-stream after the JSON types on every request, get JSON.
func TestLive_AcceptChoosesTheTransport(t *testing.T) {
	base := startServer(t, map[string]string{})
	for _, tc := range []struct {
		accept, want string
	}{
		{"text/event-stream", "text/event-stream"},
		{"application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed", "application/graphql-response+json"},
		{"application/json, text/event-stream", "application/json"},
		{"text/event-stream, */*;q=0.1", "application/json"},
		// Apollo Client's for a query with @defer: one without it is one JSON answer.
		{"multipart/mixed;deferSpec=20220824,application/json", "application/json"},
	} {
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", tc.accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, tc.want) || !strings.Contains(string(body), `"__typename":"Query"`) {
			t.Errorf("Accept %q: %d %s %s, want 200 %s", tc.accept, resp.StatusCode, ct, body, tc.want)
		}
	}
}

// waitAllDelivered waits until no invite of project reads deliveryStatus QUEUED, and then a
// little more, for the notifications of the last status writes to have been fanned out.
func waitAllDelivered(t *testing.T, c e2eClient, token, project string) {
	t.Helper()
	deadline := time.Now().Add(mailWait)
	for {
		var d struct {
			Project struct {
				Invites struct {
					Edges []struct {
						Node struct{ DeliveryStatus string }
					}
				}
			}
		}
		c.do(token, `query($p: ID!) { project(id: $p) { invites(first: 100) { edges { node { deliveryStatus } } } } }`, map[string]any{"p": project}, &d)
		queued := 0
		for _, e := range d.Project.Invites.Edges {
			if e.Node.DeliveryStatus == "QUEUED" {
				queued++
			}
		}
		if queued == 0 {
			time.Sleep(200 * time.Millisecond)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d invites still QUEUED after %s", queued, mailWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
