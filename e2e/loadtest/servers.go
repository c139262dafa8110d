package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// process is a server this program started, with its output in a log file.
type process struct {
	name    string
	base    string // http://127.0.0.1:port
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{}
}

// start runs cmd with its output in dir/name.log, on the loopback port given in its
// environment or arguments by the caller.
func start(name, base, dir string, cmd *exec.Cmd) (*process, error) {
	p := &process{name: name, base: base, cmd: cmd, logPath: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	logFile, err := os.Create(p.logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own copy
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// waitReady polls path (GET) or, when body is set, POSTs it as GraphQL, until a 200 answer.
func (p *process) waitReady(ctx context.Context, path string, body []byte, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var resp *http.Response
		var err error
		if body == nil {
			resp, err = http.Get(p.base + path)
		} else {
			resp, err = http.Post(p.base+path, "application/json", bytes.NewReader(body))
		}
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready:\n%s", p.name, p.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s:\n%s", p.name, timeout, p.logTail())
		}
	}
}

// stop sends SIGTERM and waits up to 30s, then kills.
func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

func (p *process) logTail() string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// freePort returns a loopback address nothing listens on at the moment.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
