package graph

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
)

// The buffers of a graphql-transport-ws socket. On a hijack the HTTP server hands over its
// connection's 4 KiB reader and 4 KiB writer, which the socket would keep for its life: most
// of an idle socket's memory. The client's messages are small (pings, subscribes) and the
// server's a few hundred bytes (a next of one item); a larger message passes through a small
// buffer in pieces, at the cost of a write or two more. The reader's buffer holds a frame's
// header and a small message: a read longer than the buffer goes to the connection directly
// (bufio), so 128 bytes serve as well as 512 did, at 384 bytes less per socket.
const (
	wsReadBuffer  = 128
	wsWriteBuffer = 1024
)

// lightHijack is a ResponseWriter whose Hijack gives the connection with buffers of
// wsReadBuffer and wsWriteBuffer bytes instead of the HTTP server's.
type lightHijack struct{ http.ResponseWriter }

func (w lightHijack) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w lightHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if n := brw.Reader.Buffered(); n > 0 {
		// Bytes the client sent after its handshake, already read from the connection:
		// they are read first.
		early, _ := brw.Reader.Peek(n)
		conn = &earlyConn{Conn: conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn)}
	}
	return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, wsReadBuffer), bufio.NewWriterSize(conn, wsWriteBuffer)), nil
}

// earlyConn is a connection whose first bytes were read already.
type earlyConn struct {
	net.Conn
	r io.Reader
}

func (c *earlyConn) Read(p []byte) (int, error) { return c.r.Read(p) }
