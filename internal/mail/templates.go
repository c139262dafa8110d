package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/google/uuid"

	"github.com/invites/invites/internal/locale"
)

// serviceName is how the emails name the service, and the "project" of an invite to the
// service alone.
const serviceName = "Invites"

// Verification is the email that proves a new account's address: link is the page that
// confirms it. name may be empty. It is in English until In sets its reader's language.
func Verification(to, name, link string) Message {
	m := Message{Kind: kindVerification, To: to, Link: link, Params: map[string]string{"name": oneLine(name)}}
	return m.In(locale.Default)
}

// PasswordReset is the email that carries a password-reset link: link is the page that sets
// a new password; valid says for how long it works ("1 hour", translated). name may be empty.
func PasswordReset(to, name, link, valid string) Message {
	m := Message{Kind: kindPasswordReset, To: to, Link: link, Params: map[string]string{"name": oneLine(name), "valid": oneLine(valid)}}
	return m.In(locale.Default)
}

// In returns m written in lang (a stored locale): its subject now, its body when rendered.
func (m Message) In(lang string) Message {
	params := make(map[string]string, len(m.Params)+1)
	for k, v := range m.Params {
		params[k] = v
	}
	params["locale"] = locale.Known(lang)
	m.Params = params
	m.Subject = subject(m.Kind, params)
	return m
}

// InvitationData is what an invitation email says. ProjectName and Role are empty for an
// invite to the service alone; ExpiresAt is left out of the email when zero.
type InvitationData struct {
	// ProjectID is the invite's project, the email's (Message.ProjectID): zero, the service
	// project, for an invite to the service alone.
	ProjectID   uuid.UUID
	To          string
	InviterName string
	ProjectName string
	Role        string
	Link        string
	ExpiresAt   time.Time
	// Reminder makes it the reminder before the invite expires: it says so, and that the
	// links of earlier emails no longer work.
	Reminder bool
	// Locale is the language the email is written in (internal/locale); Note the inviter's
	// own words, shown escaped and never translated.
	Locale string
	Note   string
}

