package mail

import (
	htmltemplate "html/template"
	texttemplate "text/template"
)

// kindJoinRequestDecided is the email that tells a person an admin decided their request to
// join a project (internal/invites/joinrequests_decide.go).
const kindJoinRequestDecided = "join_request_decided"

// JoinRequestDecidedData is what a decided request's email says: Approved with the Role given
// (Link the project's page), or denied with the admin's Reason, which may be empty.
type JoinRequestDecidedData struct {
	To          string
	Name        string
	ProjectName string
	Approved    bool
	Role        string
	Reason      string
	Link        string
}

// JoinRequestDecided is the email to a person whose request to join was approved or denied.
func JoinRequestDecided(d JoinRequestDecidedData) Message {
	subject := "Your request to join " + oneLine(d.ProjectName) + " was declined"
	params := map[string]string{"name": oneLine(d.Name), "project": oneLine(d.ProjectName), "reason": d.Reason}
	if d.Approved {
		subject = "You joined " + oneLine(d.ProjectName)
		params["approved"], params["role"] = "true", roleText(d.Role)
	}
	return Message{Kind: kindJoinRequestDecided, To: d.To, Subject: subject, Link: d.Link, Params: params}
}

// renderMore renders the kinds of this file; false for another kind.
func (m Message) renderMore() (Message, bool) {
	if m.Kind != kindJoinRequestDecided {
		return m, false
	}
	p := m.Params
	data := struct {
		Name, Project, Role, Reason, Link, Service string
		Approved                                   bool
	}{p["name"], p["project"], p["role"], p["reason"], m.Link, serviceName, p["approved"] != ""}
	m.Text, m.HTML = render(joinRequestDecidedText, data), render(joinRequestDecidedHTML, data)
	return m, true
}

var (
	joinRequestDecidedText = texttemplate.Must(texttemplate.New("join_request_decided").Parse(
		`Hello{{if .Name}} {{.Name}}{{end}},

{{if .Approved}}Your request to join the project {{.Project}} on {{.Service}} was approved: you are a member{{if .Role}}, as {{.Role}}{{end}}.

Open the project:

{{.Link}}
{{else}}Your request to join the project {{.Project}} on {{.Service}} was declined.
{{if .Reason}}
The admin said: {{.Reason}}
{{end}}{{end}}`))
	joinRequestDecidedHTML = htmltemplate.Must(htmltemplate.New("join_request_decided").Parse(
		`<!DOCTYPE html>
<html><body>
<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
{{if .Approved}}<p>Your request to join the project <b>{{.Project}}</b> on {{.Service}} was approved: you are a member{{if .Role}}, as {{.Role}}{{end}}.</p>
<p><a href="{{.Link}}">Open the project</a></p>
<p>Or open this link: {{.Link}}</p>
{{else}}<p>Your request to join the project <b>{{.Project}}</b> on {{.Service}} was declined.</p>
{{if .Reason}}<p>The admin said: {{.Reason}}</p>
{{end}}{{end}}</body></html>
`))
)
