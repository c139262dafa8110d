package invites

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/mail"
	"golang.org/x/text/unicode/norm"
)

// maxSearchLen is the longest search term, in characters: longer than any email, name or
// external ID it could match.
const maxSearchLen = 320

// InviteFilter narrows a project's invites: to one status (as read now), to one delivery
// status of the latest email, and to those whose email, name or external ID contains Search.
type InviteFilter struct {
	Status         *InviteStatus
	DeliveryStatus *mail.Status
	Search         string
}

// MemberFilter narrows a project's members: to one role, and to those whose email, name or
// external ID contains Search.
type MemberFilter struct {
	Role   *Role
	Search string
}

// The expressions that the trigram indexes of migration 20261207213000_console_search hold,
// written exactly as there (with the tables' aliases), so that the planner uses them.
const (
	inviteSearchText = `(i.email || E'\x1f' || coalesce(i.name, '') || E'\x1f' || coalesce(i.external_id, ''))`
	userSearchText   = `(u.email || E'\x1f' || u.name)`
)

// searchPattern turns a search term into an ILIKE pattern that matches it anywhere,
// case-insensitively: trimmed, in NFC as names are stored, its control characters (which no
// stored text holds) dropped, and LIKE's wildcards taken literally. Blank is "" (no search).
//
// Errors: BAD_USER_INPUT on search, longer than maxSearchLen characters.
func searchPattern(raw string) (string, error) {
	term := strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, norm.NFC.String(raw)))
	if term == "" {
		return "", nil
	}
	if n := utf8.RuneCountInString(term); n > maxSearchLen {
		return "", invalid("search", "search is %d characters; at most %d", n, maxSearchLen)
	}
	escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(term)
	return "%" + escaped + "%", nil
}

// inviteSearch is the condition on invites AS i that their email, name or external ID
// matches pattern (from searchPattern). It reads invites_search_idx with the project's
// condition beside it.
func inviteSearch(pattern string) filter {
	return filter{inviteSearchText + " ILIKE ?", []any{pattern}}
}

// memberSearch is the condition on project_members AS m that their account's email or name
// matches pattern, or their external ID where the viewer may see it (seesExternalIDs: ADMIN
// and above; anyone else matches only their own), so that a search tells no one an external
// ID they could not read. The accounts that match are read once through users_search_idx (a
// hashed subplan), not looked up member by member.
func memberSearch(pattern string, viewer uuid.UUID, seesExternalIDs bool) filter {
	byAccount := "m.user_id IN (SELECT u.id FROM users AS u WHERE " + userSearchText + " ILIKE ?)"
	if seesExternalIDs {
		return filter{"m.external_id ILIKE ? OR " + byAccount, []any{pattern, pattern}}
	}
	return filter{"(m.user_id = ? AND m.external_id ILIKE ?) OR " + byAccount, []any{viewer, pattern, pattern}}
}
