package graph_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/pgtest"
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
// handler in one call, against the real PostgreSQL. Beside ns/op it reports the median upload,
// the median of three COPYs of the same rows into a table shaped like invites (copy-ms), their
// ratio (x-copy), the peak heap and the process's peak RSS during the benchmark.
func BenchmarkBulkInvite_NewCSV10000(b *testing.B) {
	h := newHandler(&testing.T{})
	copyMS := copyBaseline(b, 10000)
	m := startMeasure()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		// An owner per iteration: each sends 10,000 invites, the default hourly cap.
		owner := signUpVerified(&testing.T{}, h, uniqueEmail("bench"))
		project := newProject(&testing.T{}, h, owner, "Bench")
		csv := bulkCSV(fmt.Sprintf("new%d-%d", time.Now().UnixNano(), i), 10000, 0)
		runtime.GC()
		b.StartTimer()
		m.run(func() {
			if sum := benchUpload(b, h, owner, project, csv); sum.NewInvitations != 10000 {
				b.Fatalf("summary %+v, want 10,000 new invitations", sum)
			}
		})
	}
	m.report(b, copyMS)
}

// BenchmarkBulkInvite_ReuploadCSV10000 uploads the same 10,000 emails again with 5,000
// external IDs changed: 10,000 existing invitations, 5,000 ID moves. It reports what
// BenchmarkBulkInvite_NewCSV10000 does, against the same COPY.
func BenchmarkBulkInvite_ReuploadCSV10000(b *testing.B) {
	h := newHandler(&testing.T{})
	copyMS := copyBaseline(b, 10000)
	m := startMeasure()
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
		m.run(func() {
			if sum := benchUpload(b, h, owner, project, csv); sum.ExistingInvitations != 10000 || sum.ExternalIdsUpdated != 5000 {
				b.Fatalf("summary %+v, want 10,000 existing invitations and 5,000 ID moves", sum)
			}
		})
	}
	m.report(b, copyMS)
}

// measure collects the time and peak heap of each upload of a benchmark, and its peak RSS.
type measure struct {
	times []time.Duration
	peak  float64
}

// startMeasure returns the memory the heap no longer uses to the system and resets the
// process's peak RSS (VmHWM) to its current RSS, so that report sees this benchmark's peak.
func startMeasure() *measure {
	config.Default().Memory.Apply() // the server's garbage collection, whose memory is measured
	runtime.GC()
	debug.FreeOSMemory()
	// Linux: writing 5 to clear_refs resets VmHWM. Elsewhere the peak is the process's own.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return &measure{}
}

func (m *measure) run(f func()) {
	start := time.Now()
	m.peak = max(m.peak, peakHeap(f))
	m.times = append(m.times, time.Since(start))
}

func (m *measure) report(b *testing.B, copyMS float64) {
	b.ReportMetric(m.peak, "peak-heap-MiB")
	b.ReportMetric(peakRSS(), "peak-RSS-MiB")
	med := float64(median(m.times).Microseconds()) / 1000
	b.ReportMetric(med, "median-ms")
	b.ReportMetric(copyMS, "copy-ms")
	b.ReportMetric(med/copyMS, "x-copy")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// peakRSS is the process's peak resident set since startMeasure (VmHWM), in MiB, or 0 where
// /proc does not tell.
func peakRSS() float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// copyBaseline is the yardstick of the bulk benchmarks: the median, in milliseconds, of three
// COPYs of n rows like a bulk invite's into a table shaped like invites (its columns, checks
// and indexes, without its foreign keys; a logged table, as invites is, not a temporary one),
// emptied before each, after one COPY that warms the table up. As the issue measures it: psql's
// \copy of a CSV file, timed by its \timing. Without psql on the PATH, pgx's CopyFrom (the
// binary protocol, about a quarter faster) stands in, and the benchmark says so.
func copyBaseline(b *testing.B, n int) float64 {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DROP TABLE IF EXISTS invites_copy;
		CREATE TABLE invites_copy (LIKE invites INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Exec(ctx, "DROP TABLE invites_copy")
	// pgtype.UUID, as the bulk write passes them: the cheapest form for pgx to encode.
	id := func() pgtype.UUID { return pgtype.UUID{Bytes: uuid.New(), Valid: true} }
	project, inviter, now := id(), id(), time.Now()
	rows := make([][]any, n)
	for i := range rows {
		hash := make([]byte, 32)
		rand.Read(hash)
		ext, name := fmt.Sprintf("EXT-%06d", i), fmt.Sprintf("Person %d", i)
		rows[i] = []any{id(), fmt.Sprintf("copy-%05d@example.com", i), project, "CONTRIBUTOR", &ext, &name,
			inviter, hash, "PENDING", id(), now.Add(7 * 24 * time.Hour), now, now}
	}
	columns := []string{"id", "email", "project_id", "role", "external_id", "name", "inviter_id",
		"token_hash", "status", "email_id", "expires_at", "created_at", "updated_at"}
	if psql, err := exec.LookPath("psql"); err == nil {
		return psqlCopy(b, psql, rows, columns)
	}
	b.Log("copy-ms: psql is not on the PATH; pgx's binary CopyFrom stands in for psql's \\copy")
	times := make([]time.Duration, 4)
	for i := range times {
		if _, err := conn.Exec(ctx, "TRUNCATE invites_copy"); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"invites_copy"}, columns, pgx.CopyFromRows(rows)); err != nil {
			b.Fatal(err)
		}
		times[i] = time.Since(start)
	}
	return float64(median(times[1:]).Microseconds()) / 1000
}

// psqlCopy writes rows to a CSV file and has psql \copy it into invites_copy four times, each
// after a TRUNCATE, with \timing on around the \copy alone; it returns the median of the
// last three times psql prints, in milliseconds.
func psqlCopy(b *testing.B, psql string, rows [][]any, columns []string) float64 {
	dir := b.TempDir()
	var csv strings.Builder
	for _, r := range rows {
		for j, v := range r {
			if j > 0 {
				csv.WriteByte(',')
			}
			switch v := v.(type) {
			case pgtype.UUID:
				csv.WriteString(uuid.UUID(v.Bytes).String())
			case *string:
				csv.WriteString(*v)
			case []byte:
				fmt.Fprintf(&csv, "\\x%x", v)
			case time.Time:
				csv.WriteString(v.UTC().Format(time.RFC3339Nano))
			default:
				fmt.Fprint(&csv, v)
			}
		}
		csv.WriteByte('\n')
	}
	data := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(data, []byte(csv.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	var script strings.Builder
	for range 4 {
		fmt.Fprintf(&script, "TRUNCATE invites_copy;\n\\timing on\n\\copy invites_copy (%s) FROM '%s' WITH (FORMAT csv)\n\\timing off\n",
			strings.Join(columns, ", "), data)
	}
	file := filepath.Join(dir, "copy.sql")
	if err := os.WriteFile(file, []byte(script.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	out, err := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", pgtest.URL(b), "-f", file).CombinedOutput()
	if err != nil {
		b.Fatalf("psql: %v\n%s", err, out)
	}
	var times []time.Duration
	for _, m := range regexp.MustCompile(`Time: ([0-9.]+) ms`).FindAllStringSubmatch(string(out), -1) {
		ms, _ := strconv.ParseFloat(m[1], 64)
		times = append(times, time.Duration(ms*float64(time.Millisecond)))
	}
	if len(times) != 4 {
		b.Fatalf("psql printed %d times, want 4:\n%s", len(times), out)
	}
	return float64(median(times[1:]).Microseconds()) / 1000
}
