package idempotency_test

import (
	"strings"
	"testing"

	"github.com/invites/invites/internal/idempotency"
)

func TestParseKey(t *testing.T) {
	long := strings.Repeat("k", idempotency.MaxKeyLength)
	for _, tc := range []struct {
		name   string
		values []string
		want   string // "" for an error
	}{
		{"UUID", []string{"8e03978e-40d5-43e8-bc93-6894a57f9324"}, "8e03978e-40d5-43e8-bc93-6894a57f9324"},
		{"Quoted", []string{`"8e03978e-40d5-43e8-bc93-6894a57f9324"`}, "8e03978e-40d5-43e8-bc93-6894a57f9324"},
		{"QuotedEscapes", []string{`"a\"b\\c d"`}, `a"b\c d`},
		{"TrimmedSpace", []string{"  abc "}, "abc"},
		{"LongestKey", []string{long}, long},
		{"Punctuation", []string{"!#$%&'*+-.^_`|~/:;<=>?@[]{}"}, "!#$%&'*+-.^_`|~/:;<=>?@[]{}"},
		{"TooLong", []string{long + "k"}, ""},
		{"QuotedTooLong", []string{`"` + long + `k"`}, ""},
		{"Empty", []string{""}, ""},
		{"EmptyQuoted", []string{`""`}, ""},
		{"Twice", []string{"a", "b"}, ""},
		{"InnerSpace", []string{"a b"}, ""},
		{"NonASCII", []string{"clé"}, ""},
		{"Control", []string{"a\tb"}, ""},
		{"Unclosed", []string{`"abc`}, ""},
		{"BadEscape", []string{`"a\nb"`}, ""},
		{"InnerQuote", []string{`"a"b"`}, ""},
		{"QuotedControl", []string{"\"a\x01b\""}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := idempotency.ParseKey(tc.values)
			if tc.want == "" {
				if err == nil {
					t.Errorf("ParseKey(%q) = %q, want an error", tc.values, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseKey(%q) = %q, %v; want %q", tc.values, got, err, tc.want)
			}
		})
	}
}
