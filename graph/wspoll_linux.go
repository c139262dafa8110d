//go:build linux

package graph

import (
	"errors"
	"log/slog"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// wsPoller watches the idle WebSockets' descriptors with one epoll set and one goroutine for
// the process: a descriptor armed for one event (EPOLLONESHOT), level-triggered, so that a
// socket is read by one worker at a time and bytes left unread arm it again at once.
type wsPoller struct {
	fd int

	mu    sync.Mutex
	socks map[int32]*wsSocket // by the key the epoll event carries
	next  int32
}

// wsPollerOf is the process's poller, started on first use; nil if epoll is unavailable.
var wsPollerOf = sync.OnceValue(func() *wsPoller {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		slog.Warn("websocket: no epoll, one goroutine reads each socket", "error", err)
		return nil
	}
	p := &wsPoller{fd: fd, socks: map[int32]*wsSocket{}}
	go p.run()
	return p
})

// register makes s's descriptor the poller's; false if it cannot be polled (a TLS
// connection, or one that is not a socket of the system's).
func (p *wsPoller) register(s *wsSocket) bool {
	sc, ok := s.conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.next++; p.socks[p.next] != nil || p.next == 0; p.next++ {
	}
	s.poll, s.raw, s.id = p, raw, p.next
	p.socks[s.id] = s
	return true
}

// arm has the poller start a worker for s once it is readable (s.rmu held).
func (p *wsPoller) arm(s *wsSocket) error {
	op := unix.EPOLL_CTL_MOD
	if !s.armed {
		op, s.armed = unix.EPOLL_CTL_ADD, true
	}
	return p.ctl(s, op, unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLONESHOT)
}

// remove forgets s, before its connection closes.
func (p *wsPoller) remove(s *wsSocket) {
	_ = p.ctl(s, unix.EPOLL_CTL_DEL, 0)
	p.mu.Lock()
	delete(p.socks, s.id)
	p.mu.Unlock()
}

// ctl changes s's registration; the descriptor cannot close meanwhile (RawConn.Control).
func (p *wsPoller) ctl(s *wsSocket, op int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: s.id}
	var err error
	if cerr := s.raw.Control(func(fd uintptr) { err = unix.EpollCtl(p.fd, op, int(fd), &ev) }); cerr != nil {
		return cerr
	}
	return err
}

// run starts a worker for each socket that has become readable (or closed).
func (p *wsPoller) run() {
	events := make([]unix.EpollEvent, 256)
	ready := make([]*wsSocket, 0, len(events))
	for {
		n, err := unix.EpollWait(p.fd, events, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			slog.Error("websocket: the poller stops", "error", err)
			return
		}
		p.mu.Lock()
		for _, ev := range events[:n] {
			if s := p.socks[ev.Fd]; s != nil {
				ready = append(ready, s)
			}
		}
		p.mu.Unlock()
		for i, s := range ready {
			go s.readable()
			ready[i] = nil
		}
		ready = ready[:0]
	}
}
