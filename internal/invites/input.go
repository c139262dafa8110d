package invites

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizeEmail returns the one stored form of an email address (trimmed, lower case) or a
// BAD_USER_INPUT error naming field. Only a bare address is accepted: no display name, no
// angle brackets, and a dot in the domain, as a sign-up form would insist.
func NormalizeEmail(field, raw string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(raw))
	if email == "" {
		return "", invalid(field, "%s is required", field)
	}
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

// cleanText trims s and checks its length in characters and that it holds no control
// characters: the rule for names.
func cleanText(field, s string, minLen, maxLen int) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return "", invalid(field, "%s is not valid UTF-8", field)
	case n < minLen && minLen == 1:
		return "", invalid(field, "%s is required", field)
	case n < minLen || n > maxLen:
		return "", invalid(field, "%s must be %d to %d characters", field, minLen, maxLen)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", invalid(field, "%s must not contain control characters", field)
	}
	return s, nil
}

// checkPasswordRule enforces 8 to 256 characters; a password is taken as typed, never trimmed.
func checkPasswordRule(field, password string) error {
	n := utf8.RuneCountInString(password)
	if n < 8 || n > 256 {
		return invalid(field, "%s must be 8 to 256 characters", field)
	}
	return nil
}
