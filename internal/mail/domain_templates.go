package mail

import (
	htmltemplate "html/template"
	texttemplate "text/template"
)

const kindDomainLost = "domain_lost"

// DomainLost is the email that tells a project's admin that the daily check no longer finds
// a verified domain's TXT record: the domain is unverified and its policy OFF until it is
// verified again. link is the project's Domains settings page.
func DomainLost(to, name, project, domain, record, link string) Message {
	return Message{
		Kind:    kindDomainLost,
		To:      to,
		Subject: oneLine(domain) + " is no longer verified for " + oneLine(project),
		Link:    link,
		Params:  map[string]string{"name": oneLine(name), "project": oneLine(project), "domain": oneLine(domain), "record": oneLine(record)},
	}
}

// renderDomainLost fills in m's text and HTML parts.
func renderDomainLost(m Message) Message {
	p := m.Params
	data := struct{ Name, Project, Domain, Record, Link, Service string }{
		p["name"], p["project"], p["domain"], p["record"], m.Link, serviceName}
	m.Text, m.HTML = render(domainLostText, data), render(domainLostHTML, data)
	return m
}

var (
	domainLostText = texttemplate.Must(texttemplate.New("domain_lost").Parse(
		`Hello{{if .Name}} {{.Name}}{{end}},

The daily check of {{.Service}} no longer finds the DNS TXT record {{.Record}}, so the domain
{{.Domain}} is no longer verified for the project {{.Project}}, and its policy is now OFF.

Publish the record again and verify the domain on the project's Domains settings:

{{.Link}}
`))
	domainLostHTML = htmltemplate.Must(htmltemplate.New("domain_lost").Parse(
		`<!DOCTYPE html>
<html><body>
<p>Hello{{if .Name}} {{.Name}}{{end}},</p>
<p>The daily check of {{.Service}} no longer finds the DNS TXT record <code>{{.Record}}</code>, so the domain <b>{{.Domain}}</b> is no longer verified for the project <b>{{.Project}}</b>, and its policy is now OFF.</p>
<p>Publish the record again and verify the domain on the project's <a href="{{.Link}}">Domains settings</a>.</p>
<p>Or open this link: {{.Link}}</p>
</body></html>
`))
)
