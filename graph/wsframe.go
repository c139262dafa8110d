package graph

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf8"
)

// The frames of RFC 6455, the server's side: a small codec of our own in place of
// coder/websocket's Conn, whose state (its buffers, a goroutine's worth of reader, about
// 3 KiB) every idle socket kept (issue 25). The socket (wssocket.go) reads a message only
// when bytes arrive, with a reader borrowed for that read, and writes a frame in one write;
// between messages it holds no buffer. No extension is negotiated: a frame with a reserved
// bit set is an error.

// The opcodes of RFC 6455, section 5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// The close codes of RFC 6455, section 7.4.1, the socket itself sends.
const (
	closeNormal        = 1000
	closeGoingAway     = 1001
	closeProtocolError = 1002
	closeNoStatus      = 1005 // a close frame without a code: never sent
	closeInvalidData   = 1007
	closeTooBig        = 1009
)

// maxControlPayload is the most bytes a control frame may carry (RFC 6455, 5.5).
const maxControlPayload = 125

// wsFailure fails the connection (RFC 6455, 7.1.7): the close frame's code and reason.
type wsFailure struct {
	code   int
	reason string
}

func (f *wsFailure) Error() string { return fmt.Sprintf("websocket: %d %s", f.code, f.reason) }

func protocolError(reason string) *wsFailure {
	return &wsFailure{code: closeProtocolError, reason: reason}
}

// frameHeader is a client's frame header, checked.
type frameHeader struct {
	fin  bool
	op   byte
	n    int64
	mask [4]byte
}

// readHeader reads and checks a frame's header; a frame no client may send is a failure.
func readHeader(r *bufio.Reader) (h frameHeader, err error) {
	var b [2]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return h, err
	}
	h.fin, h.op, h.n = b[0]&0x80 != 0, b[0]&0x0f, int64(b[1]&0x7f)
	switch {
	case b[0]&0x70 != 0:
		return h, protocolError("reserved bits set: no extension was negotiated")
	case h.op > opBinary && h.op < opClose || h.op > opPong:
		return h, protocolError(fmt.Sprintf("unknown opcode %#x", h.op))
	case b[1]&0x80 == 0:
		return h, protocolError("a client's frame must be masked")
	}
	if h.n >= 126 {
		ext := make([]byte, 2, 8)
		if h.n == 127 {
			ext = ext[:8]
		}
		if _, err := io.ReadFull(r, ext); err != nil {
			return h, err
		}
		if h.n = int64(binary.BigEndian.Uint16(ext)); len(ext) == 8 {
			h.n = int64(binary.BigEndian.Uint64(ext))
		}
		if h.n < 0 {
			return h, protocolError("a frame's length must be under 2^63")
		}
	}
	if h.op >= opClose && (!h.fin || h.n > maxControlPayload) {
		return h, protocolError("a control frame must be one frame of at most 125 bytes")
	}
	_, err = io.ReadFull(r, h.mask[:])
	return h, err
}

// readPayload reads a frame's payload, unmasked.
func readPayload(r *bufio.Reader, h frameHeader) ([]byte, error) {
	p := make([]byte, h.n)
	if _, err := io.ReadFull(r, p); err != nil {
		return nil, err
	}
	for i := range p {
		p[i] ^= h.mask[i&3]
	}
	return p, nil
}

// readMessage reads the client's next data message, its fragments reassembled, and passes
// the control frames before and between them to control. A message over limit bytes fails
// with 1009, a text that is not UTF-8 with 1007.
func readMessage(r *bufio.Reader, limit int64, control func(op byte, p []byte) error) (byte, []byte, error) {
	var op byte
	var msg []byte
	for {
		h, err := readHeader(r)
		if err != nil {
			return 0, nil, err
		}
		if h.op >= opClose {
			p, err := readPayload(r, h)
			if err == nil {
				err = control(h.op, p)
			}
			if err != nil {
				return 0, nil, err
			}
			continue
		}
		if (h.op == opContinuation) != (op != 0) {
			return 0, nil, protocolError("a continuation frame must follow a fragment, and only it")
		}
		if op == 0 {
			op = h.op
		}
		if int64(len(msg))+h.n > limit {
			return 0, nil, &wsFailure{code: closeTooBig, reason: fmt.Sprintf("a message may have at most %d bytes", limit)}
		}
		p, err := readPayload(r, h)
		if err != nil {
			return 0, nil, err
		}
		msg = append(msg, p...)
		if !h.fin {
			continue
		}
		if op == opText && !utf8.Valid(msg) {
			return 0, nil, &wsFailure{code: closeInvalidData, reason: "a text message must be UTF-8"}
		}
		return op, msg, nil
	}
}

// parseClose reads a client's close frame: its code (closeNoStatus if it has none).
func parseClose(p []byte) (int, error) {
	if len(p) == 0 {
		return closeNoStatus, nil
	}
	if len(p) == 1 {
		return 0, protocolError("a close frame's code has two bytes")
	}
	code := int(binary.BigEndian.Uint16(p))
	if !validCloseCode(code) {
		return 0, protocolError(fmt.Sprintf("close code %d may not be sent", code))
	}
	if !utf8.Valid(p[2:]) {
		return 0, &wsFailure{code: closeInvalidData, reason: "a close reason must be UTF-8"}
	}
	return code, nil
}

// validCloseCode reports whether a peer may send code (RFC 6455, 7.4, and IANA's registry).
func validCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	}
	return code >= 3000 && code <= 4999
}

// appendFrameHeader appends a server's header (one frame, unmasked) of a payload of n bytes.
func appendFrameHeader(b []byte, op byte, n int) []byte {
	b = append(b, 0x80|op)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
}

// closePayload is a close frame's payload: code and reason, cut to fit a control frame.
func closePayload(code int, reason string) []byte {
	if code == closeNoStatus {
		return nil
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), truncate(reason, maxCloseReason)...)
}