// Invitation is the email that carries an invite's secret link.
func Invitation(d InvitationData) Message {
	params := map[string]string{"inviter": oneLine(d.InviterName), "project": oneLine(d.ProjectName), "role": oneLine(d.Role)}
	if !d.ExpiresAt.IsZero() {
		params["expires_at"] = d.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if d.Note != "" {
		params["note"] = d.Note
	}
	if d.Reminder {
		params["reminder"] = "true"
	}
	m := Message{ProjectID: d.ProjectID, Kind: kindInvite, To: d.To, Link: d.Link, Params: params}
	return m.In(d.Locale)
}

const (
	kindVerification  = "verification"
	kindInvite        = "invite"
	kindPasswordReset = "password_reset"
)

// words is what the messages of an email are rendered with.
type words struct {
	Name, Service, Inviter, Target, Role, Valid, Expires string
	// Projects, Domain and Record are the admins' emails' (admins.go).
	Projects, Domain, Record string
}

func wordsOf(c *catalog, p map[string]string) words {
	w := words{Name: p["name"], Service: serviceName, Inviter: p["inviter"], Target: p["project"], Valid: c.duration(p["valid"]),
		Projects: p["projects"], Domain: p["domain"], Record: p["record"]}
	if w.Inviter == "" {
		w.Inviter = c.t("someone", nil)
	}
	if w.Target == "" {
		w.Target = serviceName
	}
	if key := "role." + strings.ToUpper(p["role"]); c.has(key) {
		w.Role = c.t(key, nil)
	} else {
		w.Role = strings.ToLower(p["role"])
	}
	if at, err := time.Parse(time.RFC3339, p["expires_at"]); err == nil {
		w.Expires = c.date(at)
	} else if p["expires"] != "" {
		w.Expires = p["expires"] // queued before emails were translated
	}
	return w
}

// subject is the subject of an email of kind with params, in params' locale.
func subject(kind string, p map[string]string) string {
	c := catalogFor(p["locale"])
	w := wordsOf(c, p)
	switch kind {
	case kindVerification:
		return c.t("verification.subject", w)
	case kindPasswordReset:
		return c.t("reset.subject", w)
	case kindInvite:
		if p["reminder"] != "" {
			return oneLine(c.t("invite.subject.reminder", w))
		}
		return oneLine(c.t("invite.subject", w))
	case kindWelcome:
		return oneLine(c.t("welcome.subject", w))
	case kindJoinRequestDecided:
		return oneLine(c.t("denied.subject", w))
	case kindDeliveryFailed:
		return oneLine(c.plural("failed.subject", failureCount(p), w))
	}
	subject, _ := adminSubject(c, w, kind)
	return subject
}

// Render returns m with its text and HTML parts made from its kind's messages, in its locale.
func (m Message) Render() (Message, error) {
	c := catalogFor(m.Params["locale"])
	w := wordsOf(c, m.Params)
	var b body
	switch m.Kind {
	case kindVerification:
		b = body{Before: []string{c.t("verification.intro", w)}, Button: c.t("verification.button", w), After: []string{c.t("verification.ignore", w)}}
	case kindPasswordReset:
		intro := c.t("reset.intro", w)
		if w.Valid != "" {
			intro = c.t("reset.intro.valid", w)
		}
		b = body{Before: []string{intro}, Button: c.t("reset.button", w), After: []string{c.t("reset.ignore", w)}}
	case kindInvite:
		b = inviteBody(c, w, m.Params)
	case kindWelcome:
		b = welcomeBody(c, w, m.Params)
	case kindDeliveryFailed:
		b = deliveryFailedBody(c, w, m.Params)
	case kindJoinRequestDecided:
		b = joinRequestDecidedBody(c, w, m.Params)
		if m.Params["approved"] == "" {
			// A denial queued before denials left out the link still shows none.
			m.Link = ""
		}
	default:
		var ok bool
		if b, ok = adminBody(c, w, m.Kind, m.Params); !ok {
			return m, fmt.Errorf("mail: no template for emails of kind %q", m.Kind)
		}
	}
	b.Lang, b.Dir, b.Link, b.OrLink = locale.Known(m.Params["locale"]), locale.Dir(m.Params["locale"]), m.Link, c.t("or_open_link", w)
	b.Greeting = c.t("greeting", w)
	if w.Name != "" {
		b.Greeting = c.t("greeting.named", w)
	}
	m.Text, m.HTML = render(bodyText, b), render(bodyHTML, b)
	return m, nil
}

func inviteBody(c *catalog, w words, p map[string]string) body {
	intro := c.t("invite.intro.service", w)
	switch {
	case p["project"] != "" && w.Role != "":
		intro = c.t("invite.intro.project.role", w)
	case p["project"] != "":
		intro = c.t("invite.intro.project", w)
	}
	if p["reminder"] != "" {
		intro = c.t("invite.reminder.prefix", w) + " " + intro
	}
	b := body{Before: []string{intro}, Button: c.t("invite.button", w), LinkIntro: c.t("invite.link_intro", w)}
	if p["reminder"] != "" {
		b.Before = append(b.Before, c.t("invite.reminder.body", w))
	}
	if p["note"] != "" {
		b.NoteIntro, b.Note = c.t("invite.note", w), strings.Split(p["note"], "\n")
	}
	if w.Expires != "" {
		b.After = append(b.After, c.t("invite.expires", w))
	}
	b.After = append(b.After, c.t("invite.ignore", w))
	return b
}

// body is an email's parts in its reader's words, for the text and HTML layouts: all of it
// is text, which the HTML layout escapes.
type body struct {
	Lang, Dir, Greeting, LinkIntro, Button, Link, OrLink, NoteIntro string
	// List is shown as a list after Before: the addresses of a delivery failure.
	Before, List, Note, After []string
}

// oneLine keeps user-given names from adding lines to a subject or a sentence.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

var (
	bodyText = texttemplate.Must(texttemplate.New("body").Parse(`{{.Greeting}}
{{range .Before}}
{{.}}
{{end}}{{if .List}}
{{range .List}}- {{.}}
{{end}}{{end}}{{if .Note}}
{{.NoteIntro}}
{{range .Note}}> {{.}}
{{end}}{{end}}{{if .Link}}
{{if .LinkIntro}}{{.LinkIntro}}

{{end}}{{.Link}}
{{end}}{{range .After}}
{{.}}
{{end}}`))
	bodyHTML = htmltemplate.Must(htmltemplate.New("body").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}"><body>
<p>{{.Greeting}}</p>
{{range .Before}}<p>{{.}}</p>
{{end}}{{if .List}}<ul>
{{range .List}}<li>{{.}}</li>
{{end}}</ul>
{{end}}{{if .Note}}<p>{{.NoteIntro}}</p>
<blockquote>{{range $i, $l := .Note}}{{if $i}}<br>{{end}}{{$l}}{{end}}</blockquote>
{{end}}{{if .Link}}<p><a href="{{.Link}}">{{.Button}}</a></p>
<p>{{.OrLink}} {{.Link}}</p>
{{end}}{{range .After}}<p>{{.}}</p>
{{end}}</body></html>
`))
)

// template is a text or an HTML template.
type template interface {
	Execute(w io.Writer, data any) error
	Name() string
}

// render executes a template whose data cannot make it fail; an error is a bug in the template.
func render(t template, data any) string {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		panic("mail: template " + t.Name() + ": " + err.Error())
	}
	return b.String()
}
