package graph_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
)

// RFC 6455 itself, through the server's own codec (graph/wsframe.go), with a raw client that
// writes the frames a library would refuse to: each error of the protocol is answered with
// its close code; fragments, pings and the close handshake work. Each case runs on a plain
// server, whose sockets are polled, and on a TLS one, whose sockets are read by a goroutine.

// rawWS is a client of raw frames.
type rawWS struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
}

// rawDial opens a graphql-transport-ws socket to s by hand; first, if any, is sent in the
// same write as the handshake (bytes the server reads with the request).
func rawDial(t *testing.T, s wsServer, first []byte) *rawWS {
	t.Helper()
	host, path, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(s.url, "wss://"), "ws://"), "/")
	var conn net.Conn
	var err error
	if strings.HasPrefix(s.url, "wss://") {
		conn, err = tls.Dial("tcp", host, &tls.Config{InsecureSkipVerify: true})
	} else {
		conn, err = net.Dial("tcp", host)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req := "GET /" + path + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
	if _, err := conn.Write(append([]byte(req), first...)); err != nil {
		t.Fatal(err)
	}
	c := &rawWS{t: t, conn: conn, br: bufio.NewReader(conn)}
	_ = conn.SetReadDeadline(time.Now().Add(wsWait))
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The accept key of RFC 6455's own example (section 1.3).
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" ||
		resp.Header.Get("Sec-WebSocket-Protocol") != "graphql-transport-ws" {
		t.Fatalf("handshake: %s %v", resp.Status, resp.Header)
	}
	return c
}

// rawFrame is a client's frame: masked unless unmasked, with header byte 0's flags as given
// (fin 0x80, a reserved bit 0x40) and length the payload's unless claimed.
type rawFrame struct {
	b0       byte // fin, reserved bits and opcode
	payload  []byte
	unmasked bool
	claimed  int64 // > 0: the length the header claims, without a payload
}

func (f rawFrame) bytes() []byte {
	n := int64(len(f.payload))
	if f.claimed > 0 {
		n = f.claimed
	}
	mask := byte(0x80)
	if f.unmasked {
		mask = 0
	}
	b := []byte{f.b0}
	switch {
	case n < 126:
		b = append(b, mask|byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, mask|126), uint16(n))
	default:
		b = binary.BigEndian.AppendUint64(append(b, mask|127), uint64(n))
	}
	if f.unmasked {
		return append(b, f.payload...)
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	b = append(b, key[:]...)
	for i, c := range f.payload {
		b = append(b, c^key[i&3])
	}
	return b
}

func (c *rawWS) send(frames ...rawFrame) {
	c.t.Helper()
	var b []byte
	for _, f := range frames {
		b = append(b, f.bytes()...)
	}
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// read reads the server's next frame: one frame, unmasked, as a server's must be.
func (c *rawWS) read() (op byte, payload []byte) {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(wsWait))
	var h [2]byte
	if _, err := io.ReadFull(c.br, h[:]); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	if h[0]&0xf0 != 0x80 || h[1]&0x80 != 0 {
		c.t.Fatalf("frame header %x: want one final, unmasked frame", h)
	}
	n := int(h[1] & 0x7f)
	if n >= 126 {
		ext := make([]byte, map[bool]int{true: 2, false: 8}[n == 126])
		io.ReadFull(c.br, ext)
		n = int(binary.BigEndian.Uint16(ext[len(ext)-2:]))
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(c.br, payload); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return h[0] & 0x0f, payload
}

// wantClose reads until the server's close frame, checks its code, and that the server then
// closes the connection.
func (c *rawWS) wantClose(code int) {
	c.t.Helper()
	for {
		op, p := c.read()
		if op != 0x8 {
			continue
		}
		if len(p) < 2 || int(binary.BigEndian.Uint16(p)) != code {
			c.t.Fatalf("close frame %q: want code %d", p, code)
		}
		break
	}
	c.wantEOF()
}

func (c *rawWS) wantEOF() {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(wsWait))
	if _, err := c.br.ReadByte(); !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !isReset(err) {
		c.t.Fatalf("after the close: %v, want the connection closed", err)
	}
}

