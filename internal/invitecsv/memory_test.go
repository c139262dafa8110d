package invitecsv_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/invites/invites/internal/invitecsv"
)

// shapes are uploads of the largest size accepted, each of a shape that once cost memory out
// of proportion (the comma bomb took 380 MiB), with the outcome Read must reach.
var shapes = []struct {
	name    string
	in      func() []byte
	wantErr string // empty: the file is good
}{
	{"CommaBomb", func() []byte { return bytes.Repeat([]byte(","), invitecsv.MaxBytes) }, "line 1: more than 50 cells"},
	{"CommaBombAfterHeader", func() []byte { return fill("email\na@x.test", ",") }, "line 2: more than 50 cells"},
	{"OneHugeCell", func() []byte { return fill("email,name\na@x.test,", "n") }, "line 2: a cell is longer than 1 KiB"},
	{"OneHugeQuotedCell", func() []byte { return fill("email,name\na@x.test,\"", "\n") }, "line 2: a cell is longer than 1 KiB"},
	{"ManyBlankRows", func() []byte { return fill("email\n", ",\r") }, "the CSV has a header but no data rows"},
	{"ManyShortRows", func() []byte { return fill("email\n", "a\n") }, "the CSV has more than 10,000 data rows"},
	{"MaxRowsOfMaxCells", maxRowsOfMaxCells, ""},
}

// fill is head followed by unit repeated up to MaxBytes.
func fill(head, unit string) []byte {
	b := []byte(head)
	return append(b, bytes.Repeat([]byte(unit), (invitecsv.MaxBytes-len(head))/len(unit))...)
}

// maxRowsOfMaxCells is a good file of MaxRows rows of MaxCells cells each, as near MaxBytes
// as that allows: what Read keeps is largest for it.
func maxRowsOfMaxCells() []byte {
	var b bytes.Buffer
	b.WriteString("email,role,external_id,name" + strings.Repeat(",notes", invitecsv.MaxCells-4) + "\n")
	cell := strings.Repeat("x", (invitecsv.MaxBytes/invitecsv.MaxRows-40)/(invitecsv.MaxCells-4)-1)
	for i := range invitecsv.MaxRows {
		fmt.Fprintf(&b, "p%d@x.test,member,E%d,P%d%s\n", i, i, i, strings.Repeat(","+cell, invitecsv.MaxCells-4))
	}
	return b.Bytes()
}

// maxAllocated bounds what one Read may allocate in all, whatever the file: an upper bound on
// how far the live heap can grow above where it was.
const maxAllocated = 50 << 20

func TestRead_MemoryBound(t *testing.T) {
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			in := sh.in()
			if len(in) > invitecsv.MaxBytes || len(in) < invitecsv.MaxBytes*9/10 {
				t.Fatalf("the file is %d bytes; want about MaxBytes", len(in))
			}
			var got *invitecsv.File
			var err error
			allocated := allocatedBy(func() { got, err = invitecsv.Read(bytes.NewReader(in)) })
			if sh.wantErr != "" {
				mustFailWith(t, got, err, sh.wantErr)
			} else if err != nil {
				t.Fatalf("Read: %v", err)
			} else if len(got.Rows) != invitecsv.MaxRows {
				t.Fatalf("%d rows, want %d", len(got.Rows), invitecsv.MaxRows)
			}
			if allocated > maxAllocated {
				t.Errorf("Read allocated %.1f MiB; want at most %d MiB", float64(allocated)/(1<<20), maxAllocated>>20)
			}
			t.Logf("allocated %.2f MiB", float64(allocated)/(1<<20))
		})
	}
}

// allocatedBy returns the bytes allocated on the heap while f runs.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// BenchmarkRead runs Read on each shape of upload. B/op is everything Read allocated, so it
// bounds the peak heap above idle too; peak-MiB is the live heap's highest point above where it
// started, after a collection.
func BenchmarkRead(b *testing.B) {
	benches := append(shapes[:len(shapes):len(shapes)], struct {
		name    string
		in      func() []byte
		wantErr string
	}{"10000Rows", func() []byte { return csvWithRows(invitecsv.MaxRows) }, ""})
	for _, sh := range benches {
		b.Run(sh.name, func(b *testing.B) {
			in := sh.in()
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				var idle runtime.MemStats
				runtime.ReadMemStats(&idle)
				b.StartTimer()
				f, err := invitecsv.Read(bytes.NewReader(in))
				var csvErr *invitecsv.Error
				if (sh.wantErr == "") != (err == nil) || (err != nil && !errors.As(err, &csvErr)) {
					b.Fatalf("Read: %v", err)
				}
				b.StopTimer()
				var now runtime.MemStats
				runtime.ReadMemStats(&now)
				peak = max(peak, now.HeapAlloc-min(idle.HeapAlloc, now.HeapAlloc))
				runtime.KeepAlive(f)
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
		})
	}
}
