package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/pgtest"
)

// The graphql-transport-ws protocol through the real handler, with raw sockets: every close
// code of PROTOCOL.md, ping and pong at any time, the handshake, and the bounds on sockets.

// wsWait bounds every wait for a message or a close: generous, never asserted on.
const wsWait = 10 * time.Second

// wsServer is the GraphQL handler, with live updates from hub, behind an HTTP server.
type wsServer struct {
	url    string // ws://.../graphql (wss:// over TLS)
	hub    *live.Hub
	h      http.Handler
	client *http.Client // the client of a TLS server; nil: the default
}

// newWSServer starts the handler with config.Default's GraphQL settings changed by set.
func newWSServer(t *testing.T, set func(*config.GraphQL)) wsServer {
	t.Helper()
	return newWSServerOn(t, set, false)
}

// newWSServerOn is newWSServer, over TLS if tls: its sockets cannot be polled and are read
// by a goroutine each (wssocket.go).
func newWSServerOn(t *testing.T, set func(*config.GraphQL), tls bool) wsServer {
	t.Helper()
	cfg := config.Default()
	cfg.Domain.AppURL = "https://app.example"
	cfg.Domain.SignUpClientLimit = 0
	if set != nil {
		set(&cfg.GraphQL)
	}
	hub := live.NewHub(16)
	t.Cleanup(hub.Close)
	h := newServices(t, pgtest.DB(t), cfg, app.Options{}).GraphQL(hub)
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	s := wsServer{url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql", hub: hub, h: h}
	if tls {
		s.client = srv.Client()
	}
	return s
}

// dial opens a socket asking for protocols; it is closed when the test ends.
func (s wsServer) dial(t *testing.T, protocols ...string) (*coderws.Conn, *http.Response, error) {
	t.Helper()
	return s.dialFrom(t, "", protocols...)
}

// dialFrom is dial through a proxy that says the client is forwardedFor (none: direct).
func (s wsServer) dialFrom(t *testing.T, forwardedFor string, protocols ...string) (*coderws.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	opts := &coderws.DialOptions{Subprotocols: protocols, HTTPHeader: http.Header{}, HTTPClient: s.client}
	if forwardedFor != "" {
		opts.HTTPHeader.Set("X-Forwarded-For", forwardedFor)
	}
	c, resp, err := coderws.Dial(ctx, s.url, opts)
	if err == nil {
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

// open opens a graphql-transport-ws socket.
func (s wsServer) open(t *testing.T) *coderws.Conn {
	t.Helper()
	c, _, err := s.dial(t, "graphql-transport-ws")
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if c.Subprotocol() != "graphql-transport-ws" {
		t.Fatalf("subprotocol %q, want graphql-transport-ws", c.Subprotocol())
	}
	return c
}

// initWS opens a socket and initialises it with token (none: anonymous).
func (s wsServer) initWS(t *testing.T, token string) *coderws.Conn {
	t.Helper()
	c := s.open(t)
	wsSend(t, c, `{"type":"connection_init","payload":{"Authorization":"Bearer `+token+`"}}`)
	if m := wsRead(t, c); m.Type != "connection_ack" {
		t.Fatalf("connection_init: %+v, want connection_ack", m)
	}
	return c
}

type wsMsg struct {
	Type    string          `json:"type"`
	ID      string          `json:"id"`
	Payload json.RawMessage `json:"payload"`
}

func wsSend(t *testing.T, c *coderws.Conn, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	if err := c.Write(ctx, coderws.MessageText, []byte(text)); err != nil {
		t.Fatalf("write %s: %v", text, err)
	}
}

// wsRead reads the next message, failing the test if the socket closes first.
func wsRead(t *testing.T, c *coderws.Conn) wsMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m wsMsg
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("message %s: %v", b, err)
	}
	return m
}

// wsClosed reads until the socket ends and returns how; a message of a type in forbidden
// before the end fails the test.
func wsClosed(t *testing.T, c *coderws.Conn, forbidden ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("the socket is still open after %s", wsWait)
			}
			return err
		}
		var m wsMsg
		_ = json.Unmarshal(b, &m)
		for _, f := range forbidden {
			if m.Type == f {
				t.Errorf("message %s before the close", b)
			}
		}
	}
}

