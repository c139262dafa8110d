package graph_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/app"
	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/pgtest"
)

// The live fan-out over real sockets (SPEC §18, issue 25): the server behind an HTTP server
// on loopback, its subscribers real graphql-transport-ws sockets or graphql-sse streams
// opened by another process (socketclients_test.go), so that the resident set measured is
// the server's alone, transport included.

// socketWait bounds the waits for the clients: opening 10,000 sockets on a busy machine.
const socketWait = 5 * time.Minute

// socketServer is a replica: the GraphQL handler with live updates behind an HTTP server,
// fed by the database's notifications, and a project's owner.
type socketServer struct {
	url            string // http://.../graphql
	hub            *live.Hub
	h              http.Handler
	owner, project string
}

func newSocketServer(b *testing.B) socketServer {
	b.Helper()
	cfg := config.Default()
	cfg.Domain.AppURL = "https://app.example"
	cfg.Domain.SignUpClientLimit = 0
	// Every client is one user at one address: the caps per user and address are not what
	// is measured.
	cfg.GraphQL.Live.ConnectionsPerUser = 1 << 20
	cfg.GraphQL.Live.ConnectionsPerAddress = 1 << 20
	hub := live.NewHub(cfg.GraphQL.Live.Buffer)
	b.Cleanup(hub.Close)
	tt := &testing.T{} // as the other benchmarks set up
	h := newServices(tt, pgtest.DB(b), cfg, app.Options{}).GraphQL(hub)
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	listenInto(b, hub)
	owner := signUpVerified(tt, h, uniqueEmail("socket-owner"))
	var d struct{ CreateProject struct{ ID string } }
	gql(b, h, owner, `mutation { createProject(input: {name: "Sockets"}) { id } }`, nil, &d)
	return socketServer{url: srv.URL + "/graphql", hub: hub, h: h, owner: owner, project: d.CreateProject.ID}
}

// socketClients is the clients' process: its lines, after "open".
type socketClients struct {
	lines chan string
	stop  func() // ends the clients' process and waits until the hub has none
}

// startClients starts n clients of kind ("ws", "sse") of s's project and waits until the
// hub has them all; they end with stop, or with the benchmark.
func (s socketServer) startClients(b *testing.B, kind string, n int) socketClients {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	settings := socketClientsSettings{Kind: kind, URL: s.url, Token: s.owner, Project: s.project, N: n}
	cmd.Env = append(os.Environ(), settings.env()...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var once sync.Once
	c := socketClients{lines: make(chan string, 4*n), stop: func() {
		once.Do(func() {
			stdin.Close()
			_ = cmd.Wait()
			waitHub(b, s.hub, 0)
		})
	}}
	b.Cleanup(c.stop)
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	if line := c.next(b); line != "open" {
		b.Fatalf("the clients: %s", line)
	}
	waitHub(b, s.hub, n)
	return c
}

// next is the clients' next line.
func (c socketClients) next(b *testing.B) string {
	b.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok {
			b.Fatal("the clients' process ended")
		}
		return line
	case <-time.After(socketWait):
		b.Fatalf("no word from the clients after %s", socketWait)
		return ""
	}
}

// waitHub waits until hub has n subscribers.
func waitHub(b *testing.B, hub *live.Hub, n int) {
	b.Helper()
	deadline := time.Now().Add(socketWait)
	for hub.Subscribers() != n {
		if time.Now().After(deadline) {
			b.Fatalf("%d subscribers, want %d", hub.Subscribers(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func BenchmarkFanOutSockets_WS10000Idle(b *testing.B)  { benchSocketsIdle(b, "ws", 10000) }
func BenchmarkFanOutSockets_SSE10000Idle(b *testing.B) { benchSocketsIdle(b, "sse", 10000) }

// benchSocketsIdle: n idle subscribers of one project, each a socket (or SSE stream) of its
// own. Reports the heap, the server process's RSS and the goroutines they add, in all and per
// subscriber (and the goroutine stacks among them), and the process's RSS then: the first
// iteration's, before later ones reuse its memory. With INVITES_BENCH_PROFILES set to a
// directory, the heap and goroutine profiles with the subscribers open are written there
// (kind.heap.pprof, kind.goroutine.pprof: go tool pprof -top graph.test ws.heap.pprof).
func benchSocketsIdle(b *testing.B, kind string, n int) {
	for i := range b.N {
		s := newSocketServer(b)
		// What an earlier benchmark of the process left resident would otherwise be
		// reused, not added, by these subscribers.
		debug.FreeOSMemory()
		heap0, rss0 := memNow()
		g0, stack0 := runtime.NumGoroutine(), stackNow()
		clients := s.startClients(b, kind, n)
		heap1, rss1 := memNow()
		if i == 0 {
			reportIdle(b, n, heap1-heap0, rss1-rss0, rss1)
			b.ReportMetric(float64(runtime.NumGoroutine()-g0)/float64(n), "goroutines/sub")
			b.ReportMetric(float64(stackNow()-stack0)/float64(n)/1024, "stack-KiB/sub")
			writeProfiles(b, kind)
		}
		clients.stop()
	}
}

func BenchmarkFanOutSockets_WS1000Subscribers(b *testing.B)  { benchSocketsDelay(b, "ws", 1000) }
func BenchmarkFanOutSockets_SSE1000Subscribers(b *testing.B) { benchSocketsDelay(b, "sse", 1000) }

// benchSocketsDelay: n subscribers of one project over real sockets; each iteration creates
// an invite through the API (its trigger notifies at commit, the listener publishes) and
// waits until every client has read it. Reports the delay from the mutation's answer to each
// client's read (p50, p99, max over all clients and iterations).
func benchSocketsDelay(b *testing.B, kind string, n int) {
	s := newSocketServer(b)
	clients := s.startClients(b, kind, n)
	f := fanOutFixture{h: s.h, owner: s.owner, project: s.project}
	var delays []time.Duration
	b.ResetTimer()
	for range b.N {
		f.invite(b)
		answered := time.Now()
		for range n {
			line := clients.next(b)
			at, ok := strings.CutPrefix(line, "next ")
			if !ok {
				b.Fatalf("a client: %s", line)
			}
			ns, _ := strconv.ParseInt(at, 10, 64)
			delays = append(delays, max(time.Unix(0, ns).Sub(answered), 0))
		}
	}
	b.StopTimer()
	slices.Sort(delays)
	ms := func(q float64) float64 {
		return float64(delays[min(int(q*float64(len(delays))), len(delays)-1)]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
}

// stackNow is the memory of the goroutine stacks in use.
func stackNow() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.StackInuse
}

// writeProfiles writes the heap and goroutine profiles into INVITES_BENCH_PROFILES, if set.
func writeProfiles(b *testing.B, prefix string) {
	dir := os.Getenv("INVITES_BENCH_PROFILES")
	if dir == "" {
		return
	}
	for _, name := range []string{"heap", "goroutine"} {
		f, err := os.Create(filepath.Join(dir, prefix+"."+name+".pprof"))
		if err != nil {
			b.Fatal(err)
		}
		err = pprof.Lookup(name).WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}
