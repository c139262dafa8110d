package invites

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/runenames"
)

// The validators below are the one rule for each kind of text a person types: emails, names
// (of people and of projects) and external IDs. Single and bulk paths call the same function;
// each returns a BAD_USER_INPUT *Error naming the field, whose message reads whole in a bulk
// result too. Every kind is trimmed, put in Unicode's NFC form (so that "é" typed as one
// character or as "e" and an accent is one value), and refused when it holds a character a
// person cannot see (see checkVisibleText): two values that look the same must be the same
// value.

// maxNameLen is the length, in characters, of a person's or a project's name.
const maxNameLen = 200

// maxExternalIDLen is the length, in characters, of an external ID.
const maxExternalIDLen = 64

// NormalizeEmail returns the one stored form of an email address (trimmed, NFC, lower case) or
// a BAD_USER_INPUT error naming field. Only a bare address is accepted: no display name, no
// angle brackets, no invisible characters, and a dot in the domain, as a sign-up form would
// insist.
func NormalizeEmail(field, raw string) (string, error) {
	email := strings.TrimSpace(raw)
	if email == "" {
		return "", invalid(field, "%s is required", field)
	}
	if strings.ContainsRune(email, ' ') {
		return "", invalid(field, "%s is not a valid email address", field)
	}
	if err := checkText(field, email, emailText); err != nil {
		return "", err
	}
	email = norm.NFC.String(strings.ToLower(email))
	if len(email) > 254 {
		return "", invalid(field, "%s is longer than 254 characters", field)
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return "", invalid(field, "%s is not a valid email address", field)
	}
	at := strings.LastIndexByte(email, '@')
	domain := email[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(domain, "..") || strings.HasPrefix(domain, "[") {
		return "", invalid(field, "%s is not a valid email address", field)
	}
	return email, nil
}

// normalizeName returns a person's or a project's name trimmed and in NFC: 1 to 200
// characters of visible text.
func normalizeName(field, raw string) (string, error) {
	name := strings.TrimSpace(raw)
	if err := checkVisibleText(field, name); err != nil {
		return "", err
	}
	name = norm.NFC.String(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", invalid(field, "%s is required", field)
	case n > maxNameLen:
		return "", invalid(field, "%s must be 1 to %d characters", field, maxNameLen)
	}
	return name, nil
}

// normalizeOptionalName is normalizeName for a name that may be left out: nil or blank is
// none (nil).
func normalizeOptionalName(field string, raw *string) (*string, error) {
	if raw == nil || strings.TrimSpace(*raw) == "" {
		return nil, nil
	}
	name, err := normalizeName(field, *raw)
	if err != nil {
		return nil, err
	}
	return &name, nil
}

// normalizeExternalID trims an external ID and puts it in NFC; nil or blank is none (nil). At
// most 64 characters of visible text.
func normalizeExternalID(field string, raw *string) (*string, error) {
	if raw == nil {
		return nil, nil
	}
	id := strings.TrimSpace(*raw)
	if id == "" {
		return nil, nil
	}
	if err := checkVisibleText(field, id); err != nil {
		return nil, err
	}
	id = norm.NFC.String(id)
	if utf8.RuneCountInString(id) > maxExternalIDLen {
		return nil, invalid(field, "%s is longer than %d characters", field, maxExternalIDLen)
	}
	return &id, nil
}

// checkVisibleText refuses text that is not UTF-8, or that holds a control character or a
// character a person cannot see: names, project names and external IDs (freeText).
func checkVisibleText(field, s string) error { return checkText(field, s, freeText) }

// The two kinds of text, as the PRECIS framework (RFC 8264) defines them and
// golang.org/x/text/secure/precis implements them from Unicode's own tables, so that no list
// of characters is kept by hand here:
//
//   - freeText (names, project names, external IDs) is PRECIS's FreeformClass: every
//     default-ignorable code point (zero-width spaces and joiners, byte-order marks,
//     bidirectional controls, soft hyphens, variation selectors, the combining grapheme
//     joiner, fillers, tags) and the line and paragraph separators are refused; spaces such
//     as the no-break space, which names really hold, are kept.
//   - emailText (email addresses) is PRECIS's IdentifierClass, as for user names (RFC 8265):
//     besides the above, every space (an address never holds one), every symbol and
//     punctuation mark outside ASCII (the Braille blank U+2800 looks like nothing at all),
//     and compatibility forms such as fullwidth letters, which look like others.
//
// They are refused rather than removed: a value that holds one was most likely pasted from
// somewhere that added it, and refusing says so, where removing would store a value other
// than the one given. The cost is that a name spelt with a zero-width joiner or non-joiner
// (some Persian and Indic names) is refused.
var (
	freeText  = precis.NewFreeform()
	emailText = precis.NewIdentifier()
)

// checkText refuses s unless it is UTF-8 of the PRECIS class of profile, naming the first
// character refused.
func checkText(field, s string, profile *precis.Profile) error {
	if !utf8.ValidString(s) {
		return invalid(field, "%s is not valid UTF-8", field)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return invalid(field, "%s must not contain control characters (such as tabs or line breaks)", field)
	}
	if _, err := profile.String(s); err == nil {
		return nil
	}
	for i, r := range s {
		if _, err := profile.String(string(r)); err != nil {
			return invalid(field, "%s holds a character that cannot be seen or is easily mistaken, %s, %s; remove it (it often comes with a copy and paste)", field, describeRune(r), where(s, i))
		}
	}
	return invalid(field, "%s holds a character that is not allowed where it stands", field)
}

// where says where in s the byte offset i is, for a message: after the text before it.
func where(s string, i int) string {
	if i == 0 {
		return "at the start"
	}
	before := []rune(s[:i])
	if len(before) > 20 {
		return fmt.Sprintf("after %q", "…"+string(before[len(before)-20:]))
	}
	return fmt.Sprintf("after %q", string(before))
}

// describeRune names r by its code point and Unicode name, as in "U+200B (ZERO WIDTH SPACE)";
// U+FEFF by what people know it as, a file's byte-order mark.
func describeRune(r rune) string {
	if r == '\ufeff' {
		return "U+FEFF (BYTE ORDER MARK)"
	}
	if name := runenames.Name(r); name != "" {
		return fmt.Sprintf("U+%04X (%s)", r, name)
	}
	return fmt.Sprintf("U+%04X", r)
}

// checkRole refuses a role that is none of the four, naming field.
func checkRole(field string, r Role) error {
	if !r.Valid() {
		return invalid(field, "%s is not a project role", field)
	}
	return nil
}

// checkStatus refuses an invite status that is none of the five, naming field.
func checkStatus(field string, s InviteStatus) error {
	if !s.Valid() {
		return invalid(field, "%s is not an invite status", field)
	}
	return nil
}

// checkPasswordRule enforces 8 to 256 characters; a password is taken as typed, never trimmed.
func checkPasswordRule(field, password string) error {
	n := utf8.RuneCountInString(password)
	if n < 8 || n > 256 {
		return invalid(field, "%s must be 8 to 256 characters", field)
	}
	return nil
}

// maxEmailDomains bounds an invite link's allowed email domains.
const maxEmailDomains = 50

// normalizeEmailDomains returns an invite link's allowed email domains in their stored form
// (trimmed, NFC, lower case, a leading "@" dropped, each once, in the order given) or a
// BAD_USER_INPUT error naming field. A domain is what an email address that NormalizeEmail
// accepts has after its "@": labels of letters, digits and hyphens (no hyphen at either end),
// at least two of them.
func normalizeEmailDomains(field string, raw []string) ([]string, error) {
	if len(raw) > maxEmailDomains {
		return nil, invalid(field, "%s holds more than %d domains", field, maxEmailDomains)
	}
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		d := strings.TrimPrefix(strings.TrimSpace(r), "@")
		if err := checkVisibleText(field, d); err != nil {
			return nil, err
		}
		d = norm.NFC.String(strings.ToLower(d))
		if !isDomain(d) {
			return nil, invalid(field, "%s: %q is not an email domain (such as example.com)", field, r)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// isDomain reports whether d, in lower case, is a domain name of at least two labels.
func isDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}
