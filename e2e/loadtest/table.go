package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// table collects one row per scenario and concurrency.
type table struct {
	names  []string
	rows   []string
	notes  []string
	failed bool
}

func newTable() *table { return &table{} }

// add records r; sessions is how many PostgreSQL sessions were opened meanwhile.
func (t *table) add(name string, conns int, r result, sessions int64) {
	mark := ""
	if r.RanOut {
		mark = " (ran out of invites to accept)"
	}
	t.names = append(t.names, name)
	perRequest := 0.0
	if r.Requests > 0 {
		perRequest = float64(sessions) / float64(r.Requests)
	}
	t.rows = append(t.rows, fmt.Sprintf("\t%d\t%d\t%d\t%.0f\t%s\t%s\t%.3f%s",
		conns, r.Requests, r.Failures, r.PerSecond(), ms(r.Percentile(50)), ms(r.Percentile(99)), perRequest, mark))
	if r.Failures > 0 {
		t.failed = true
		t.notes = append(t.notes, fmt.Sprintf("%s at %d: first failure: %s", name, conns, strings.TrimSpace(r.FirstFail)))
	}
}

func (t *table) print(w io.Writer) {
	for _, n := range t.notes {
		fmt.Fprintln(w, n)
	}
	// Names to the left, figures to the right: the names are padded to one width first.
	width := len("scenario")
	for _, n := range t.names {
		width = max(width, len(n))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tconns\trequests\tfailures\treq/s\tp50\tp99\tsessions/req\t\n", width, "scenario")
	for i, r := range t.rows {
		fmt.Fprintf(tw, "%-*s%s\t\n", width, t.names[i], r)
	}
	tw.Flush()
	fmt.Fprintln(w, "sessions/req: PostgreSQL sessions opened on the database during the measurement, per request (the servers' pools should keep theirs)")
}

// ms shows a latency in milliseconds with one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }
