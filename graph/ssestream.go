package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// A graphql-sse stream (distinct connections mode) of the fan-out, served as a WebSocket is
// (wsconn.go, wsop.go): once the subscription has joined the fan-out, the connection is
// hijacked and the handler returns, so that the HTTP server lets go of the request's state,
// buffers and deep goroutine stack; the stream's events are written when the fan-out writes
// to it (pull), its keep-alive is a timer, and one goroutine with a shallow stack waits for
// the client to close the connection. The answer is HTTP/1.1's, its body delimited by the
// connection's close. Everything else (HTTP/2, a body that is not a request, queries,
// subscriptions refused at once) is served in the handler, as gqlgen's transport serves it.

// Do serves the stream, telling a subscriber the fan-out dropped why (fanout.go).
func (t sse) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	exec = withCloseReason(exec)
	body, err := io.ReadAll(r.Body)
	params := &graphql.RawParams{Headers: r.Header}
	params.ReadTime.Start = graphql.Now()
	if err != nil || r.ProtoMajor != 1 || decodeParams(body, params) != "" {
		r.Body = io.NopCloser(bytes.NewReader(body))
		t.SSE.Do(w, r, exec) // answers what is wrong with the request its way
		return
	}
	params.ReadTime.End = graphql.Now()
	rc, errs := exec.CreateOperationContext(r.Context(), params)
	opCtx := graphql.WithOperationContext(r.Context(), rc)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	if errs != nil {
		only := graphql.OneShot(exec.DispatchError(opCtx, errs))
		writeSSE(w, func() *graphql.Response { return only(opCtx) })
		return
	}
	// The operation's context outlives the handler should the stream be hijacked; until
	// then it ends with the request's.
	ctx, cancel := context.WithCancel(context.WithoutCancel(opCtx))
	stop := context.AfterFunc(r.Context(), cancel)
	ctx, hook := withStreamHook(ctx)
	s := &sseStream{cancel: cancel, every: t.KeepAlivePingInterval}
	hook.ready = s.pull.ready
	responses, ctx := exec.DispatchOperation(ctx, rc)
	if rc.Operation.Operation != ast.Subscription || !hook.isAttached() || !s.hijack(w, r, stop) {
		writeSSE(w, func() *graphql.Response { return responses(ctx) })
		stop()
		cancel()
		return
	}
	s.pull.start(func() bool { return s.next(responses(ctx)) })
}

// writeSSE writes a whole stream in the handler: ":" to open it, each result of next until
// nil, then complete.
func writeSSE(w http.ResponseWriter, next func() *graphql.Response) {
	rc := http.NewResponseController(w)
	io.WriteString(w, ":\n\n")
	_ = rc.Flush()
	for resp := next(); resp != nil; resp = next() {
		w.Write(sseEvent(resp))
		_ = rc.Flush()
	}
	io.WriteString(w, "event: complete\n\n")
}

// sseEvent is a result as graphql-sse's next event.
func sseEvent(resp *graphql.Response) []byte {
	b, err := json.Marshal(resp)
	if err != nil {
		panic(err)
	}
	return append(append([]byte("event: next\ndata: "), b...), "\n\n"...)
}

// sseStream is a hijacked stream of the fan-out.
type sseStream struct {
	cancel      context.CancelFunc // ends the operation
	every       time.Duration      // LIVE_KEEPALIVE
	releaseAddr func()
	pull        pull

	mu        sync.Mutex
	conn      net.Conn
	keepAlive *time.Timer
	closed    bool
}

// hijack takes the connection over and writes the answer's head; false where it cannot (the
// handler then serves the stream).
func (s *sseStream) hijack(w http.ResponseWriter, r *http.Request, stop func() bool) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	stop()
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	w.Header().Set("Connection", "close")
	_ = w.Header().Write(&head)
	head.WriteString("\r\n:\n\n")
	s.mu.Lock()
	s.conn = conn
	s.releaseAddr = takeAddrPlace(r.Context())
	if s.every > 0 {
		s.keepAlive = time.AfterFunc(s.every, s.ping)
	}
	s.mu.Unlock()
	s.write(head.Bytes())
	go s.awaitClose()
	return true
}

// awaitClose ends the stream when the client closes its connection (it sends nothing after
// its request).
func (s *sseStream) awaitClose() {
	var b [1]byte
	_, _ = s.conn.Read(b[:])
	s.close()
}

// next sends resp as a next event, or, once the stream is over (resp nil), complete.
func (s *sseStream) next(resp *graphql.Response) bool {
	if resp == nil {
		s.write([]byte("event: complete\n\n"))
		s.close()
		return false
	}
	s.write(sseEvent(resp))
	return true
}

func (s *sseStream) ping() {
	s.write([]byte(": ping\n\n"))
}

// write sends b within wsWriteTimeout, and re-arms the keep-alive; a failed write ends the
// stream.
func (s *sseStream) write(b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	_ = s.conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
	if _, err := s.conn.Write(b); err != nil {
		s.closeLocked()
		return
	}
	if s.keepAlive != nil {
		s.keepAlive.Reset(s.every)
	}
}

func (s *sseStream) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeLocked()
}

// closeLocked ends the operation and closes the connection, once (s.mu held).
func (s *sseStream) closeLocked() {
	if s.closed {
		return
	}
	s.closed = true
	if s.keepAlive != nil {
		s.keepAlive.Stop()
	}
	s.cancel()
	_ = s.conn.Close()
	s.releaseAddr()
}
