package graph

import (
	"bufio"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A WebSocket's transport without a goroutine while it is idle (issue 25): where the
// connection's descriptor can be polled (Linux, a plain TCP connection), it is registered
// with the server's one poller (wspoll_linux.go), and a goroutine lives only while bytes the
// client sent are read and handled (readable). Elsewhere (another OS, a TLS connection) one
// goroutine per socket reads, as before (readLoop). Writes are made by whoever sends, one
// frame in one write under the socket's lock, within wsWriteTimeout.

const (
	// wsFrameTimeout bounds the rest of a message once its first bytes have arrived: a
	// client that stops halfway is dropped rather than holding the reader.
	wsFrameTimeout = 10 * time.Second
	// wsCloseWait is how long the server waits for the client's close frame after its own.
	wsCloseWait = 5 * time.Second
	// wsReadBuffer is the reader borrowed for a read, given back once the client's bytes are
	// read: a small message's size; a longer payload is read into its own slice directly.
	wsReadBuffer = 512
)

// errPeerClosed ends the reading once the client's close frame has been answered.
var errPeerClosed = errors.New("websocket: the client closed the connection")

// wsHandler is what the socket serves: the protocol above it (wsConn).
type wsHandler interface {
	message(op byte, b []byte) // a data message, in order
	ended()                    // the connection is closed: called once
}

// wsSocket is one server's WebSocket connection.
type wsSocket struct {
	conn net.Conn
	h    wsHandler

	// The reader's: one at a time (rmu), a worker of the poller's or readLoop.
	rmu   sync.Mutex
	early []byte          // bytes the HTTP server read past the handshake, read first
	poll  *wsPoller       // nil: read by readLoop
	raw   syscall.RawConn // the polled descriptor
	id    int32           // the poller's key
	armed bool            // the descriptor has been added to the poller's set

	wmu       sync.Mutex
	closeSent bool // the server's close frame has been written: no frame follows
	done      atomic.Bool
}

var wsReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, wsReadBuffer) }}

// start reads the socket from now on: by the poller where it can, else by a goroutine.
func (s *wsSocket) start() {
	p := wsPollerOf()
	if p == nil || !p.register(s) {
		go s.readLoop()
		return
	}
	if len(s.early) > 0 {
		go s.readable() // the early bytes, then arm
		return
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if p.arm(s) != nil {
		s.shut()
	}
}

// Read reads the connection, the early bytes first.
func (s *wsSocket) Read(p []byte) (int, error) {
	if len(s.early) > 0 {
		n := copy(p, s.early)
		s.early = s.early[n:]
		return n, nil
	}
	return s.conn.Read(p)
}

// readable reads and handles what the client has sent, then arms the poller again: a
// worker's, started when the descriptor is readable.
func (s *wsSocket) readable() {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	br := wsReaders.Get().(*bufio.Reader)
	br.Reset(s)
	ok := s.readSome(br, true)
	br.Reset(nil)
	wsReaders.Put(br)
	if ok && s.poll.arm(s) != nil {
		s.shut()
	}
}

// readLoop reads the socket until it ends: where it cannot be polled.
func (s *wsSocket) readLoop() {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	br := bufio.NewReaderSize(s, wsReadBuffer)
	for s.readSome(br, false) {
	}
}

// readSome reads and handles messages until none is left to read (bounded: each within
// wsFrameTimeout); false once the socket has ended.
func (s *wsSocket) readSome(br *bufio.Reader, bounded bool) bool {
	for {
		if bounded {
			_ = s.conn.SetReadDeadline(time.Now().Add(wsFrameTimeout))
		}
		op, b, err := readMessage(br, wsReadLimit, s.control)
		if err != nil {
			s.fail(err)
			return false
		}
		s.h.message(op, b)
		if br.Buffered() == 0 && len(s.early) == 0 {
			if bounded {
				_ = s.conn.SetReadDeadline(time.Time{})
			}
			return !s.done.Load()
		}
	}
}

// control answers a control frame: a ping with a pong of its payload, a close with a close
// of its code (the close handshake, RFC 6455 5.5.1).
func (s *wsSocket) control(op byte, p []byte) error {
	switch op {
	case opPing:
		_ = s.write(opPong, p)
	case opClose:
		code, err := parseClose(p)
		if err != nil {
			return err
		}
		_ = s.write(opClose, closePayload(code, ""))
		return errPeerClosed
	}
	return nil
}

// fail ends the socket after a read's error; a client's frame that breaks RFC 6455 is
// answered with its close code first. The frames after it cannot be read, and closing a
// connection with bytes unread would reset it, the close frame perhaps lost: the server
// closes its side, discards what the client still sends until it closes too, within
// wsCloseWait, and then closes the connection (the reader's goroutine, a moment longer).
func (s *wsSocket) fail(err error) {
	f, ok := errors.AsType[*wsFailure](err)
	if ok && s.write(opClose, closePayload(f.code, f.reason)) == nil {
		if cw, ok := s.conn.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
			_ = s.conn.SetReadDeadline(time.Now().Add(wsCloseWait))
			_, _ = io.Copy(io.Discard, s.conn)
		}
	}
	s.shut()
}

// closeWith starts the close handshake: the server's close frame, then the connection
// closed when the client's close frame comes, or after wsCloseWait.
func (s *wsSocket) closeWith(code int, reason string) {
	if s.write(opClose, closePayload(code, reason)) == nil {
		time.AfterFunc(wsCloseWait, s.shut)
	}
}

// write sends one frame within wsWriteTimeout; a failed write ends the socket.
func (s *wsSocket) write(op byte, p []byte) error {
	s.wmu.Lock()
	if s.closeSent || s.done.Load() {
		s.wmu.Unlock()
		return net.ErrClosed
	}
	s.closeSent = op == opClose
	// One buffer, not a writev of two: the connection would keep writev's vector for its life.
	frame := append(appendFrameHeader(make([]byte, 0, 10+len(p)), op, len(p)), p...)
	err := writeWithin(s.conn, frame)
	s.wmu.Unlock()
	if err != nil {
		s.shut()
	}
	return err
}

// writeWithin writes b to conn within wsWriteTimeout.
func writeWithin(conn net.Conn, b []byte) error {
	_ = conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
	_, err := conn.Write(b)
	return err
}

// shut closes the connection, once, and tells the handler.
func (s *wsSocket) shut() {
	if !s.done.CompareAndSwap(false, true) {
		return
	}
	if s.poll != nil {
		s.poll.remove(s)
	}
	_ = s.conn.Close()
	s.h.ended()
}
