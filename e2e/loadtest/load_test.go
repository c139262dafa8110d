package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestResultPercentile(t *testing.T) {
	r := result{}
	for i := 1; i <= 200; i++ {
		r.Latencies = append(r.Latencies, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 100 * time.Millisecond}, {99, 198 * time.Millisecond}, {100, 200 * time.Millisecond}, {0, time.Millisecond}} {
		if got := r.Percentile(tc.p); got != tc.want {
			t.Errorf("p%v = %s, want %s", tc.p, got, tc.want)
		}
	}
	if got := (result{}).Percentile(50); got != 0 {
		t.Errorf("p50 of nothing = %s, want 0", got)
	}
}

// TestDrive serves every third request with a GraphQL error and every fifth with a 500, and
// checks that drive counts them as failures, times only the rest, and stops when the request
// source runs out.
func TestDrive(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
		}
		switch n := served.Add(1); {
		case n%5 == 0:
			w.WriteHeader(http.StatusInternalServerError)
		case n%3 == 0:
			w.Write([]byte(`{"errors":[{"message":"no"}],"data":null}`))
		default:
			w.Write([]byte(`{"data":{"ok":true}}`))
		}
	}))
	defer srv.Close()

	var sent atomic.Int64
	next := func() ([]byte, string, bool) {
		if sent.Add(1) > 300 {
			return nil, "", false
		}
		return []byte(`{"query":"{ ok }"}`), "tok", true
	}
	r := drive(context.Background(), newClient(4), srv.URL, 4, 30*time.Second, next)
	if r.Requests != 300 || !r.RanOut {
		t.Fatalf("requests %d, ran out %v; want 300 and true", r.Requests, r.RanOut)
	}
	// Of 1..300: 60 multiples of 5, and 100 multiples of 3 of which 20 are also of 5.
	if r.Failures != 140 || len(r.Latencies) != 160 {
		t.Errorf("failures %d, timed %d; want 140 and 160", r.Failures, len(r.Latencies))
	}
	if !strings.HasPrefix(r.FirstFail, "500") && !strings.Contains(r.FirstFail, `"errors"`) {
		t.Errorf("first failure %q, want a 500 or the GraphQL error", r.FirstFail)
	}
	if r.PerSecond() <= 0 {
		t.Errorf("req/s = %v", r.PerSecond())
	}
}

func TestResultMerge(t *testing.T) {
	a := result{Requests: 3, Failures: 1, Elapsed: time.Second, Latencies: []time.Duration{1, 5}}
	b := result{Requests: 2, Elapsed: time.Second, Latencies: []time.Duration{3, 4}, FirstFail: "500", RanOut: true}
	got := a.merge(b)
	if got.Requests != 5 || got.Failures != 1 || got.Elapsed != 2*time.Second || got.FirstFail != "500" || !got.RanOut ||
		!slices.Equal(got.Latencies, []time.Duration{1, 3, 4, 5}) {
		t.Errorf("merge = %+v", got)
	}
	if got.PerSecond() != 2 {
		t.Errorf("req/s = %v, want 2 (4 successes in 2s)", got.PerSecond())
	}
}

func TestGroups(t *testing.T) {
	list := []scenario{{name: "me"}, {name: "members", group: "m"}, {name: "invites"}, {name: "members: PostGraphile", group: "m"}}
	names := func(gs [][]scenario) (out []string) {
		for _, g := range gs {
			var n []string
			for _, sc := range g {
				n = append(n, sc.name)
			}
			out = append(out, strings.Join(n, "+"))
		}
		return out
	}
	for _, tc := range []struct {
		only string
		want []string
	}{
		{"", []string{"me", "members+members: PostGraphile", "invites"}},
		{"members", []string{"members+members: PostGraphile"}},
		{"invites", []string{"invites"}},
		{"nothing", nil},
	} {
		if got := names(groups(list, tc.only)); !slices.Equal(got, tc.want) {
			t.Errorf("groups(%q) = %q, want %q", tc.only, got, tc.want)
		}
	}
}
