package graph

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
)

// The opening handshake of RFC 6455 (section 4.2), the server's side, for the
// graphql-transport-ws subprotocol.

// wsGUID is the key RFC 6455 appends to the client's Sec-WebSocket-Key.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// acceptWS checks r's handshake and switches the connection to WebSocket: the connection,
// and the bytes the client sent after its handshake that the HTTP server had read already.
// A refused handshake has been answered.
func acceptWS(w http.ResponseWriter, r *http.Request) (net.Conn, []byte, bool) {
	if status, msg := checkHandshake(r); status != 0 {
		if status == http.StatusUpgradeRequired {
			w.Header().Set("Connection", "Upgrade")
			w.Header().Set("Upgrade", "websocket")
		}
		if status == http.StatusBadRequest {
			w.Header().Set("Sec-WebSocket-Version", "13")
		}
		http.Error(w, "WebSocket protocol violation: "+msg, status)
		return nil, nil, false
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "WebSocket: the connection cannot be taken over: "+err.Error(), http.StatusNotImplemented)
		return nil, nil, false
	}
	var early []byte
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		early = bytes.Clone(b)
	}
	// The server's reader and writer (4 KiB each) are not kept: the socket borrows a reader
	// only while it reads, and writes each frame in one write.
	sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + wsGUID))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(sum[:]) + "\r\n" +
		"Sec-WebSocket-Protocol: " + subprotocolTransportWS + "\r\n\r\n"
	if err := writeWithin(conn, []byte(resp)); err != nil {
		conn.Close()
		return nil, nil, false
	}
	return conn, early, true
}

// checkHandshake is the status and reason that refuse r's handshake; 0 if it is valid.
func checkHandshake(r *http.Request) (int, string) {
	switch {
	case r.Method != http.MethodGet:
		return http.StatusMethodNotAllowed, "the handshake must be a GET"
	case !headerHasToken(r.Header, "Connection", "upgrade"):
		return http.StatusUpgradeRequired, "the Connection header must contain Upgrade"
	case !headerHasToken(r.Header, "Upgrade", "websocket"):
		return http.StatusUpgradeRequired, "the Upgrade header must contain websocket"
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return http.StatusBadRequest, "Sec-WebSocket-Version must be 13"
	}
	key, err := base64.StdEncoding.DecodeString(r.Header.Get("Sec-WebSocket-Key"))
	if err != nil || len(key) != 16 {
		return http.StatusBadRequest, "Sec-WebSocket-Key must be 16 bytes in base64"
	}
	return 0, ""
}

// headerHasToken reports whether a comma-separated header of h has token, in any case.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
