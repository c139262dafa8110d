package main

import (
	"strings"
	"testing"
	"time"
)

// latencies returns n latencies of 1ms, 2ms, ... n ms.
func latencies(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * time.Millisecond
	}
	return out
}

func TestCompare(t *testing.T) {
	ours := result{Requests: 30}
	theirs := result{Requests: 10}
	// PostGraphile's scenario listed first still lands on its side.
	group := []scenario{{name: "m: PostGraphile", group: "m", side: 1}, {name: "m", group: "m", side: 0}}
	c, ok := compare(group, 50, []result{theirs, ours})
	if !ok || c.group != "m" || c.conns != 50 || c.sides[0].Requests != 30 || c.sides[1].Requests != 10 {
		t.Errorf("compare = %+v, %v; want group m at 50 with ours 30 requests and theirs 10", c, ok)
	}
	if c, ok := compare(group[1:], 50, []result{ours}); ok {
		t.Errorf("compare of one scenario = %+v, want none", c)
	}
}

func TestPrintComparisons(t *testing.T) {
	ours := result{Requests: 300, Elapsed: time.Second, Latencies: latencies(300)}
	theirs := result{Requests: 110, Failures: 10, Elapsed: time.Second, Latencies: latencies(100)}
	var out strings.Builder
	printComparisons(&out, []comparison{
		{group: "member page", conns: 10, sides: [2]result{ours, theirs}},
		{group: "invites page", conns: 10, sides: [2]result{ours, {}}}, // PostGraphile made no request
		{group: "member page", conns: 50, sides: [2]result{theirs, ours}},
	})
	want := "member page at 10 connections: 3.00× PostGraphile's req/s (300 against 100), p50 150.0 ms against 50.0 ms, p99 297.0 ms against 99.0 ms\n" +
		"member page at 50 connections: 0.33× PostGraphile's req/s (100 against 300), p50 50.0 ms against 150.0 ms, p99 99.0 ms against 297.0 ms\n"
	if got := out.String(); got != want {
		t.Errorf("printComparisons wrote\n%s\nwant\n%s", got, want)
	}
}
