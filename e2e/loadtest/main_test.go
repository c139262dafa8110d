package main

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func parse(args ...string) (options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return parseOptions(fs, args)
}

func TestParseOptions_Defaults(t *testing.T) {
	o, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.conns, []int{10, 50}) || o.duration != 4*time.Second || o.warmup != time.Second || o.rounds != 4 ||
		o.acceptors != 10000 || len(o.serverEnv) != 0 || !o.postgraphile || o.only != "" || o.hold {
		t.Errorf("defaults = %+v", o)
	}
}

func TestParseOptions_EveryFlag(t *testing.T) {
	o, err := parse("-only", "member", "-conns", "5, 20,80", "-rounds", "2", "-duration", "6s", "-warmup", "0",
		"-hold", "-acceptors", "7", "-postgraphile=false", "-server-env", "DB_MAX_IDLE_CONNS=2  GOGC=200")
	if err != nil {
		t.Fatal(err)
	}
	want := options{conns: []int{5, 20, 80}, duration: 6 * time.Second, rounds: 2, acceptors: 7,
		serverEnv: []string{"DB_MAX_IDLE_CONNS=2", "GOGC=200"}, only: "member", hold: true}
	if !slices.Equal(o.conns, want.conns) || !slices.Equal(o.serverEnv, want.serverEnv) || o.duration != want.duration ||
		o.warmup != 0 || o.rounds != want.rounds || o.acceptors != want.acceptors || o.postgraphile || o.only != want.only || !o.hold {
		t.Errorf("options = %+v, want %+v", o, want)
	}
}

func TestParseOptions_Refused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-conns", "10,0"}, `-conns: "0" is not a positive number`},
		{[]string{"-conns", "10,,50"}, `-conns: "" is not a positive number`},
		{[]string{"-conns", "ten"}, `-conns: "ten" is not a positive number`},
		{[]string{"-rounds", "0"}, "-rounds must be at least 1"},
		{[]string{"-round", "2"}, "flag provided but not defined: -round"},
	} {
		if _, err := parse(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parse(%q) = %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}