// wantClose checks that the socket ends with a close frame of code and a reason containing
// reason.
func wantClose(t *testing.T, c *coderws.Conn, code coderws.StatusCode, reason string) {
	t.Helper()
	err := wsClosed(t, c)
	var ce coderws.CloseError
	if !errors.As(err, &ce) || ce.Code != code || !strings.Contains(ce.Reason, reason) {
		t.Errorf("closed with %v; want %d %q", err, code, reason)
	}
}

// liveProject signs up an owner with a project and returns the owner's token and the
// project's ID.
func liveProject(t *testing.T, h http.Handler) (token, project string) {
	t.Helper()
	token = signUp(t, h, uniqueEmail("live-owner"))
	var d struct{ CreateProject struct{ ID string } }
	gql(t, h, token, `mutation { createProject(input: {name: "Apollo"}) { id } }`, nil, &d)
	return token, d.CreateProject.ID
}

// subscribeMsg is a subscribe message of inviteChanged on project with id.
func subscribeMsg(id, project string) string {
	return `{"id":"` + id + `","type":"subscribe","payload":{"query":"subscription($p: ID!) { inviteChanged(projectId: $p) { id } }","variables":{"p":"` + project + `"}}}`
}

// waitSubscribers waits until the hub has n subscribers.
func waitSubscribers(t *testing.T, hub *live.Hub, n int) {
	t.Helper()
	deadline := time.Now().Add(wsWait)
	for hub.Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, want %d", hub.Subscribers(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWebSocket_CloseCodes: each rule of PROTOCOL.md that ends the socket, with its close
// code and reason. On gqlgen's transport (before) these closed 1002 or 1000, were ignored, or
// left the socket open for good.
func TestWebSocket_CloseCodes(t *testing.T) {
	s := newWSServer(t, nil)
	short := newWSServer(t, func(g *config.GraphQL) {
		g.Live.InitTimeout = 200 * time.Millisecond
		g.Live.AnonymousIdleTimeout = 200 * time.Millisecond
	})
	token, project := liveProject(t, s.h)
	const init = `{"type":"connection_init"}`
	authInit := `{"type":"connection_init","payload":{"Authorization":"Bearer ` + token + `"}}`
	for _, tc := range []struct {
		name   string
		short  bool // on the server with 200ms timeouts
		send   []string
		binary bool
		code   coderws.StatusCode
		reason string
	}{
		{name: "subscribe before connection_init", send: []string{subscribeMsg("1", project)}, code: 4401, reason: "Unauthorized"},
		{name: "a second connection_init", send: []string{init, init}, code: 4429, reason: "Too many initialisation requests"},
		{name: "not JSON", send: []string{"hello"}, code: 4400, reason: "Invalid message"},
		{name: "not JSON after init", send: []string{init, "{"}, code: 4400, reason: "Invalid message"},
		{name: "a JSON array", send: []string{`[{"type":"connection_init"}]`}, code: 4400, reason: "not a JSON object"},
		{name: "no type", send: []string{`{"id":"1"}`}, code: 4400, reason: `"type"`},
		{name: "type not a string", send: []string{`{"type":1}`}, code: 4400, reason: `"type"`},
		{name: "unknown type", send: []string{init, `{"type":"start","id":"1"}`}, code: 4400, reason: `unknown type "start"`},
		{name: "a type of the server's", send: []string{init, `{"type":"next","id":"1","payload":{}}`}, code: 4400, reason: "server only"},
		{name: "subscribe without an id", send: []string{init, `{"type":"subscribe","payload":{"query":"{ __typename }"}}`}, code: 4400, reason: `"id"`},
		{name: "subscribe with an empty id", send: []string{init, `{"type":"subscribe","id":"","payload":{"query":"{ __typename }"}}`}, code: 4400, reason: `"id"`},
		{name: "subscribe without a payload", send: []string{init, `{"type":"subscribe","id":"1"}`}, code: 4400, reason: "payload"},
		{name: "subscribe without a query", send: []string{init, `{"type":"subscribe","id":"1","payload":{}}`}, code: 4400, reason: "query"},
		{name: "a query not a string", send: []string{init, `{"type":"subscribe","id":"1","payload":{"query":1}}`}, code: 4400, reason: "query must be a string"},
		{name: "complete without an id", send: []string{init, `{"type":"complete"}`}, code: 4400, reason: `"id"`},
		{name: "connection_init's payload not an object", send: []string{`{"type":"connection_init","payload":"token"}`}, code: 4400, reason: "payload"},
		{name: "a binary frame", binary: true, send: []string{init}, code: 4400, reason: "binary"},
		{name: "a duplicate operation id", send: []string{authInit, subscribeMsg("a", project), subscribeMsg("a", project)}, code: 4409, reason: "Subscriber for a already exists"},
		{name: "a token that names no session", send: []string{`{"type":"connection_init","payload":{"Authorization":"Bearer nonsense"}}`}, code: 4403, reason: "Forbidden"},
		{name: "no connection_init", short: true, code: 4408, reason: "Connection initialisation timeout"},
		{name: "an idle anonymous connection", short: true, send: []string{init}, code: coderws.StatusNormalClosure, reason: "Idle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := s
			if tc.short {
				srv = short
			}
			c := srv.open(t)
			for _, m := range tc.send {
				typ := coderws.MessageText
				if tc.binary {
					typ = coderws.MessageBinary
				}
				// A write may fail once the server has closed: the close is what counts.
				_ = c.Write(context.Background(), typ, []byte(m))
			}
			wantClose(t, c, tc.code, tc.reason)
		})
	}
}

