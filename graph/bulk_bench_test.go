package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// bulkCSV is a CSV of n new people in one project; IDs from idFrom on, and prefix keeps the
// emails of each file apart.
func bulkCSV(prefix string, n, idFrom int) string {
	var b strings.Builder
	b.WriteString("email,role,external_id,name\n")
	for i := range n {
		fmt.Fprintf(&b, "%s-%05d@example.com,CONTRIBUTOR,EXT-%06d,Person %d\n", prefix, i, idFrom+i, i)
	}
	return b.String()
}

// reassigned is file with the external IDs of every other row changed: 5,000 of 10,000.
func reassigned(prefix string, n int) string {
	var b strings.Builder
	b.WriteString("email,role,external_id,name\n")
	for i := range n {
		id := fmt.Sprintf("EXT-%06d", i)
		if i%2 == 0 {
			id = fmt.Sprintf("NEW-%06d", i)
		}
		fmt.Fprintf(&b, "%s-%05d@example.com,CONTRIBUTOR,%s,Person %d\n", prefix, i, id, i)
	}
	return b.String()
}

// The selection a front end would show for a batch: each row's outcome, not every related object.
const benchMutation = `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) {
	results {
		__typename
		... on NewInvitation { row existingAccount invite { id email role externalId status } }
		... on ExistingInvitation { row externalIdUpdated previousExternalId invite { id externalId } }
		... on ExistingMember { row externalIdUpdated }
		... on FailedInvite { row reason message }
	}
	summary { total newInvitations existingInvitations failed externalIdsUpdated }
} }`

// benchUpload runs one upload and decodes only the summary, as a client that reads the counts
// first would: the benchmark measures the server, not a client's decoding of 10,000 results.
func benchUpload(b *testing.B, h http.Handler, token, project, csv string) bulkSummary {
	rec := uploadRaw(h, token, benchMutation, map[string]any{"projectId": project}, csv)
	var r struct {
		Data struct {
			BulkInvite struct {
				Results []json.RawMessage `json:"results"`
				Summary bulkSummary       `json:"summary"`
			} `json:"bulkInvite"`
		} `json:"data"`
		Errors []gqlError `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Errors) > 0 {
		b.Fatalf("status %d, err %v, errors %v", rec.Code, err, r.Errors)
	}
	if len(r.Data.BulkInvite.Results) != r.Data.BulkInvite.Summary.Total {
		b.Fatalf("%d results for %d rows", len(r.Data.BulkInvite.Results), r.Data.BulkInvite.Summary.Total)
	}
	return r.Data.BulkInvite.Summary
}

type bulkSummary struct {
	Total, NewInvitations, ExistingInvitations, Failed, ExternalIdsUpdated int
}

// peakHeap samples the live heap while f runs, without stopping the world, and returns the
// highest value seen in MiB.
func peakHeap(f func()) float64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	return float64(peak.Load()) / (1 << 20)
}

// BenchmarkBulkInvite_NewCSV10000 uploads a CSV of 10,000 new emails through the GraphQL
// handler in one call, against the real PostgreSQL.
func BenchmarkBulkInvite_NewCSV10000(b *testing.B) {
	h := newHandler(&testing.T{})
	var peak float64
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		// An owner per iteration: each sends 10,000 invites, the default hourly cap.
		owner := signUpVerified(&testing.T{}, h, uniqueEmail("bench"))
		project := newProject(&testing.T{}, h, owner, "Bench")
		csv := bulkCSV(fmt.Sprintf("new%d-%d", time.Now().UnixNano(), i), 10000, 0)
		runtime.GC()
		b.StartTimer()
		peak = max(peak, peakHeap(func() {
			if sum := benchUpload(b, h, owner, project, csv); sum.NewInvitations != 10000 {
				b.Fatalf("summary %+v, want 10,000 new invitations", sum)
			}
		}))
	}
	b.ReportMetric(peak, "peak-heap-MiB")
}

// BenchmarkBulkInvite_ReuploadCSV10000 uploads the same 10,000 emails again with 5,000
// external IDs changed: 10,000 existing invitations, 5,000 ID moves.
func BenchmarkBulkInvite_ReuploadCSV10000(b *testing.B) {
	h := newHandler(&testing.T{})
	var peak float64
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		owner := signUpVerified(&testing.T{}, h, uniqueEmail("bench"))
		project := newProject(&testing.T{}, h, owner, "Bench")
		prefix := fmt.Sprintf("re%d-%d", time.Now().UnixNano(), i)
		if r := upload(b, h, owner, benchMutation, map[string]any{"projectId": project}, bulkCSV(prefix, 10000, 0)); len(r.Errors) > 0 {
			b.Fatal(r.Errors)
		}
		csv := reassigned(prefix, 10000)
		runtime.GC()
		b.StartTimer()
		peak = max(peak, peakHeap(func() {
			if sum := benchUpload(b, h, owner, project, csv); sum.ExistingInvitations != 10000 || sum.ExternalIdsUpdated != 5000 {
				b.Fatalf("summary %+v, want 10,000 existing invitations and 5,000 ID moves", sum)
			}
		}))
	}
	b.ReportMetric(peak, "peak-heap-MiB")
}
