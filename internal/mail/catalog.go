package mail

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/invites/invites/internal/locale"
)

// The emails' words live in locales/<tag>.json, one flat file per language of
// locale.Supported, which a translator edits without reading code. A value is a text/template
// snippet over the email's data ({{.Inviter}}, {{.Service}}...); a message with a count has
// one key per CLDR plural form (".one", ".other", and for Arabic ".zero", ".two", ".few",
// ".many"), chosen with golang.org/x/text/feature/plural. Plain JSON and x/text rather than a
// catalog library: x/text is a dependency already, and its gotext tool would make the
// translator's files generated Go. TestCatalogs holds every file to exactly the messages
// listed in Messages.
//
//go:embed locales/*.json
var catalogFiles embed.FS

// Messages are the keys the code looks up; plural ones (PluralMessages) have a key per form.
var Messages = []string{
	"greeting", "greeting.named", "or_open_link", "date.format", "date.months", "someone",
	"verification.subject", "verification.intro", "verification.button", "verification.ignore",
	"reset.subject", "reset.intro", "reset.intro.valid", "reset.button", "reset.ignore",
	"invite.subject", "invite.subject.reminder", "invite.intro.project", "invite.intro.project.role",
	"invite.intro.service", "invite.reminder.prefix", "invite.reminder.body", "invite.note",
	"invite.link_intro", "invite.button", "invite.expires", "invite.ignore",
	"role.PENDING", "role.CONTRIBUTOR", "role.ADMIN", "role.OWNER",
	"welcome.subject", "welcome.intro", "welcome.intro.approved", "welcome.button",
	"failed.line", "failed.reason.FAILED_PERMANENT", "failed.reason.BOUNCED", "failed.reason.SUPPRESSED",
	"failed.fix", "failed.button", "failed.digest", "denied.subject", "denied.intro", "denied.reason",
	"joindigest.subject", "joindigest.button", "joindigest.optout",
	"domainlost.subject", "domainlost.intro", "domainlost.fix", "domainlost.button",
}

// PluralMessages take a count {{.N}}: one key per plural form of the language.
var PluralMessages = []string{"duration.hours", "duration.minutes", "duration.seconds", "failed.subject", "failed.intro", "failed.more", "joindigest.intro"}

type catalog struct {
	tag  language.Tag
	msgs map[string]*texttemplate.Template
}

var catalogs = loadCatalogs()

// Catalog returns the raw messages of a language's file, for the catalog test.
func Catalog(lang string) (map[string]string, error) {
	b, err := catalogFiles.ReadFile("locales/" + lang + ".json")
	if err != nil {
		return nil, err
	}
	var m map[string]string
	return m, json.Unmarshal(b, &m)
}

func loadCatalogs() map[string]*catalog {
	out := map[string]*catalog{}
	for _, lang := range locale.Supported {
		raw, err := Catalog(lang)
		if err != nil {
			panic("mail: catalog " + lang + ": " + err.Error())
		}
		c := &catalog{tag: language.MustParse(lang), msgs: map[string]*texttemplate.Template{}}
		for k, v := range raw {
			c.msgs[k] = texttemplate.Must(texttemplate.New(lang + ":" + k).Option("missingkey=zero").Parse(v))
		}
		out[lang] = c
	}
	return out
}

// catalogFor is the catalog of a stored locale; English for one we do not have.
func catalogFor(lang string) *catalog { return catalogs[locale.Known(lang)] }

// t renders the message key with data; a message missing from the catalog falls back to
// English (TestCatalogs keeps that from happening).
func (c *catalog) t(key string, data any) string {
	tmpl, ok := c.msgs[key]
	if !ok {
		if tmpl, ok = catalogs[locale.Default].msgs[key]; !ok {
			panic("mail: no message " + key)
		}
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		panic("mail: message " + key + ": " + err.Error())
	}
	return b.String()
}

// has says whether the catalog, or the English one, holds key.
func (c *catalog) has(key string) bool {
	_, ok := c.msgs[key]
	_, en := catalogs[locale.Default].msgs[key]
	return ok || en
}

// counted is what a plural message is rendered with: the email's words and the count.
type counted struct {
	words
	N int
}

// plural renders the form of key for count n in the catalog's language, with w's words.
func (c *catalog) plural(key string, n int, w words) string {
	form := pluralForms[plural.Cardinal.MatchPlural(c.tag, n, 0, 0, 0, 0)]
	if _, ok := c.msgs[key+"."+form]; !ok {
		form = "other"
	}
	return c.t(key+"."+form, counted{w, n})
}

var pluralForms = map[plural.Form]string{
	plural.Other: "other", plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

// date writes t in the reader's language, with its time zone (UTC) shown.
func (c *catalog) date(t time.Time) string {
	t = t.UTC()
	months := strings.Split(c.t("date.months", nil), "|")
	month := t.Month().String()
	if len(months) == 12 {
		month = months[t.Month()-1]
	}
	return c.t("date.format", map[string]string{
		"Day": strconv.Itoa(t.Day()), "Month": month, "MonthNumber": fmt.Sprintf("%02d", int(t.Month())),
		"Year": strconv.Itoa(t.Year()), "Time": t.Format("15:04"), "Zone": "UTC",
	})
}

// duration translates how long a link works, given in English by the caller ("1 hour",
// "30 minutes"); anything else is shown as given.
func (c *catalog) duration(s string) string {
	f := strings.Fields(s)
	if len(f) != 2 {
		return s
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return s
	}
	switch strings.TrimSuffix(f[1], "s") {
	case "hour":
		return c.plural("duration.hours", n, words{})
	case "minute":
		return c.plural("duration.minutes", n, words{})
	case "second":
		return c.plural("duration.seconds", n, words{})
	}
	return s
}
