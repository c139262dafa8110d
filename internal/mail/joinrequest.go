package mail

import (
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
)

// renderMore renders the kinds of this file; false for another kind.
func (m Message) renderMore() (Message, bool) {
	if m.Kind != kindJoinRequestDigest {
		return m, false
	}
	return m.renderDigest(), true
}

// kindJoinRequestDigest is an admin's hourly digest of new requests to join.
const kindJoinRequestDigest = "join_request_digest"

// JoinRequestDigestData is what a digest says: how many new requests wait, in which projects,
// and a link to the first project's requests.
type JoinRequestDigestData struct {
	To       string
	Name     string
	Projects []string
	Count    int
	Link     string
}

// JoinRequestDigest is an admin's digest of requests to join that wait for a decision.
func JoinRequestDigest(d JoinRequestDigestData) Message {
	names := make([]string, len(d.Projects))
	for i, p := range d.Projects {
		names[i] = oneLine(p)
	}
	subject := "New requests to join " + strings.Join(names, ", ")
	return Message{Kind: kindJoinRequestDigest, To: d.To, Subject: subject, Link: d.Link,
		Params: map[string]string{"name": oneLine(d.Name), "projects": strings.Join(names, ", "), "count": strconv.Itoa(d.Count)}}
}

// renderDigest renders a digest.
func (m Message) renderDigest() Message {
	p := m.Params
	data := struct{ Name, Projects, Count, Link, Service string }{p["name"], p["projects"], p["count"], m.Link, serviceName}
	m.Text, m.HTML = render(joinRequestDigestText, data), render(joinRequestDigestHTML, data)
	return m
}

var (
	joinRequestDigestText = texttemplate.Must(texttemplate.New("join_request_digest").Parse(
		`Hello{{if .Name}} {{.Name}}{{end}},

{{.Count}} new request(s) to join wait for a decision on {{.Service}}, in: {{.Projects}}.

Review them:

{{.Link}}

You get at most one such email an hour; you can turn them off in your account.
`))
	joinRequestDigestHTML = htmltemplate.Must(htmltemplate.New("join_request_digest").Parse(
		`<!DOCTYPE html>
<html><body>
<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>{{.Count}} new request(s) to join wait for a decision on {{.Service}}, in: {{.Projects}}.</p>
<p><a href="{{.Link}}">Review them</a></p>
<p>Or open this link: {{.Link}}</p>
<p>You get at most one such email an hour; you can turn them off in your account.</p>
</body></html>
`))
)
