package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGenerate_MatchesCommittedList: the list that internal/invites embeds is what the
// module's version in go.mod gives; after an upgrade, go generate ./internal/invites/ makes
// them equal again.
func TestGenerate_MatchesCommittedList(t *testing.T) {
	want, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../freemail.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("internal/invites/freemail.txt (%d bytes) differs from the list of the module in go.mod (%d bytes): run go generate ./internal/invites/", len(got), len(want))
	}
	if n := bytes.Count(want, []byte("\n")); n < 6000 {
		t.Errorf("got %d lines, want the module's 6,000 names or more", n)
	}
}
