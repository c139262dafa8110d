package locale_test

import (
	"errors"
	"testing"

	"github.com/invites/invites/internal/locale"
)

func TestParse(t *testing.T) {
	for tag, want := range map[string]string{
		"en": "en", "de-AT": "de", "fr-CA": "fr", "es-MX": "es", "pt-PT": "pt-BR", "pt": "pt-BR",
		"pt-BR": "pt-BR", "ja-JP": "ja", "ar-EG": "ar", "zh-Hant-TW": "en", " DE ": "de",
	} {
		got, err := locale.Parse(tag)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tag, got, err, want)
		}
	}
	for _, tag := range []string{"", "not a tag", "xx-!!", "qqq-ZZ-1", "en_US_x"} {
		if got, err := locale.Parse(tag); !errors.Is(err, locale.ErrInvalid) {
			t.Errorf("Parse(%q) = %q, %v; want ErrInvalid", tag, got, err)
		}
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"": "en", "de-DE,de;q=0.9,en;q=0.8": "de", "pt-PT;q=0.9": "pt-BR", "zh-TW": "en",
		"garbage;;;": "en", "ja,en;q=0.5": "ja", "*": "en", "ar-SA": "ar",
	} {
		if got := locale.FromAcceptLanguage(header); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %q; want %q", header, got, want)
		}
	}
	if locale.Dir("ar") != "rtl" || locale.Dir("de") != "ltr" {
		t.Error("Dir: want rtl for Arabic only")
	}
}
