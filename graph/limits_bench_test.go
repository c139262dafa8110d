package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
)

// The times that tests used to assert, measured here instead (make bench): on a busy machine a
// time tells of the machine, so the tests bound the work (bytes allocated, rows, statements).

// BenchmarkQueryLimits_Refused serves each of refusedDocuments, which a limit refuses, through
// the handler: the time and allocations of a refusal (issue 8's documents took seconds to
// minutes of CPU before the limits).
func BenchmarkQueryLimits_Refused(b *testing.B) {
	h := newHandler(&testing.T{})
	token := signUp(&testing.T{}, h, uniqueEmail("limits"))
	for _, tc := range refusedDocuments() {
		body, _ := json.Marshal(map[string]any{"query": tc.query})
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if r := answer(b, rec); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions.Reason != tc.reason {
					b.Fatalf("errors %+v, want %s", r.Errors, tc.reason)
				}
			}
		})
	}
}

// BenchmarkBulkInvite_CSVCommaBomb uploads a dry-run CSV of 5 MiB of commas, alone and eight
// at once, over a real HTTP connection: the time until the refusal naming line 1.
func BenchmarkBulkInvite_CSVCommaBomb(b *testing.B) {
	h := newHandler(&testing.T{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	owner, project := csvTestOwner(&testing.T{}, h, "Comma Bomb")
	body, contentType := uploadBody(bulkMutation, map[string]any{"projectId": project, "dryRun": true}, bytes.Repeat([]byte(","), 5<<20))
	upload := func(b *testing.B) {
		r, err := postBody(srv, owner, body, contentType)
		if err == nil && (r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "line 1: more than 50 cells")) {
			b.Errorf("status %d, errors %+v", r.Status, r.Errors)
		}
		if err != nil {
			b.Error(err)
		}
	}
	b.Run("One", func(b *testing.B) {
		for b.Loop() {
			upload(b)
		}
	})
	b.Run("EightAtOnce", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() { upload(b) })
			}
			wg.Wait()
		}
	})
}

// BenchmarkRequestDeadline serves a bulk invite of 10,000 rows (about 2 s) with a request
// timeout of 300 ms: the time until its REQUEST_TIMEOUT answer, the work's end included.
func BenchmarkRequestDeadline(b *testing.B) {
	h := newLimitedHandler(&testing.T{}, func(l *config.Limits) { l.RequestTimeout = 300 * time.Millisecond })
	owner := signUpVerified(&testing.T{}, h, uniqueEmail("owner"))
	project := newProject(&testing.T{}, h, owner, "Deadline")
	input := bulkInput(project, 10000)
	for b.Loop() {
		if r := do(b, h, owner, bulkCount, input); r.code() != "INTERNAL" || r.Errors[0].Extensions.Reason != "REQUEST_TIMEOUT" {
			b.Fatalf("errors %+v, want REQUEST_TIMEOUT", r.Errors)
		}
	}
}
