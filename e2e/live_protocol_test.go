package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// graphql-transport-ws through the real server, with raw sockets: PROTOCOL.md's close codes,
// ping before connection_init, the handshake's subprotocol and the per-address cap
// (graph/ws_test.go has every rule; this runs the ones a deployment depends on end to end).

// rawWS opens a socket to base's /graphql asking for protocols.
func rawWS(t *testing.T, base string, protocols ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), liveWait)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/graphql", &websocket.DialOptions{Subprotocols: protocols})
	if err == nil {
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

// closedWith reads until the socket ends and returns its close frame (code -1: none).
func closedWith(t *testing.T, c *websocket.Conn) websocket.CloseError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), liveWait)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatalf("the socket is still open after %s", liveWait)
			}
			var ce websocket.CloseError
			if !errors.As(err, &ce) {
				return websocket.CloseError{Code: -1, Reason: err.Error()}
			}
			return ce
		}
	}
}

// TestLive_WebSocketProtocol: each close code of graphql-transport-ws, as a client of the
// server sees it.
func TestLive_WebSocketProtocol(t *testing.T) {
	base := startServer(t, map[string]string{})
	short := startServer(t, map[string]string{"LIVE_INIT_TIMEOUT": "200ms", "LIVE_ANONYMOUS_IDLE_TIMEOUT": "200ms"})
	c := e2eClient{t, base}
	owner := c.signUp(map[string]any{"email": e2eEmail("owner"), "password": "correct horse", "name": "Olga"}).SignUp.Token
	project := c.createProject(owner, "Apollo")
	sub := func(id string) string {
		b, _ := json.Marshal(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{
			"query": liveInviteChanged, "variables": map[string]any{"p": project}}})
		return string(b)
	}
	const init = `{"type":"connection_init"}`
	for _, tc := range []struct {
		name   string
		base   string
		send   []string
		code   websocket.StatusCode
		reason string
	}{
		{"subscribe before connection_init", base, []string{sub("1")}, 4401, "Unauthorized"},
		{"a second connection_init", base, []string{init, init}, 4429, "Too many initialisation requests"},
		{"not JSON", base, []string{"not json"}, 4400, "Invalid message"},
		{"an unknown type", base, []string{init, `{"type":"start","id":"1"}`}, 4400, "unknown type"},
		{"subscribe without an id", base, []string{init, `{"type":"subscribe","payload":{"query":"{ __typename }"}}`}, 4400, `"id"`},
		{"a duplicate operation id", base, []string{`{"type":"connection_init","payload":{"Authorization":"Bearer ` + owner + `"}}`, sub("a"), sub("a")}, 4409, "Subscriber for a already exists"},
		{"a token that names no session", base, []string{`{"type":"connection_init","payload":{"Authorization":"Bearer nonsense"}}`}, 4403, "Forbidden"},
		{"no connection_init", short, nil, 4408, "Connection initialisation timeout"},
		{"an idle anonymous connection", short, []string{init}, websocket.StatusNormalClosure, "Idle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, _, err := rawWS(t, tc.base, "graphql-transport-ws")
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range tc.send {
				_ = conn.Write(context.Background(), websocket.MessageText, []byte(m))
			}
			if ce := closedWith(t, conn); ce.Code != tc.code || !strings.Contains(ce.Reason, tc.reason) {
				t.Errorf("closed with %d %q; want %d %q", ce.Code, ce.Reason, tc.code, tc.reason)
			}
		})
	}

	t.Run("ping before connection_init", func(t *testing.T) {
		conn, _, err := rawWS(t, base, "graphql-transport-ws")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), liveWait)
		defer cancel()
		for _, want := range []string{"pong", "connection_ack"} {
			msg := `{"type":"ping","payload":{"n":1}}`
			if want == "connection_ack" {
				msg = init
			}
			conn.Write(ctx, websocket.MessageText, []byte(msg))
			_, b, err := conn.Read(ctx)
			var m struct{ Type string }
			if err != nil || json.Unmarshal(b, &m) != nil || m.Type != want {
				t.Fatalf("after %s: %s, %v; want %s", msg, b, err, want)
			}
		}
	})

	t.Run("no subprotocol", func(t *testing.T) {
		if _, resp, err := rawWS(t, base); err == nil || resp == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a handshake without a subprotocol: %v, %v; want refused with 400", err, resp)
		}
	})
}

// TestLive_ConnectionsPerAddress: sockets that never authenticate hold their address's places
// too; beyond LIVE_CONNECTIONS_PER_ADDRESS the handshake is answered 429.
func TestLive_ConnectionsPerAddress(t *testing.T) {
	base := startServer(t, map[string]string{"LIVE_CONNECTIONS_PER_ADDRESS": "2"})
	for range 2 {
		if _, _, err := rawWS(t, base, "graphql-transport-ws"); err != nil {
			t.Fatal(err)
		}
	}
	if _, resp, err := rawWS(t, base, "graphql-transport-ws"); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a third socket from one address: %v, %v; want 429", err, resp)
	}
}
