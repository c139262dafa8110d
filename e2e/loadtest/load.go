package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// request makes the body and bearer token of the next request. ok is false when there is
// nothing left to send (acceptInvite has run out of seeded invites).
type request func() (body []byte, token string, ok bool)

// result is what one scenario at one concurrency measured.
type result struct {
	Requests  int
	Failures  int // HTTP status other than 200, or a GraphQL error in the body
	Elapsed   time.Duration
	Latencies []time.Duration // of the successful requests, sorted
	FirstFail string          // the first failure's status and body, shortened
	RanOut    bool            // the request source ran out before the time was up
}

// merge adds o's requests, failures, time and latencies to r's.
func (r result) merge(o result) result {
	r.Requests += o.Requests
	r.Failures += o.Failures
	r.Elapsed += o.Elapsed
	r.Latencies = append(r.Latencies, o.Latencies...)
	slices.Sort(r.Latencies)
	r.FirstFail = cmp.Or(r.FirstFail, o.FirstFail)
	r.RanOut = r.RanOut || o.RanOut
	return r
}

func (r result) PerSecond() float64 { return float64(r.Requests-r.Failures) / r.Elapsed.Seconds() }

// Percentile returns the latency below which p percent of the successful requests finished
// (nearest rank), or 0 with none.
func (r result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	rank := int(float64(len(r.Latencies))*p/100+0.999999) - 1
	return r.Latencies[max(0, min(rank, len(r.Latencies)-1))]
}

// drive sends POST requests to url from conns workers, each sending its next request as soon
// as the last one is answered (a closed loop, as wrk does), for d. Requests in flight at the
// end are waited for, not cancelled: a cancelled query makes pgx close its connection, and
// the next scenario would measure the server opening new ones.
func drive(ctx context.Context, client *http.Client, url string, conns int, d time.Duration, next request) result {
	var (
		mu  sync.Mutex
		res result
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			requests, failures := 0, 0
			firstFail, ranOut := "", false
			for ctx.Err() == nil && time.Now().Before(deadline) {
				body, token, ok := next()
				if !ok {
					ranOut = true
					break
				}
				t0 := time.Now()
				status, answer, err := post(ctx, client, url, body, token)
				took := time.Since(t0)
				if ctx.Err() != nil {
					break // interrupted: the run ends without figures
				}
				requests++
				if err != nil || status != http.StatusOK || bytes.Contains(answer, []byte(`"errors"`)) {
					failures++
					if firstFail == "" {
						firstFail = fmt.Sprintf("%d %v %.300s", status, err, answer)
					}
					continue
				}
				lat = append(lat, took)
			}
			mu.Lock()
			defer mu.Unlock()
			res.Requests += requests
			res.Failures += failures
			res.Latencies = append(res.Latencies, lat...)
			if res.FirstFail == "" {
				res.FirstFail = firstFail
			}
			res.RanOut = res.RanOut || ranOut
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	slices.Sort(res.Latencies)
	return res
}

func post(ctx context.Context, client *http.Client, url string, body []byte, token string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, err
}

// newClient keeps one connection per worker open, as a load generator's connections are.
func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     time.Minute,
		},
	}
}
