// Package locale picks the language an email or page is written in: one of the languages the
// service has catalogs for, matched from a BCP 47 tag or an Accept-Language header with
// golang.org/x/text/language, so that pt-PT gets Portuguese and a language we lack gets the
// nearest we have, or English, never an error.
package locale

import (
	"errors"
	"strings"

	"golang.org/x/text/language"
)

// Default is the language of an email or page with no better choice.
const Default = "en"

// Supported are the languages the service writes in, the default first: the matcher falls
// back to it.
var Supported = []string{"en", "de", "fr", "es", "pt-BR", "ja", "ar"}

var (
	supportedTags = func() []language.Tag {
		tags := make([]language.Tag, len(Supported))
		for i, s := range Supported {
			tags[i] = language.MustParse(s)
		}
		return tags
	}()
	matcher = language.NewMatcher(supportedTags)
)

// ErrInvalid is returned by Parse for a tag that is not a well-formed, known BCP 47 tag.
var ErrInvalid = errors.New("not a well-formed BCP 47 language tag")

// Parse matches a BCP 47 tag given by a person to the language we write it in: "pt-PT" is
// "pt-BR", "zh-Hant-TW" is the nearest we have or English. A malformed or unknown tag is
// ErrInvalid.
func Parse(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" || len(tag) > 64 {
		return "", ErrInvalid
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", ErrInvalid
	}
	return match(t), nil
}

// FromAcceptLanguage matches an Accept-Language header to the language we write in: Default
// where it is blank, malformed or names nothing near one of ours.
func FromAcceptLanguage(header string) string {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Supported[i]
}

// Known returns s where it is one of Supported, else Default: for a stored locale read back.
func Known(s string) string {
	for _, l := range Supported {
		if l == s {
			return s
		}
	}
	return Default
}

// Dir is the writing direction of a language: "rtl" or "ltr", for HTML's dir.
func Dir(s string) string {
	if s == "ar" {
		return "rtl"
	}
	return "ltr"
}

func match(t language.Tag) string {
	_, i, conf := matcher.Match(t)
	if conf == language.No {
		return Default
	}
	return Supported[i]
}
