package invites_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/invites/invites/internal/invites"
)

// wantInputError checks that err is BAD_USER_INPUT naming field, with want in its message.
func wantInputError(t *testing.T, err error, field, want string) {
	t.Helper()
	e, ok := errors.AsType[*invites.Error](err)
	if !ok {
		t.Fatalf("error %v; want an *invites.Error", err)
	}
	if e.Code != invites.BadUserInput || e.Field != field || !strings.Contains(e.Message, want) {
		t.Errorf("error %s (field %q); want BAD_USER_INPUT on %q containing %q", e, e.Field, field, want)
	}
	if !strings.HasPrefix(e.Message, field+" ") {
		t.Errorf("message %q does not start with the field's name %q", e.Message, field)
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        string // part of the message; empty when the email is good
	}{
		{"plain", "ada@example.com", "ada@example.com", ""},
		{"trimmed and lower case", "  Ada@Example.COM\u00a0\t", "ada@example.com", ""},
		{"NFC", "rene\u0301@example.com", "ren\u00e9@example.com", ""},
		{"NFC after lower case", "RENE\u0301@example.com", "ren\u00e9@example.com", ""},
		{"blank", " \t", "", "email is required"},
		{"no domain dot", "ada@example", "", "email is not a valid email address"},
		{"display name", "Ada <ada@example.com>", "", "email is not a valid email address"},
		{"zero width space at the end", "ada@example.com\u200b", "", `email holds a character that cannot be seen or is easily mistaken, U+200B (ZERO WIDTH SPACE), after "ada@example.com"`},
		{"byte-order mark at the start", "\ufeffada@example.com", "", "U+FEFF (BYTE ORDER MARK), at the start"},
		{"right-to-left override", "\u202eada@example.com", "", "U+202E (RIGHT-TO-LEFT OVERRIDE)"},
		{"left-to-right mark", "ada@example.com\u200e", "", "U+200E (LEFT-TO-RIGHT MARK)"},
		{"zero width joiner in the domain", "ada@exam\u200dple.com", "", "U+200D (ZERO WIDTH JOINER)"},
		{"zero width non-joiner", "a\u200cda@example.com", "", "U+200C"},
		{"word joiner", "ada\u2060@example.com", "", "U+2060 (WORD JOINER)"},
		{"soft hyphen", "ada\u00ad@example.com", "", "U+00AD (SOFT HYPHEN)"},
		{"Arabic letter mark", "ada@example.com\u061c", "", "U+061C (ARABIC LETTER MARK)"},
		{"bidi isolate", "\u2066ada@example.com\u2069", "", "U+2066 (LEFT-TO-RIGHT ISOLATE)"},
		{"bidi embedding", "ada\u202b@example.com", "", "U+202B"},
		{"tag character", "ada\U000E0041@example.com", "", "U+E0041"},
		{"Hangul filler", "\u3164@example.com", "", "U+3164"},
		{"a long prefix is cut", strings.Repeat("a", 40) + "\u200b@example.com", "", `after "…aaaaaaaaaaaaaaaaaaaa"`},
		{"control character", "ada\x00@example.com", "", "email must not contain control characters"},
		{"not UTF-8", "ada\xff@example.com", "", "email is not valid UTF-8"},
		{"too long", strings.Repeat("a", 250) + "@example.com", "", "email is longer than 254 characters"},
		// Issue 19: what passed before, and international addresses that must still pass.
		{"combining grapheme joiner", "a\u034f@example.com", "", "U+034F (COMBINING GRAPHEME JOINER)"},
		{"variation selector 1", "ada\ufe00@example.com", "", "U+FE00 (VARIATION SELECTOR-1)"},
		{"variation selector 16", "ada\ufe0f@example.com", "", "U+FE0F (VARIATION SELECTOR-16)"},
		{"Braille blank", "ada\u2800@example.com", "", "U+2800 (BRAILLE PATTERN BLANK)"},
		{"no-break space inside", "ada\u00a0x@example.com", "", "U+00A0 (NO-BREAK SPACE)"},
		{"ideographic space inside", "ada\u3000x@example.com", "", "U+3000 (IDEOGRAPHIC SPACE)"},
		{"line separator", "ada\u2028x@example.com", "", "U+2028 (LINE SEPARATOR)"},
		{"fullwidth letter", "\uff41da@example.com", "", "U+FF41 (FULLWIDTH LATIN SMALL LETTER A)"},
		{"Greek", "\u1f00\u03bb\u03ad\u03be\u03b1\u03bd\u03b4\u03c1\u03bf\u03c2@\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9\u03b3\u03bc\u03b1.gr", "\u1f00\u03bb\u03ad\u03be\u03b1\u03bd\u03b4\u03c1\u03bf\u03c2@\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9\u03b3\u03bc\u03b1.gr", ""},
		{"Chinese", "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a", "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a", ""},
		{"Devanagari with a vowel sign", "\u0915\u093f@example.com", "\u0915\u093f@example.com", ""},
		{"ASCII punctuation", "o'brien+tag@example.com", "o'brien+tag@example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := invites.NormalizeEmail("email", tt.in)
			if tt.wantErr != "" {
				wantInputError(t, err, "email", tt.wantErr)
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        string
	}{
		{"plain", "Ada Lovelace", "Ada Lovelace", ""},
		{"trimmed", "\u3000 Ada \u00a0", "Ada", ""},
		{"NFC", "Zoe\u0308", "Zo\u00eb", ""},
		{"200 characters once composed", strings.Repeat("e\u0301", 200), strings.Repeat("\u00e9", 200), ""},
		{"emoji", "Ada \u2764", "Ada \u2764", ""},
		{"no-break space kept", "Jean\u00a0Dupont", "Jean\u00a0Dupont", ""},
		{"ideographic space kept", "\u5c71\u7530\u3000\u592a\u90ce", "\u5c71\u7530\u3000\u592a\u90ce", ""},
		{"variation selector", "Ada \u2764\ufe0f", "", "U+FE0F (VARIATION SELECTOR-16)"},
		{"combining grapheme joiner", "A\u034fda", "", "U+034F"},
		{"line separator", "Ada\u2028Lovelace", "", "U+2028 (LINE SEPARATOR)"},
		{"paragraph separator", "Ada\u2029Lovelace", "", "U+2029 (PARAGRAPH SEPARATOR)"},
		{"blank", "  ", "", "name is required"},
		{"201 characters", strings.Repeat("n", 201), "", "name must be 1 to 200 characters"},
		{"line break", "Ada\nLovelace", "", "name must not contain control characters"},
		{"zero width space", "Ada\u200bLovelace", "", `U+200B (ZERO WIDTH SPACE), after "Ada"`},
		{"right-to-left override", "\u202eecalevoL adA", "", "U+202E (RIGHT-TO-LEFT OVERRIDE), at the start"},
		{"pop directional formatting", "Ada\u202c", "", "U+202C"},
		{"byte-order mark", "\ufeffAda", "", "U+FEFF"},
		{"only a Hangul filler", "\u3164", "", "U+3164"},
		{"not UTF-8", "Ad\xe2a", "", "name is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := invites.NormalizeName("name", tt.in)
			if tt.wantErr != "" {
				wantInputError(t, err, "name", tt.wantErr)
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("NormalizeName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNormalizeOptionalName(t *testing.T) {
	for _, in := range []*string{nil, ptr(""), ptr(" \t ")} {
		if got, err := invites.NormalizeOptionalName("name", in); got != nil || err != nil {
			t.Errorf("NormalizeOptionalName(%q) = %v, %v; want none", str(in), str(got), err)
		}
	}
	if got, err := invites.NormalizeOptionalName("name", ptr(" Ada ")); err != nil || str(got) != "Ada" {
		t.Errorf(`NormalizeOptionalName(" Ada ") = %v, %v; want "Ada"`, str(got), err)
	}
	_, err := invites.NormalizeOptionalName("name", ptr("Ada\u200d"))
	wantInputError(t, err, "name", "U+200D")
}

func TestNormalizeExternalID(t *testing.T) {
	tests := []struct {
		name    string
		in      *string
		want    *string
		wantErr string
	}{
		{"none", nil, nil, ""},
		{"blank is none", ptr("  "), nil, ""},
		{"trimmed", ptr(" S-1001\t"), ptr("S-1001"), ""},
		{"NFC", ptr("Jose\u0301-1"), ptr("Jos\u00e9-1"), ""},
		{"64 characters", ptr(strings.Repeat("x", 64)), ptr(strings.Repeat("x", 64)), ""},
		{"65 characters", ptr(strings.Repeat("x", 65)), nil, "externalId is longer than 64 characters"},
		{"zero width space between", ptr("a\u200bb"), nil, `U+200B (ZERO WIDTH SPACE), after "a"`},
		{"right-to-left mark", ptr("\u200fS-1"), nil, "U+200F (RIGHT-TO-LEFT MARK), at the start"},
		{"first strong isolate", ptr("S-1\u2068"), nil, "U+2068"},
		{"tab", ptr("S\t1"), nil, "externalId must not contain control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := invites.NormalizeExternalID("externalId", tt.in)
			if tt.wantErr != "" {
				wantInputError(t, err, "externalId", tt.wantErr)
				return
			}
			if err != nil || str(got) != str(tt.want) {
				t.Errorf("NormalizeExternalID(%q) = %s, %v; want %s", str(tt.in), str(got), err, str(tt.want))
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	for raw, want := range map[string]invites.Role{"admin": invites.RoleAdmin, " Contributor ": invites.RoleContributor, "PENDING": invites.RolePending, "owner": invites.RoleOwner} {
		got, err := invites.ParseRole("role", raw)
		if err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{"boss", " root ", "ADMINS"} {
		// The message names the value, as a bulk row's reason shows it, rather than the field.
		_, err := invites.ParseRole("role", raw)
		want := `"` + strings.TrimSpace(raw) + `" is not a role: use PENDING, CONTRIBUTOR or ADMIN`
		if e, ok := errors.AsType[*invites.Error](err); !ok || e.Code != invites.BadUserInput || e.Field != "role" || e.Message != want {
			t.Errorf("ParseRole(%q) = %v; want BAD_USER_INPUT on role: %s", raw, err, want)
		}
	}
}

func TestCheckRoleAndStatus(t *testing.T) {
	if err := invites.CheckRole("defaultRole", invites.RoleAdmin); err != nil {
		t.Errorf("CheckRole(ADMIN) = %v", err)
	}
	wantInputError(t, invites.CheckRole("defaultRole", "ROOT"), "defaultRole", "defaultRole is not a project role")
	if err := invites.CheckStatus("status", invites.StatusExpired); err != nil {
		t.Errorf("CheckStatus(EXPIRED) = %v", err)
	}
	wantInputError(t, invites.CheckStatus("status", "LOST"), "status", "status is not an invite status")
}
