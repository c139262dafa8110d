package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
)

// The graphql-transport-ws protocol (PROTOCOL.md of the graphql-ws package), served over
// WebSocket by wsTransport (wsconn.go). gqlgen's own transport cannot be made to follow it
// through its options: it closes with 1002 where the protocol says 4401, 4400 or 4429, lets
// a duplicate operation id start another subscription, refuses a ping before
// connection_init, ignores a subscribe without an id and accepts a socket that asks for no
// subprotocol. It stays for the legacy graphql-ws subprotocol only (legacyWS).

const (
	subprotocolTransportWS = "graphql-transport-ws"
	subprotocolLegacyWS    = "graphql-ws" // subscriptions-transport-ws, served by gqlgen
)

// The close codes of graphql-transport-ws, each with the reason PROTOCOL.md gives it.
const (
	closeBadRequest   = 4400 // the reason says what is wrong with the message
	closeUnauthorized = 4401 // "Unauthorized": subscribe before connection_ack
	closeForbidden    = 4403 // connection_init refused: the reason says why
	closeInitTimeout  = 4408 // "Connection initialisation timeout"
	closeDuplicateID  = 4409 // "Subscriber for <id> already exists"
	closeTooManyInits = 4429 // "Too many initialisation requests"
)

// wsMessage is one message of the protocol, either way.
type wsMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// encode is m as JSON, made by hand: a payload is JSON already (a marshalled response), and
// encoding/json would check and compact it again for every subscriber of an event.
func (m wsMessage) encode() []byte {
	b := make([]byte, 0, len(`{"type":"","id":,"payload":}`)+len(m.Type)+len(m.ID)+2+len(m.Payload))
	b = append(append(append(b, `{"type":"`...), m.Type...), '"')
	if m.ID != "" {
		id, _ := json.Marshal(m.ID) // a string always marshals
		b = append(append(b, `,"id":`...), id...)
	}
	if m.Payload != nil {
		b = append(append(b, `,"payload":`...), m.Payload...)
	}
	return append(b, '}')
}

// The message types of graphql-transport-ws.
const (
	msgConnectionInit = "connection_init"
	msgConnectionAck  = "connection_ack"
	msgPing           = "ping"
	msgPong           = "pong"
	msgSubscribe      = "subscribe"
	msgNext           = "next"
	msgError          = "error"
	msgComplete       = "complete"
)

// parseWSMessage reads one message from the client, or says why it is invalid (the reason
// of the 4400 close). Field names are matched exactly, as JSON.parse does.
func parseWSMessage(b []byte) (wsMessage, string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil || fields == nil {
		return wsMessage{}, "Invalid message received: not a JSON object"
	}
	var m wsMessage
	if json.Unmarshal(fields["type"], &m.Type) != nil || m.Type == "" {
		return wsMessage{}, `Invalid message received: "type" must be a string`
	}
	if p := fields["payload"]; len(p) > 0 && string(p) != "null" {
		m.Payload = p
	}
	switch m.Type {
	case msgConnectionInit, msgPing, msgPong:
		if m.Payload != nil && !isJSONObject(m.Payload) {
			return wsMessage{}, fmt.Sprintf(`Invalid message received: %q's payload must be an object`, m.Type)
		}
		return m, ""
	case msgSubscribe, msgComplete:
		if json.Unmarshal(fields["id"], &m.ID) != nil || m.ID == "" {
			return wsMessage{}, fmt.Sprintf(`Invalid message received: %q needs an "id", a non-empty string`, m.Type)
		}
		if m.Type == msgSubscribe && !isJSONObject(m.Payload) {
			return wsMessage{}, `Invalid message received: "subscribe" needs a payload object with a query`
		}
		return m, ""
	case msgConnectionAck, msgNext, msgError:
		return wsMessage{}, fmt.Sprintf("Invalid message received: %q is sent by the server only", m.Type)
	}
	return wsMessage{}, fmt.Sprintf("Invalid message received: unknown type %q", truncate(m.Type, 40))
}

// subscribeParams reads a subscribe message's payload, or says why it is invalid.
func subscribeParams(payload json.RawMessage) (*graphql.RawParams, string) {
	params := &graphql.RawParams{}
	if msg := decodeParams(payload, params); msg != "" {
		return nil, "Invalid message received: " + msg
	}
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		return nil, `Invalid message received: "subscribe" needs a payload with a query`
	}
	return params, ""
}

func isJSONObject(b json.RawMessage) bool {
	return bytes.HasPrefix(bytes.TrimSpace(b), []byte("{"))
}

// truncate cuts s to at most n bytes, on a character boundary (a close reason has at most
// 123 bytes).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// offeredSubprotocols lists the subprotocols a WebSocket handshake asks for.
func offeredSubprotocols(r *http.Request) []string {
	var out []string
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// wsTransport serves every WebSocket handshake but those of the legacy graphql-ws clients:
// one that does not ask for graphql-transport-ws is refused with 400 before any upgrade.
type wsTransport struct{ r *Resolver }

func (wsTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" && !legacyWS(r)
}

// legacyWS reports whether a handshake asks for graphql-ws and not graphql-transport-ws.
func legacyWS(r *http.Request) bool {
	offered := offeredSubprotocols(r)
	return slices.Contains(offered, subprotocolLegacyWS) && !slices.Contains(offered, subprotocolTransportWS)
}

func (t wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	if !slices.Contains(offeredSubprotocols(r), subprotocolTransportWS) {
		sendError(w, r, exec, http.StatusBadRequest, reasonInvalidRequest,
			"a WebSocket connection must ask for the %s subprotocol (Sec-WebSocket-Protocol)", subprotocolTransportWS)
		return
	}
	serveWS(w, r, exec, t.r)
}

// legacyTransport is gqlgen's WebSocket transport for the graphql-ws subprotocol only.
type legacyTransport struct{ graphql.Transport }

func (t legacyTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" && legacyWS(r)
}
