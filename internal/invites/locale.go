package invites

import (
	"strings"
	"unicode/utf8"

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

// batchWords checks a bulk batch's locale and note; the plan resolves the locale of rows that
// name none as createInvite does (resolveLocale), with the project it locks.
func batchWords(in BulkInput) (lang, note *string, err error) {
	if lang, err = normalizeLocale("locale", in.Locale); err != nil {
		return nil, nil, err
	}
	if note, err = normalizeNote("note", in.Note); err != nil {
		return nil, nil, err
	}
	return lang, note, nil
}

// resolveLocale is the locale given, else the project's default, else Accept-Language's.
func resolveLocale(given, projectDefault *string, acceptLanguage string) string {
	if given != nil {
		return *given
	}
	if projectDefault != nil {
		if l, err := locale.Parse(*projectDefault); err == nil {
			return l
		}
	}
	return locale.FromAcceptLanguage(acceptLanguage)
}

// checkRowLocale reads a bulk row's locale cell: blank is the batch's; a malformed or unknown
// tag fails the row with INVALID_LOCALE.
func (p *bulkPlan) checkRowLocale(r *plannedRow, cell string) {
	tag := strings.TrimSpace(cell)
	if tag == "" {
		return
	}
	l, err := locale.Parse(tag)
	if err != nil {
		p.fail(r, ReasonInvalidLocale, false, "locale %q is not a well-formed BCP 47 language tag", tag)
		return
	}
	r.locale = l
}

// inviteLocale is the locale of a new invite that names none: its project's default_locale
// (project as createInvite loaded it; nil for an invite to the service), else the inviter's
// request's Accept-Language matched to ours, else English.
func inviteLocale(given *string, project *Project, acceptLanguage string) string {
	if given != nil {
		return *given
	}
	if project != nil && project.DefaultLocale != nil {
		if l, err := locale.Parse(*project.DefaultLocale); err == nil {
			return l
		}
	}
	return locale.FromAcceptLanguage(acceptLanguage)
}
