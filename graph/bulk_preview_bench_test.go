package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// previewBench reads a preview's answer and returns its previewId.
func previewBench(b *testing.B, r response) string {
	var d struct {
		BulkInvite struct {
			PreviewID string
			Summary   struct{ Total int }
		}
	}
	if len(r.Errors) > 0 || json.Unmarshal(r.Data, &d) != nil || d.BulkInvite.PreviewID == "" {
		b.Fatalf("preview: status %d, errors %v", r.Status, r.Errors)
	}
	return d.BulkInvite.PreviewID
}

// BenchmarkBulkInvite_PreviewCSV10000 previews a CSV of 10,000 new emails: the work of the
// real run but the writes, plus the preview stored and the 10,000 addresses counted against
// the hourly cap. It reports what BenchmarkBulkInvite_NewCSV10000 does, against the same COPY.
func BenchmarkBulkInvite_PreviewCSV10000(b *testing.B) {
	h := newHandler(&testing.T{})
	copyMS := copyBaseline(b, 10000)
	m := startMeasure()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		owner := signUpVerified(&testing.T{}, h, uniqueEmail("bench"))
		project := newProject(&testing.T{}, h, owner, "Bench")
		csv := bulkCSV(fmt.Sprintf("pre%d-%d", time.Now().UnixNano(), i), 10000, 0)
		runtime.GC()
		b.StartTimer()
		m.run(func() {
			previewBench(b, previewUpload(b, h, owner, project, csv))
		})
	}
	m.report(b, copyMS)
}

// BenchmarkBulkInvite_ConfirmCSV10000 confirms a preview of 10,000 new emails: the rows worked
// out again and compared with the preview's, then the write of BenchmarkBulkInvite_NewCSV10000
// and the result stored.
func BenchmarkBulkInvite_ConfirmCSV10000(b *testing.B) {
	h := newHandler(&testing.T{})
	copyMS := copyBaseline(b, 10000)
	m := startMeasure()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		owner := signUpVerified(&testing.T{}, h, uniqueEmail("bench"))
		project := newProject(&testing.T{}, h, owner, "Bench")
		csv := bulkCSV(fmt.Sprintf("conf%d-%d", time.Now().UnixNano(), i), 10000, 0)
		id := previewBench(b, previewUpload(b, h, owner, project, csv))
		runtime.GC()
		b.StartTimer()
		m.run(func() {
			r := do(b, h, owner, `mutation($id: ID!) { confirmBulkInvite(previewId: $id) { summary { newInvitations } } }`, map[string]any{"id": id})
			if len(r.Errors) > 0 {
				b.Fatal(r.Errors)
			}
		})
	}
	m.report(b, copyMS)
}

// previewUpload previews csv in project, as the bulk page does.
func previewUpload(b *testing.B, h http.Handler, token, project, csv string) response {
	return answer(b, uploadRaw(h, token, `mutation($input: BulkInviteInput!) { bulkInvite(input: $input) { previewId summary { total } } }`,
		map[string]any{"projectId": project, "dryRun": true}, csv))
}