// TestWebSocket_PingAtAnyTime: ping before connection_init is answered with pong (its
// payload echoed) and the socket stays usable; a pong, which may be unsolicited, is ignored.
// gqlgen's transport closed the socket on a ping before connection_init.
func TestWebSocket_PingAtAnyTime(t *testing.T) {
	s := newWSServer(t, nil)
	c := s.open(t)
	wsSend(t, c, `{"type":"ping","payload":{"at":1}}`)
	if m := wsRead(t, c); m.Type != "pong" || string(m.Payload) != `{"at":1}` {
		t.Errorf("ping before init: %+v, want pong with its payload", m)
	}
	wsSend(t, c, `{"type":"pong"}`)
	wsSend(t, c, `{"type":"connection_init"}`)
	if m := wsRead(t, c); m.Type != "connection_ack" {
		t.Errorf("connection_init after ping: %+v, want connection_ack", m)
	}
	wsSend(t, c, `{"type":"ping"}`)
	if m := wsRead(t, c); m.Type != "pong" || m.Payload != nil {
		t.Errorf("ping: %+v, want pong", m)
	}
}

// TestWebSocket_Handshake: a socket must ask for graphql-transport-ws (or the legacy
// graphql-ws, which gqlgen's transport still serves); one that asks for neither is refused
// before any upgrade. gqlgen's transport accepted a socket with no subprotocol.
func TestWebSocket_Handshake(t *testing.T) {
	s := newWSServer(t, nil)
	for _, tc := range []struct {
		name      string
		protocols []string
		want      string // the subprotocol; empty: refused with 400
	}{
		{"no subprotocol", nil, ""},
		{"an unknown subprotocol", []string{"mqtt"}, ""},
		{"graphql-transport-ws", []string{"graphql-transport-ws"}, "graphql-transport-ws"},
		{"both, legacy first", []string{"graphql-ws", "graphql-transport-ws"}, "graphql-transport-ws"},
		{"legacy graphql-ws", []string{"graphql-ws"}, "graphql-ws"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, resp, err := s.dial(t, tc.protocols...)
			if tc.want == "" {
				if err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("dial: %v, %v; want refused with 400", err, resp)
				}
				body, _ := io.ReadAll(resp.Body)
				if !strings.Contains(string(body), "graphql-transport-ws") || !strings.Contains(string(body), "BAD_USER_INPUT") {
					t.Errorf("refusal %s: want BAD_USER_INPUT naming the subprotocol", body)
				}
				return
			}
			if err != nil || c.Subprotocol() != tc.want {
				t.Fatalf("dial: %v, subprotocol %q; want %q", err, c.Subprotocol(), tc.want)
			}
			wsSend(t, c, `{"type":"connection_init"}`)
			if m := wsRead(t, c); m.Type != "connection_ack" {
				t.Errorf("connection_init: %+v, want connection_ack", m)
			}
		})
	}
}

