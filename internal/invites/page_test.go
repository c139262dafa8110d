package invites_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/pgtest"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestPageArgs_Errors: every connection refuses bad arguments with BAD_USER_INPUT naming the
// argument, before any SQL (a cursor with a time out of range used to reach PostgreSQL and come
// back as "time zone displacement out of range").
func TestPageArgs_Errors(t *testing.T) {
	db, counter := pgtest.CountingDB(t)
	s := newServices(t, db, newClock(), nil).Invites
	ctx := context.Background()
	owner := mustSignUp(t, s, uniqueEmail("owner")).User
	p := mustProject(t, s, owner.ID, "Cursors")
	id := uuid.New().String()

	connections := map[string]func(invites.PageArgs) error{
		"projects": func(a invites.PageArgs) error { _, err := s.Projects(ctx, owner.ID, a); return err },
		"members": func(a invites.PageArgs) error {
			_, err := s.Members(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.MemberFilter{}, a)
			return err
		},
		"invites": func(a invites.PageArgs) error {
			_, err := s.ProjectInvites(ctx, owner.ID, &invites.Project{ID: p.ID}, invites.InviteFilter{}, a)
			return err
		},
		"activity": func(a invites.PageArgs) error {
			_, err := s.Activity(ctx, owner.ID, &invites.Project{ID: p.ID}, a)
			return err
		},
	}
	tests := []struct {
		name  string
		args  invites.PageArgs
		field string
	}{
		{"FirstAndLast", invites.PageArgs{First: new(1), Last: new(1)}, "last"},
		{"AfterAndBefore", invites.PageArgs{After: b64("1:" + id), Before: b64("2:" + id)}, "before"},
		{"FirstAbove100", invites.PageArgs{First: new(101)}, "first"},
		{"FirstNegative", invites.PageArgs{First: new(-1)}, "first"},
		{"LastAbove100", invites.PageArgs{Last: new(101)}, "last"},
		{"LastNegative", invites.PageArgs{Last: new(-1)}, "last"},
		{"AfterTimeOutOfRange", invites.PageArgs{After: b64("-9223372036854775808:" + id)}, "after"},
		{"BeforeTimeOutOfRange", invites.PageArgs{Last: new(5), Before: b64("-9223372036854775808:" + id)}, "before"},
		{"AfterYear10000", invites.PageArgs{After: b64("253402300800000000:" + id)}, "after"},
		{"AfterNotANumber", invites.PageArgs{After: b64("soon:" + id)}, "after"},
		{"AfterLeadingZero", invites.PageArgs{After: b64("01:" + id)}, "after"},
		{"AfterUUIDNotCanonical", invites.PageArgs{After: b64("1:urn:uuid:" + id)}, "after"},
		{"AfterUUIDUpperCase", invites.PageArgs{After: b64("1:" + strings.ToUpper(id))}, "after"},
		{"AfterBadUUID", invites.PageArgs{After: b64("1:not-a-uuid")}, "after"},
		{"AfterNoColon", invites.PageArgs{After: b64("123")}, "after"},
		{"AfterNotBase64", invites.PageArgs{After: "garbage!"}, "after"},
		{"AfterPadded", invites.PageArgs{After: base64.URLEncoding.EncodeToString([]byte("1:" + id + "x"))}, "after"},
		{"BeforeGarbage", invites.PageArgs{Last: new(2), Before: "%%%"}, "before"},
	}
	for _, tt := range tests {
		for name, list := range connections {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				counter.Reset()
				err := list(tt.args)
				var e *invites.Error
				if !errors.As(err, &e) || e.Code != invites.BadUserInput || e.Field != tt.field {
					t.Fatalf("error = %v, want BAD_USER_INPUT on %s", err, tt.field)
				}
				if strings.Contains(e.Message, "SQLSTATE") || strings.Contains(e.Message, "displacement") {
					t.Errorf("message %q carries the database's words", e.Message)
				}
				if n := counter.Count(); n != 0 {
					t.Errorf("%d statements before refusing: %v", n, counter.Statements())
				}
			})
		}
	}

	// A cursor the API could write, at the edges of the range, is accepted by every
	// connection, and reaches the database (so the counts of 0 above mean something).
	for name, list := range connections {
		counter.Reset()
		if err := list(invites.PageArgs{First: new(1)}); err != nil || counter.Count() == 0 {
			t.Errorf("%s(first: 1) = %v after %d statements", name, err, counter.Count())
		}
		for _, c := range []string{b64("-62135596800000000:" + id), b64("253402300799999999:" + id), b64("0:" + id)} {
			if err := list(invites.PageArgs{After: c}); err != nil {
				t.Errorf("%s(after: %s) = %v", name, c, err)
			}
			if err := list(invites.PageArgs{Last: new(3), Before: c}); err != nil {
				t.Errorf("%s(last: 3, before: %s) = %v", name, c, err)
			}
		}
	}
}