func isReset(err error) bool { return err != nil && strings.Contains(err.Error(), "reset by peer") }

const (
	fin     = 0x80
	rsv1    = 0x40
	opCont  = 0x0
	opTxt   = 0x1
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xA
)

func text(s string) rawFrame { return rawFrame{b0: fin | opTxt, payload: []byte(s)} }

func TestWebSocket_RFC6455(t *testing.T) {
	for _, tc := range []struct{ name, url string }{{"polled", "ws"}, {"TLS, a goroutine", "wss"}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newWSServerOn(t, nil, tc.url == "wss")
			testRFC6455Errors(t, s)
			testRFC6455Exchanges(t, s)
		})
	}
}

// testRFC6455Errors: each frame no client may send closes the socket with its code.
func testRFC6455Errors(t *testing.T, s wsServer) {
	closeWith := func(code uint16, reason string) []byte {
		return append(binary.BigEndian.AppendUint16(nil, code), reason...)
	}
	for _, tc := range []struct {
		name   string
		frames []rawFrame
		code   int
	}{
		{"an unmasked frame", []rawFrame{{b0: fin | opTxt, payload: []byte(`{"type":"ping"}`), unmasked: true}}, 1002},
		{"an unknown opcode", []rawFrame{{b0: fin | 0x3, payload: []byte("x")}}, 1002},
		{"a reserved bit set", []rawFrame{{b0: fin | rsv1 | opTxt, payload: []byte(`{"type":"ping"}`)}}, 1002},
		{"a control frame over 125 bytes", []rawFrame{{b0: fin | opPing, payload: bytes.Repeat([]byte("p"), 126)}}, 1002},
		{"a fragmented control frame", []rawFrame{{b0: opPing, payload: []byte("p")}}, 1002},
		{"a continuation without a message", []rawFrame{{b0: fin | opCont, payload: []byte("x")}}, 1002},
		{"a new message inside a fragmented one", []rawFrame{{b0: opTxt, payload: []byte("{")}, text("{}")}, 1002},
		{"a text that is not UTF-8", []rawFrame{text("{\"type\":\"\xff\"}")}, 1007},
		{"a message over 1 MiB", []rawFrame{{b0: fin | opTxt, claimed: 1<<20 + 1}}, 1009},
		{"fragments over 1 MiB", []rawFrame{{b0: opTxt, payload: bytes.Repeat([]byte(" "), 1<<19)}, {b0: fin | opCont, claimed: 1<<19 + 1}}, 1009},
		{"a close frame of one byte", []rawFrame{{b0: fin | opClose, payload: []byte{3}}}, 1002},
		{"a close code no peer may send", []rawFrame{{b0: fin | opClose, payload: closeWith(1005, "")}}, 1002},
		{"a close reason that is not UTF-8", []rawFrame{{b0: fin | opClose, payload: closeWith(1000, "\xff")}}, 1007},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := rawDial(t, s, nil)
			c.send(tc.frames...)
			c.wantClose(tc.code)
		})
	}
}

