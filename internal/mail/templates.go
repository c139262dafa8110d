package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"
	"time"
)

// serviceName is how the emails name the service, and the "project" of an invite to the
// service alone.
const serviceName = "Invites"

// Verification is the email that proves a new account's address: link is the page that
// confirms it. name may be empty.
func Verification(to, name, link string) Message {
	return Message{
		Kind:    kindVerification,
		To:      to,
		Subject: "Confirm your email for " + serviceName,
		Link:    link,
		Params:  map[string]string{"name": oneLine(name)},
	}
}

// PasswordReset is the email that carries a password-reset link: link is the page that sets
// a new password; valid says for how long it works ("1 hour"). name may be empty.
func PasswordReset(to, name, link, valid string) Message {
	return Message{
		Kind:    kindPasswordReset,
		To:      to,
		Subject: "Reset your password for " + serviceName,
		Link:    link,
		Params:  map[string]string{"name": oneLine(name), "valid": oneLine(valid)},
	}
}

// InvitationData is what an invitation email says. ProjectName and Role are empty for an
// invite to the service alone; ExpiresAt is left out of the email when zero.
type InvitationData struct {
	To          string
	InviterName string
	ProjectName string
	Role        string
	Link        string
	ExpiresAt   time.Time
	// Reminder makes it the reminder before the invite expires: it says so, and that the
	// links of earlier emails no longer work.
	Reminder bool
}

// Invitation is the email that carries an invite's secret link.
func Invitation(d InvitationData) Message {
	inviter := oneLine(d.InviterName)
	if inviter == "" {
		inviter = "Someone"
	}
	project := oneLine(d.ProjectName)
	target := project
	if target == "" {
		target = serviceName
	}
	params := map[string]string{"inviter": inviter, "project": project, "role": roleText(d.Role)}
	if !d.ExpiresAt.IsZero() {
		params["expires"] = d.ExpiresAt.UTC().Format("2 January 2006, 15:04 MST")
	}
	subject := inviter + " invited you to " + target
	if d.Reminder {
		params["reminder"] = "true"
		subject = "Reminder: " + subject
	}
	return Message{
		Kind:    kindInvite,
		To:      d.To,
		Subject: subject,
		Link:    d.Link,
		Params:  params,
	}
}

const (
	kindVerification  = "verification"
	kindInvite        = "invite"
	kindPasswordReset = "password_reset"
)

// Render returns m with its text and HTML parts made from its kind's templates.
func (m Message) Render() (Message, error) {
	p := m.Params
	switch m.Kind {
	case kindVerification:
		data := struct{ Name, Link, Service string }{p["name"], m.Link, serviceName}
		m.Text, m.HTML = render(verificationText, data), render(verificationHTML, data)
	case kindPasswordReset:
		data := struct{ Name, Link, Service, Valid string }{p["name"], m.Link, serviceName, p["valid"]}
		m.Text, m.HTML = render(passwordResetText, data), render(passwordResetHTML, data)
	case kindInvite:
		data := struct {
			Inviter, Target, Role, Link, Service, Expires string
			Project, Reminder                             bool
		}{
			Inviter: p["inviter"], Target: p["project"], Role: p["role"], Link: m.Link,
			Service: serviceName, Expires: p["expires"], Project: p["project"] != "", Reminder: p["reminder"] != "",
		}
		if data.Target == "" {
			data.Target = serviceName
		}
		m.Text, m.HTML = render(invitationText, data), render(invitationHTML, data)
	default:
		if more, ok := m.renderMore(); ok {
			return more, nil
		}
		return m, fmt.Errorf("mail: no template for emails of kind %q", m.Kind)
	}
	return m, nil
}

// roleText turns a role such as CONTRIBUTOR into "a contributor" for a sentence.
func roleText(role string) string {
	r := strings.ToLower(oneLine(role))
	if r == "" {
		return ""
	}
	if strings.ContainsRune("aeiou", rune(r[0])) {
		return "an " + r
	}
	return "a " + r
}

// oneLine keeps user-given names from adding lines to a subject or a sentence.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

var (
	verificationText = texttemplate.Must(texttemplate.New("verification").Parse(
		`Hello{{if .Name}} {{.Name}}{{end}},

Please confirm your email address for {{.Service}} by opening this link:

{{.Link}}

If you did not sign up for {{.Service}}, you can ignore this email.
`))
	verificationHTML = htmltemplate.Must(htmltemplate.New("verification").Parse(
		`<!DOCTYPE html>
<html><body>
<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>Please confirm your email address for {{.Service}}:</p>
<p><a href="{{.Link}}">Confirm my email</a></p>
<p>Or open this link: {{.Link}}</p>
<p>If you did not sign up for {{.Service}}, you can ignore this email.</p>
</body></html>
`))
	passwordResetText = texttemplate.Must(texttemplate.New("password_reset").Parse(
		`Hello{{if .Name}} {{.Name}}{{end}},

Someone asked to reset the password of your {{.Service}} account. Choose a new password by
opening this link{{if .Valid}} (it works once, for {{.Valid}}){{end}}:

{{.Link}}

If you did not ask for this, you can ignore this email: your password stays as it is.
`))
	passwordResetHTML = htmltemplate.Must(htmltemplate.New("password_reset").Parse(
		`<!DOCTYPE html>
<html><body>
<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>Someone asked to reset the password of your {{.Service}} account. Choose a new password{{if .Valid}} (the link works once, for {{.Valid}}){{end}}:</p>
<p><a href="{{.Link}}">Reset my password</a></p>
<p>Or open this link: {{.Link}}</p>
<p>If you did not ask for this, you can ignore this email: your password stays as it is.</p>
</body></html>
`))
	invitationText = texttemplate.Must(texttemplate.New("invitation").Parse(
		`Hello,

{{if .Reminder}}A reminder: {{end}}{{.Inviter}} invited you to {{if .Project}}join the project {{.Target}}{{if .Role}} as {{.Role}}{{end}} on {{.Service}}{{else}}{{.Service}}{{end}}.
{{if .Reminder}}
The invitation expires soon. This email has a new link: the links of earlier emails no longer work.
{{end}}
Accept the invitation by opening this link:

{{.Link}}
{{if .Expires}}
The invitation expires on {{.Expires}}.
{{end}}
If you did not expect this invitation, you can ignore this email.
`))
	invitationHTML = htmltemplate.Must(htmltemplate.New("invitation").Parse(
		`<!DOCTYPE html>
<html><body>
<p>Hello,</p>
<p>{{if .Reminder}}A reminder: {{end}}{{.Inviter}} invited you to {{if .Project}}join the project <b>{{.Target}}</b>{{if .Role}} as {{.Role}}{{end}} on {{.Service}}{{else}}{{.Service}}{{end}}.</p>
{{if .Reminder}}<p>The invitation expires soon. This email has a new link: the links of earlier emails no longer work.</p>
{{end}}<p><a href="{{.Link}}">Accept the invitation</a></p>
<p>Or open this link: {{.Link}}</p>
{{if .Expires}}<p>The invitation expires on {{.Expires}}.</p>
{{end}}<p>If you did not expect this invitation, you can ignore this email.</p>
</body></html>
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
