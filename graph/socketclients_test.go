package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	coderws "github.com/coder/websocket"
)

// The clients of the socket benchmarks (fanout_socket_bench_test.go), in a process of their
// own: the test binary run again with socketClientsEnv set, so that the server's resident set
// is the server's alone. It opens its clients, each subscribed to a project's invites, says
// "open" on stdout, then writes a line for each delivery ("next <unix ns>") and for each end
// ("end <why>"), until its stdin closes.

// socketClientsEnv names the kind of clients to run ("ws" or "sse"); the rest of the
// settings are in the variables named after it.
const socketClientsEnv = "INVITES_SOCKET_CLIENTS"

// socketClientsSettings is what the parent tells its clients.
type socketClientsSettings struct {
	Kind    string // "ws": graphql-transport-ws; "sse": graphql-sse, distinct connections
	URL     string // http://host/graphql
	Token   string
	Project string
	N       int
}

func (s socketClientsSettings) env() []string {
	return []string{
		socketClientsEnv + "=" + s.Kind, socketClientsEnv + "_URL=" + s.URL, socketClientsEnv + "_TOKEN=" + s.Token,
		socketClientsEnv + "_PROJECT=" + s.Project, socketClientsEnv + "_N=" + strconv.Itoa(s.N),
	}
}

// socketQuery is the subscription every client runs.
const socketQuery = `subscription($p: ID!) { inviteChanged(projectId: $p) { id email status } }`

// runSocketClients is the child process's main: its exit status.
func runSocketClients() int {
	s := socketClientsSettings{
		Kind: os.Getenv(socketClientsEnv), URL: os.Getenv(socketClientsEnv + "_URL"),
		Token: os.Getenv(socketClientsEnv + "_TOKEN"), Project: os.Getenv(socketClientsEnv + "_PROJECT"),
	}
	s.N, _ = strconv.Atoi(os.Getenv(socketClientsEnv + "_N"))
	out := &lineWriter{w: bufio.NewWriter(os.Stdout)}
	open := openWSClient
	if s.Kind == "sse" {
		open = openSSEClient
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := openAll(ctx, s, open, out); err != nil {
		out.line("fail " + err.Error())
		return 1
	}
	out.line("open")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent is done
	return 0
}

// openAll opens s.N clients, a few at a time (a server's accept queue is finite).
func openAll(ctx context.Context, s socketClientsSettings, open func(context.Context, socketClientsSettings, *lineWriter) error, out *lineWriter) error {
	sem := make(chan struct{}, 16)
	errs := make(chan error, s.N)
	var wg sync.WaitGroup
	for range s.N {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := open(ctx, s, out); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when none failed
}

// lineWriter writes whole lines from many goroutines.
type lineWriter struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func (l *lineWriter) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.WriteString(s + "\n")
	l.w.Flush()
}

func (l *lineWriter) delivered() { l.line("next " + strconv.FormatInt(time.Now().UnixNano(), 10)) }

// openWSClient opens a graphql-transport-ws socket, initialises it and subscribes; a
// goroutine then reads it.
func openWSClient(ctx context.Context, s socketClientsSettings, out *lineWriter) error {
	url := "ws" + strings.TrimPrefix(s.URL, "http")
	c, _, err := coderws.Dial(ctx, url, &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return err
	}
	c.SetReadLimit(1 << 20)
	vars, _ := json.Marshal(map[string]string{"p": s.Project})
	q, _ := json.Marshal(socketQuery)
	for _, m := range []string{
		`{"type":"connection_init","payload":{"Authorization":"Bearer ` + s.Token + `"}}`,
		`{"type":"subscribe","id":"1","payload":{"query":` + string(q) + `,"variables":` + string(vars) + `}}`,
	} {
		if err := c.Write(ctx, coderws.MessageText, []byte(m)); err != nil {
			return err
		}
	}
	go readWS(ctx, c, out)
	return nil
}

func readWS(ctx context.Context, c *coderws.Conn, out *lineWriter) {
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			out.line("end " + err.Error())
			return
		}
		var m struct{ Type string }
		_ = json.Unmarshal(b, &m)
		switch m.Type {
		case "next":
			out.delivered()
		case "ping":
			_ = c.Write(ctx, coderws.MessageText, []byte(`{"type":"pong"}`))
		case "error", "complete":
			out.line("end " + string(b))
		}
	}
}

// sseClient makes every SSE request on a connection of its own.
var sseClient = &http.Client{Transport: &http.Transport{DisableCompression: true, MaxConnsPerHost: 0}}

// openSSEClient opens a graphql-sse stream (distinct connections mode); a goroutine then
// reads it.
func openSSEClient(ctx context.Context, s socketClientsSettings, out *lineWriter) error {
	body, _ := json.Marshal(map[string]any{"query": socketQuery, "variables": map[string]string{"p": s.Project}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err := sseClient.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return fmt.Errorf("SSE request: %s", resp.Status)
	}
	go readSSE(resp.Body, out)
	return nil
}

func readSSE(body io.ReadCloser, out *lineWriter) {
	defer body.Close()
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		switch sc.Text() {
		case "event: next":
			out.delivered()
		case "event: complete":
			out.line("end complete")
		}
	}
	out.line("end stream closed")
}