// TestWebSocket_OperationIDs: an id is reserved while its operation runs (a repeat closes
// the socket with 4409) and free again once the client completes it; completed operations
// hold no place of LIVE_SUBSCRIPTIONS_PER_CONNECTION. Before, each repeat started another
// subscription, complete stopped one, and the leftovers filled the connection's cap.
func TestWebSocket_OperationIDs(t *testing.T) {
	s := newWSServer(t, func(g *config.GraphQL) { g.Live.SubscriptionsPerConnection = 2 })
	token, project := liveProject(t, s.h)
	c := s.initWS(t, token)
	for range 3 {
		wsSend(t, c, subscribeMsg("a", project))
		waitSubscribers(t, s.hub, 1)
		wsSend(t, c, `{"type":"complete","id":"a"}`)
		waitSubscribers(t, s.hub, 0)
	}
	wsSend(t, c, subscribeMsg("a", project))
	wsSend(t, c, subscribeMsg("b", project))
	waitSubscribers(t, s.hub, 2) // both run: the completed ones left no place taken
	wsSend(t, c, subscribeMsg("b", project))
	wantClose(t, c, 4409, "Subscriber for b already exists")
	waitSubscribers(t, s.hub, 0) // the close ended both
}

// TestWebSocket_RequestErrors: an operation refused before it runs (a validation error) is
// answered with one error message and no complete, as PROTOCOL.md says; the socket stays
// open. A result with errors (the resolver's refusal) is next, then complete.
func TestWebSocket_RequestErrors(t *testing.T) {
	s := newWSServer(t, nil)
	c := s.initWS(t, "")
	wsSend(t, c, `{"id":"1","type":"subscribe","payload":{"query":"subscription { nope }"}}`)
	m := wsRead(t, c)
	var errs []struct{ Message string }
	if m.Type != "error" || m.ID != "1" || json.Unmarshal(m.Payload, &errs) != nil || len(errs) == 0 {
		t.Errorf("invalid subscription: %+v, want an error message with the errors", m)
	}
	wsSend(t, c, `{"type":"ping"}`)
	if m := wsRead(t, c); m.Type != "pong" {
		t.Errorf("after the error: %+v, want pong (no complete after an error)", m)
	}
	wsSend(t, c, subscribeMsg("2", "nonsense"))
	if m := wsRead(t, c); m.Type != "next" || !strings.Contains(string(m.Payload), "UNAUTHENTICATED") {
		t.Errorf("anonymous subscription: %+v, want next with UNAUTHENTICATED", m)
	}
	if m := wsRead(t, c); m.Type != "complete" || m.ID != "2" {
		t.Errorf("after the refusal: %+v, want complete", m)
	}
}