// testRFC6455Exchanges: pings, fragments, the client's close, and bytes sent with the
// handshake.
func testRFC6455Exchanges(t *testing.T, s wsServer) {
	t.Run("a ping is answered with its payload", func(t *testing.T) {
		c := rawDial(t, s, nil)
		c.send(rawFrame{b0: fin | opPing, payload: []byte("hello")})
		if op, p := c.read(); op != opPong || string(p) != "hello" {
			t.Fatalf("frame %#x %q, want pong hello", op, p)
		}
	})
	t.Run("fragments reassembled, a ping between them", func(t *testing.T) {
		c := rawDial(t, s, nil)
		c.send(rawFrame{b0: opTxt, payload: []byte(`{"type":`)}, rawFrame{b0: fin | opPing, payload: []byte("mid")},
			rawFrame{b0: opCont, payload: []byte(`"connection`)}, rawFrame{b0: fin | opCont, payload: []byte(`_init"}`)})
		if op, p := c.read(); op != opPong || string(p) != "mid" {
			t.Fatalf("frame %#x %q, want pong mid", op, p)
		}
		if op, p := c.read(); op != opTxt || string(p) != `{"type":"connection_ack"}` {
			t.Fatalf("frame %#x %q, want connection_ack", op, p)
		}
	})
	t.Run("the client's close is echoed", func(t *testing.T) {
		c := rawDial(t, s, nil)
		c.send(text(`{"type":"connection_init"}`), rawFrame{b0: fin | opClose, payload: []byte{0x03, 0xe8, 'b', 'y', 'e'}})
		if op, p := c.read(); op != opTxt || !strings.Contains(string(p), "connection_ack") {
			t.Fatalf("frame %#x %q, want connection_ack", op, p)
		}
		c.wantClose(1000)
	})
	t.Run("the server's close, answered", func(t *testing.T) {
		c := rawDial(t, s, nil)
		c.send(text("hello"))
		if op, p := c.read(); op != opClose || binary.BigEndian.Uint16(p) != 4400 {
			t.Fatalf("frame %#x %q, want close 4400", op, p)
		}
		c.send(rawFrame{b0: fin | opClose, payload: p4400()})
		c.wantEOF()
	})
	t.Run("a message sent with the handshake", func(t *testing.T) {
		c := rawDial(t, s, text(`{"type":"connection_init"}`).bytes())
		if op, p := c.read(); op != opTxt || string(p) != `{"type":"connection_ack"}` {
			t.Fatalf("frame %#x %q, want connection_ack", op, p)
		}
	})
}

func p4400() []byte { return binary.BigEndian.AppendUint16(nil, 4400) }

// TestWebSocket_NoGoroutineWhenIdle: idle subscribed sockets on a plain server hold no
// goroutine each (their descriptors are polled), where a TLS socket needs its reader's.
func TestWebSocket_NoGoroutineWhenIdle(t *testing.T) {
	const n = 40
	s := newWSServer(t, func(g *config.GraphQL) { g.Live.ConnectionsPerUser = n })
	token, project := liveProject(t, s.h)
	before := runtime.NumGoroutine()
	for i := range n {
		c := rawDial(t, s, nil)
		c.send(text(`{"type":"connection_init","payload":{"Authorization":"Bearer `+token+`"}}`), text(subscribeMsg("1", project)))
		if op, p := c.read(); op != opTxt || !strings.Contains(string(p), "connection_ack") {
			t.Fatalf("socket %d: %#x %q, want connection_ack", i, op, p)
		}
	}
	waitSubscribers(t, s.hub, n)
	// The goroutines that served the handshakes and messages end soon after.
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine()-before >= n/4 {
		if time.Now().After(deadline) {
			t.Fatalf("%d idle sockets hold %d goroutines, want none each", n, runtime.NumGoroutine()-before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebSocket_TLSFallback: over TLS, where the socket is read by a goroutine, the protocol
// works as on a polled socket: operations, pings, a close code.
func TestWebSocket_TLSFallback(t *testing.T) {
	s := newWSServerOn(t, nil, true)
	token, _ := liveProject(t, s.h)
	c := s.initWS(t, token)
	wsSend(t, c, `{"type":"ping","payload":{"at":1}}`)
	if m := wsRead(t, c); m.Type != "pong" || string(m.Payload) != `{"at":1}` {
		t.Fatalf("ping: %+v, want pong with the payload", m)
	}
	wsSend(t, c, `{"id":"1","type":"subscribe","payload":{"query":"{ me { email } }"}}`)
	if m := wsRead(t, c); m.Type != "next" || !strings.Contains(string(m.Payload), `"email"`) {
		t.Fatalf("me: %+v, want next with the email", m)
	}
	if m := wsRead(t, c); m.Type != "complete" {
		t.Fatalf("after the answer: %+v, want complete", m)
	}
	wsSend(t, c, `{"type":"connection_init"}`)
	wantClose(t, c, 4429, "Too many initialisation requests")
}
