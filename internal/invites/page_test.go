package invites_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/invites"
	"github.com/invites/invites/internal/mail"
	"github.com/invites/invites/internal/pgtest"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestPageArgs_Errors: every connection refuses bad arguments with BAD_USER_INPUT naming the
// argument, before any SQL (a cursor with a time out of range used to reach PostgreSQL and come
// back as "time zone displacement out of range").
func TestPageArgs_Errors(t *testing.T) {
	db, counter := pgtest.CountingDB(t)
	queue, err := mail.NewQueue(db, mail.QueueConfig{Sender: mail.NewLogSender(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		t.Fatal(err)
	}
	s := invites.New(db, queue, invites.Config{AppURL: "https://app.example", Password: cheapPasswords})
	ctx := context.Background()
	owner := mustSignUp(t, s, uniqueEmail("owner")).User
	p := mustProject(t, s, owner.ID, "Cursors")
	id := uuid.New().String()

	connections := map[string]func(invites.PageArgs) error{
		"projects": func(a invites.PageArgs) error { _, err := s.Projects(ctx, owner.ID, a); return err },
		"members":  func(a invites.PageArgs) error { _, err := s.Members(ctx, owner.ID, p.ID, nil, a); return err },
		"invites":  func(a invites.PageArgs) error { _, err := s.ProjectInvites(ctx, owner.ID, p.ID, nil, a); return err },
		"activity": func(a invites.PageArgs) error { _, err := s.Activity(ctx, owner.ID, p.ID, a); return err },
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
