package main

import (
	"regexp"
	"strconv"
	"testing"
)

// TestSeedStatementsArgs checks that each seed statement is given as many arguments as its
// highest placeholder asks for, which the database would otherwise refuse only mid-seed.
func TestSeedStatementsArgs(t *testing.T) {
	placeholder := regexp.MustCompile(`\$(\d+)`)
	for _, s := range seedStatements(3) {
		highest := 0
		for _, m := range placeholder.FindAllStringSubmatch(s.sql, -1) {
			n, _ := strconv.Atoi(m[1])
			highest = max(highest, n)
		}
		if highest != len(s.args) {
			t.Errorf("seed %s: placeholders up to $%d, %d arguments", s.what, highest, len(s.args))
		}
	}
}