// TestPage_Skip: a page computes only what its reader reads. The flag on the side a page
// travels to comes with the items; the total and the flag behind the cursor it starts from
// cost one statement together, or one each alone, and none when skipped. What is read is the
// same as with nothing skipped.
func TestPage_Skip(t *testing.T) {
	db, counter := pgtest.CountingDB(t)
	s := newServices(t, db, newClock(), nil).Invites
	ctx := context.Background()
	viewer := mustSignUp(t, s, uniqueEmail("skip")).User
	for _, name := range []string{"P1", "P2", "P3", "P4", "P5"} {
		mustProject(t, s, viewer.ID, name)
	}
	full, err := s.Projects(ctx, viewer.ID, invites.PageArgs{First: new(5)})
	if err != nil || len(full.Cursors) != 5 {
		t.Fatalf("all projects: %v, %v", full, err)
	}
	c := full.Cursors

	pages := []struct {
		name string
		args invites.PageArgs
		// cursor is whether the page starts from a cursor, so that its flag behind costs SQL.
		cursor bool
	}{
		{"First", invites.PageArgs{First: new(2)}, false},
		{"FirstAfter", invites.PageArgs{First: new(2), After: c[1]}, true},
		{"FirstAfterToEnd", invites.PageArgs{First: new(2), After: c[2]}, true},
		{"FirstAfterFirst", invites.PageArgs{First: new(5), After: c[0]}, true},
		{"Last", invites.PageArgs{Last: new(2)}, false},
		{"LastBefore", invites.PageArgs{Last: new(2), Before: c[3]}, true},
		{"LastBeforeToStart", invites.PageArgs{Last: new(2), Before: c[2]}, true},
		{"LastBeforeLast", invites.PageArgs{Last: new(5), Before: c[4]}, true},
	}
	skips := []struct {
		name string
		skip invites.PageSkip
	}{
		{"Nothing", invites.PageSkip{}},
		{"Total", invites.PageSkip{TotalCount: true}},
		{"Flags", invites.PageSkip{HasPreviousPage: true, HasNextPage: true}},
		{"Everything", invites.PageSkip{TotalCount: true, HasPreviousPage: true, HasNextPage: true}},
	}
	for _, pg := range pages {
		want, err := s.Projects(ctx, viewer.ID, pg.args)
		if err != nil {
			t.Fatal(err)
		}
		if want.TotalCount != 5 {
			t.Fatalf("%s: totalCount = %d, want 5", pg.name, want.TotalCount)
		}
		for _, sk := range skips {
			t.Run(pg.name+"/"+sk.name, func(t *testing.T) {
				args := pg.args
				args.Skip = sk.skip
				counter.Reset()
				got, err := s.Projects(ctx, viewer.ID, args)
				if err != nil {
					t.Fatal(err)
				}
				backward := args.Last != nil
				wantTotal, wantBehind := !sk.skip.TotalCount, !sk.skip.HasPreviousPage
				if backward {
					wantBehind = !sk.skip.HasNextPage
				}
				statements := 1
				if wantTotal || (wantBehind && pg.cursor) {
					statements = 2
				}
				if n := counter.Count(); n != statements {
					t.Errorf("%d statements, want %d: %v", n, statements, counter.Statements())
				}
				if strings.Join(got.Cursors, ",") != strings.Join(want.Cursors, ",") {
					t.Errorf("cursors = %v, want %v", got.Cursors, want.Cursors)
				}
				if wantTotal && got.TotalCount != 5 {
					t.Errorf("totalCount = %d, want 5", got.TotalCount)
				}
				ahead, behind := got.HasNextPage, got.HasPreviousPage
				wantAhead, wantBehindFlag := want.HasNextPage, want.HasPreviousPage
				if backward {
					ahead, behind = got.HasPreviousPage, got.HasNextPage
					wantAhead, wantBehindFlag = want.HasPreviousPage, want.HasNextPage
				}
				if ahead != wantAhead {
					t.Errorf("flag ahead = %v, want %v", ahead, wantAhead)
				}
				if wantBehind && behind != wantBehindFlag {
					t.Errorf("flag behind = %v, want %v", behind, wantBehindFlag)
				}
			})
		}
	}
	// The flags themselves, from the list of five, newest first: c[0] … c[4].
	for _, tc := range []struct {
		args             invites.PageArgs
		hasPrev, hasNext bool
		first, last      string
	}{
		{invites.PageArgs{First: new(2), After: c[1], Skip: invites.PageSkip{TotalCount: true}}, true, true, c[2], c[3]},
		{invites.PageArgs{First: new(2), After: c[2], Skip: invites.PageSkip{TotalCount: true}}, true, false, c[3], c[4]},
		{invites.PageArgs{Last: new(2), Before: c[3], Skip: invites.PageSkip{TotalCount: true}}, true, true, c[1], c[2]},
		{invites.PageArgs{Last: new(2), Before: c[2], Skip: invites.PageSkip{TotalCount: true}}, false, true, c[0], c[1]},
	} {
		p, err := s.Projects(ctx, viewer.ID, tc.args)
		if err != nil {
			t.Fatal(err)
		}
		if p.HasPreviousPage != tc.hasPrev || p.HasNextPage != tc.hasNext || p.Cursors[0] != tc.first || p.Cursors[1] != tc.last {
			t.Errorf("%+v: page %v prev %v next %v, want %s..%s prev %v next %v", tc.args, p.Cursors, p.HasPreviousPage, p.HasNextPage, tc.first, tc.last, tc.hasPrev, tc.hasNext)
		}
	}
}

// TestCursor_Format: a cursor is "<unix microseconds>:<canonical uuid>" in unpadded
// base64url, as clients have stored them (the writer avoids allocations, not the format).
func TestCursor_Format(t *testing.T) {
	for _, tc := range []struct {
		at time.Time
		id uuid.UUID
	}{
		{time.UnixMicro(1764406800123456).UTC(), uuid.MustParse("0190a3b4-c5d6-7e8f-9012-3456789abcde")},
		{time.UnixMicro(0).UTC(), uuid.Nil},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), uuid.MustParse("ffffffff-ffff-ffff-ffff-ffffffffffff")},
		{time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), uuid.New()},
	} {
		want := b64(strconv.FormatInt(tc.at.UnixMicro(), 10) + ":" + tc.id.String())
		if got := invites.CursorString(tc.at, tc.id); got != want {
			t.Errorf("cursor(%v, %s) = %s, want %s", tc.at, tc.id, got, want)
		}
	}
}
