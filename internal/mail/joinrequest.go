package mail

import (
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
)

// kindJoinRequestDecided is the email that tells a person an admin decided their request to
// join a project (internal/invites/joinrequests_decide.go).
const kindJoinRequestDecided = "join_request_decided"

// JoinRequestDecidedData is what a decided request's email says: Approved with the Role given
// (Link the project's page), or denied with the admin's Reason, which may be empty. Locale is
// the person's language (internal/locale); the Reason is the admin's own words, shown escaped
// and never translated.
type JoinRequestDecidedData struct {
	To          string
	Name        string
	ProjectName string
	Approved    bool
	Role        string
	Reason      string
	Link        string
	Locale      string
}

// JoinRequestDecided is the email to a person whose request to join was approved or denied. A
// denial carries no link: the project stays closed to them.
func JoinRequestDecided(d JoinRequestDecidedData) Message {
	params := map[string]string{"name": oneLine(d.Name), "project": oneLine(d.ProjectName)}
	m := Message{Kind: kindJoinRequestDecided, To: d.To, Params: params}
	if d.Approved {
		params["approved"], params["role"], m.Link = "true", oneLine(d.Role), d.Link
	} else if d.Reason != "" {
		params["reason"] = d.Reason
	}
	return m.In(d.Locale)
}

// joinRequestDecidedSubject is the decision email's subject in c's language.
func joinRequestDecidedSubject(c *catalog, w words, p map[string]string) string {
	if p["approved"] != "" {
		return oneLine(c.t("join_request.approved.subject", w))
	}
	return oneLine(c.t("join_request.denied.subject", w))
}

// joinRequestDecidedBody is the decision email's body in c's language. An email queued before
// the emails were translated holds its role as words ("a contributor"): wordsOf shows those as
// they are.
func joinRequestDecidedBody(c *catalog, w words, p map[string]string) body {
	if p["approved"] != "" {
		intro := c.t("join_request.approved.intro", w)
		if w.Role != "" {
			intro = c.t("join_request.approved.intro.role", w)
		}
		return body{Before: []string{intro}, Button: c.t("join_request.approved.button", w), LinkIntro: c.t("join_request.approved.link_intro", w)}
	}
	b := body{Before: []string{c.t("join_request.denied.intro", w)}}
	if p["reason"] != "" {
		b.NoteIntro, b.Note = c.t("join_request.denied.reason", w), strings.Split(p["reason"], "\n")
	}
	return b
}

// renderMore renders the kinds of this file that are not translated; false for another kind.
func (m Message) renderMore() (Message, bool) {
	if m.Kind == kindJoinRequestDigest {
		return m.renderDigest(), true
	}
	return m, false
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