// TestWebSocket_ConnectionsPerAddress: every live connection from one address, anonymous or
// not and before any connection_init, holds a place; beyond the cap the handshake is
// answered 429 RATE_LIMITED, over graphql-ws and SSE too, until one closes.
func TestWebSocket_ConnectionsPerAddress(t *testing.T) {
	s := newWSServer(t, func(g *config.GraphQL) { g.Live.ConnectionsPerAddress = 2 })
	first := s.open(t)
	s.open(t)
	for _, protocols := range [][]string{{"graphql-transport-ws"}, {"graphql-ws"}} {
		_, resp, err := s.dial(t, protocols...)
		if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%v: a third socket: %v, %v; want 429", protocols, err, resp)
		}
		if body, _ := io.ReadAll(resp.Body); !strings.Contains(string(body), "RATE_LIMITED") {
			t.Errorf("%v: refusal %s, want RATE_LIMITED", protocols, body)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, "http"+strings.TrimPrefix(s.url, "ws"), strings.NewReader(`{"query":"{ __typename }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("an SSE stream over the cap: %d, want 429", resp.StatusCode)
	}

	first.Close(coderws.StatusNormalClosure, "")
	deadline := time.Now().Add(wsWait)
	for {
		if _, _, err := s.dial(t, "graphql-transport-ws"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no place again after a socket closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebSocket_Bounds: an authenticated connection is not closed for being idle (only an
// anonymous one is), keep-alive pings come after connection_ack, a client that answers none
// is dropped, and every connection is closed with 1001 when the server shuts down.
func TestWebSocket_Bounds(t *testing.T) {
	s := newWSServer(t, func(g *config.GraphQL) {
		g.Live.AnonymousIdleTimeout = 200 * time.Millisecond
		g.Live.KeepAlive = 100 * time.Millisecond
	})
	token, _ := liveProject(t, s.h)
	authed := s.initWS(t, token)
	anon := s.initWS(t, "")
	wantClose(t, anon, coderws.StatusNormalClosure, "Idle") // the idle time has passed
	for range 2 {
		if m := wsRead(t, authed); m.Type != "ping" {
			t.Fatalf("keep-alive: %+v, want ping", m)
		}
		wsSend(t, authed, `{"type":"pong"}`)
	}
	// Reading but answering nothing: dropped without a close frame.
	if err := wsClosed(t, authed, "next"); coderws.CloseStatus(err) != -1 {
		t.Errorf("a client that answers no ping: %v, want dropped", err)
	}

	other := s.initWS(t, token)
	s.hub.Close()
	wantClose(t, other, coderws.StatusGoingAway, "shutting down")
}

// TestWebSocket_ConnectionsPerAddressIPv6: an IPv6 client is counted by its /64, as the
// domain's per-client limits count it: its host has 2^64 addresses to rotate through.
func TestWebSocket_ConnectionsPerAddressIPv6(t *testing.T) {
	s := newWSServer(t, func(g *config.GraphQL) {
		g.Live.ConnectionsPerAddress = 1
		g.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	for _, tc := range []struct {
		from string
		want int // 101 or 429
	}{
		{"2001:db8:1:1::1", http.StatusSwitchingProtocols},
		{"2001:db8:1:1::2", http.StatusTooManyRequests}, // the same /64
		{"2001:db8:1:2::1", http.StatusSwitchingProtocols},
		{"192.0.2.1", http.StatusSwitchingProtocols},
		{"192.0.2.2", http.StatusSwitchingProtocols},
	} {
		_, resp, _ := s.dialFrom(t, tc.from, "graphql-transport-ws")
		if resp == nil || resp.StatusCode != tc.want {
			t.Errorf("from %s: %v, want %d", tc.from, resp, tc.want)
		}
	}
}

// TestWebSocket_LegacyInitTimeout: the legacy graphql-ws subprotocol, still gqlgen's, is held
// to LIVE_INIT_TIMEOUT too (its protocol has no close codes: gqlgen closes with 1002).
func TestWebSocket_LegacyInitTimeout(t *testing.T) {
	s := newWSServer(t, func(g *config.GraphQL) { g.Live.InitTimeout = 200 * time.Millisecond })
	c, _, err := s.dial(t, "graphql-ws")
	if err != nil {
		t.Fatal(err)
	}
	wantClose(t, c, coderws.StatusProtocolError, "initialisation timeout")
}
