package graph_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/graph"
	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/live"
	"github.com/invites/invites/internal/pgtest"
)

// listenInto feeds hub from the test database's notifications, as a replica's listener does,
// and waits until it listens.
func listenInto(b *testing.B, hub *live.Hub) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		live.Listen(ctx, pgtest.URL(b), hub, slog.New(slog.NewTextHandler(io.Discard, nil)), func() { ready <- struct{}{} })
	}()
	b.Cleanup(func() { cancel(); <-done })
	select {
	case <-ready:
	case <-time.After(wsWait):
		b.Fatalf("the listener is not listening after %s", wsWait)
	}
}

// BenchmarkFanOut_1000Subscribers: 1,000 subscribers of one project's invites, each read by a
// goroutine as gqlgen's executor reads a subscription's channel; each iteration creates an
// invite through the API (its trigger notifies at commit, the listener publishes) and waits
// until every subscriber has it. Reports the delay from the mutation's answer to each
// delivery (p50, p99, max over all subscribers and iterations) and the fan-out's statements
// per change.
func BenchmarkFanOut_1000Subscribers(b *testing.B) {
	const n = 1000
	f := newFanOutFixture(b)
	listenInto(b, f.hub)
	chans, _ := f.subscribe(b, n)
	var mu sync.Mutex
	var got []time.Time // delivery times of the current iteration
	var wg sync.WaitGroup
	for _, ch := range chans {
		go func() {
			for range ch {
				mu.Lock()
				got = append(got, time.Now())
				mu.Unlock()
				wg.Done()
			}
		}()
	}
	var delays []time.Duration
	statements := 0
	b.ResetTimer()
	for range b.N {
		mu.Lock()
		got = got[:0]
		mu.Unlock()
		f.counter.Reset()
		wg.Add(n)
		f.invite(b)
		answered := time.Now()
		wg.Wait()
		statements += f.counter.Count()
		mu.Lock()
		for _, at := range got {
			delays = append(delays, max(at.Sub(answered), 0))
		}
		mu.Unlock()
	}
	b.StopTimer()
	slices.Sort(delays)
	ms := func(q float64) float64 {
		return float64(delays[min(int(q*float64(len(delays))), len(delays)-1)]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
	b.ReportMetric(float64(statements)/float64(b.N), "statements/change")
}

// BenchmarkFanOut_10000Idle: 10,000 idle subscriptions on one replica, each with the
// goroutine that gqlgen's executor keeps reading its channel. Reports the heap and the
// process's RSS they add, in all and per subscriber (the transport's socket or HTTP stream is
// not included: measure those with make loadtest). The figures are the first iteration's,
// before the later ones reuse its memory.
func BenchmarkFanOut_10000Idle(b *testing.B) {
	const n = 10000
	for i := range b.N {
		f := newFanOutFixture(b)
		heap0, rss0 := memNow()
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range n {
			ch, _, err := subscribeInvitesCtx(ctx, f)
			if err != nil {
				b.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range ch {
				}
			}()
		}
		heap1, rss1 := memNow()
		if i == 0 {
			reportIdle(b, n, heap1-heap0, rss1-rss0, rss1)
		}
		cancel()
		wg.Wait()
	}
}

// reportIdle reports what n idle subscribers added: heap and rss bytes, in a process of total.
func reportIdle(b *testing.B, n int, heap, rss, total uint64) {
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(rss)/(1<<20), "rss-MiB")
	b.ReportMetric(float64(heap)/float64(n)/1024, "heap-KiB/sub")
	b.ReportMetric(float64(rss)/float64(n)/1024, "rss-KiB/sub")
	b.ReportMetric(float64(total)/(1<<20), "process-rss-MiB")
}

// memNow is the heap in use after a collection and the process's resident set.
func memNow() (heap, rss uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			rss = kib << 10
		}
	}
	return m.HeapInuse, rss
}

// subscribeInvitesCtx subscribes f's owner to f's project's invites until ctx ends.
func subscribeInvitesCtx(ctx context.Context, f fanOutFixture) (<-chan *invites.Invite, func() string, error) {
	return graph.SubscribeInvites(ctx, f.r, f.owner, f.project)
}
