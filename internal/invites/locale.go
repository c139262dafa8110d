package invites

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"

	"github.com/invites/invites/internal/locale"
)

// maxNoteLen is the length, in characters, of an inviter's note.
const maxNoteLen = 500

// normalizeLocale matches a given BCP 47 tag to the language we write in (internal/locale):
// nil or blank is none (nil); a malformed or unknown tag is BAD_USER_INPUT naming field.
func normalizeLocale(field string, raw *string) (*string, error) {
	if raw == nil || strings.TrimSpace(*raw) == "" {
		return nil, nil
	}
	l, err := locale.Parse(*raw)
	if err != nil {
		return nil, invalid(field, "%s %q is not a well-formed BCP 47 language tag", field, strings.TrimSpace(*raw))
	}
	return &l, nil
}

// normalizeNote returns an inviter's note trimmed and in NFC: plain text of at most 500
// characters, line breaks allowed, no other character a person cannot see (the PRECIS rule of
// names). nil or blank is none (nil).
func normalizeNote(field string, raw *string) (*string, error) {
	if raw == nil {
		return nil, nil
	}
	note := strings.TrimSpace(strings.ReplaceAll(*raw, "\r\n", "\n"))
	if note == "" {
		return nil, nil
	}
	for _, line := range strings.Split(note, "\n") {
		if line == "" {
			continue
		}
		if err := checkVisibleText(field, line); err != nil {
			return nil, err
		}
	}
	note = norm.NFC.String(note)
	if utf8.RuneCountInString(note) > maxNoteLen {
		return nil, invalid(field, "%s is longer than %d characters", field, maxNoteLen)
	}
	return &note, nil
}

// inviteLocale is the locale of a new invite that names none: the project's default_locale,
// else the inviter's request's Accept-Language matched to ours, else English.
func inviteLocale(ctx context.Context, db bun.IDB, given *string, projectID *uuid.UUID, acceptLanguage string) (string, error) {
	if given != nil {
		return *given, nil
	}
	if projectID != nil {
		var def sql.NullString
		err := db.NewRaw("SELECT default_locale FROM projects WHERE id = ?", *projectID).Scan(ctx, &def)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		if def.Valid {
			if l, err := locale.Parse(def.String); err == nil {
				return l, nil
			}
		}
	}
	return locale.FromAcceptLanguage(acceptLanguage), nil
}
