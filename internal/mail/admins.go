package mail

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// The emails to a project's admins, each in the locale of whom it is written to (their
// account's): the hourly digest of requests to join, and the loss of a verified domain.
const (
	kindJoinRequestDigest = "join_request_digest"
	kindDomainLost        = "domain_lost"
)

// JoinRequestDigestData is what a digest says: how many new requests wait, in which projects,
// and a link to the first project's requests; Locale is the admin's. The digest goes over
// several projects, so it belongs to the service project (Message.ProjectID zero).
type JoinRequestDigestData struct {
	To       string
	Name     string
	Projects []string
	Count    int
	Link     string
	Locale   string
}

// JoinRequestDigest is an admin's digest of requests to join that wait for a decision.
func JoinRequestDigest(d JoinRequestDigestData) Message {
	names := make([]string, len(d.Projects))
	for i, p := range d.Projects {
		names[i] = oneLine(p)
	}
	params := map[string]string{"name": oneLine(d.Name), "projects": strings.Join(names, ", "), "count": strconv.Itoa(d.Count)}
	m := Message{Kind: kindJoinRequestDigest, To: d.To, Link: d.Link, Params: params}
	return m.In(d.Locale)
}

// DomainLostData is what the loss of a domain says: the project, the domain and its TXT
// record's name, and Link, the project's Domains settings page; Locale is the admin's.
type DomainLostData struct {
	// ProjectID is the project the email is about, the email's (Message.ProjectID).
	ProjectID   uuid.UUID
	To          string
	Name        string
	ProjectName string
	Domain      string
	Record      string
	Link        string
	Locale      string
}

// DomainLost is the email that tells a project's admin that the daily check no longer finds
// a verified domain's TXT record: the domain is unverified and its policy OFF until it is
// verified again.
func DomainLost(d DomainLostData) Message {
	params := map[string]string{"name": oneLine(d.Name), "project": oneLine(d.ProjectName), "domain": oneLine(d.Domain), "record": oneLine(d.Record)}
	m := Message{ProjectID: d.ProjectID, Kind: kindDomainLost, To: d.To, Link: d.Link, Params: params}
	return m.In(d.Locale)
}

// adminSubject is the subject of an admins' email in c's language; false for another kind.
func adminSubject(c *catalog, w words, kind string) (string, bool) {
	switch kind {
	case kindJoinRequestDigest:
		return oneLine(c.t("joindigest.subject", w)), true
	case kindDomainLost:
		return oneLine(c.t("domainlost.subject", w)), true
	}
	return "", false
}

// adminBody is the body of an admins' email in c's language; false for another kind. A digest
// or a domain's loss queued before they were translated has no locale, and is in English.
func adminBody(c *catalog, w words, kind string, p map[string]string) (body, bool) {
	switch kind {
	case kindJoinRequestDigest:
		n, _ := strconv.Atoi(p["count"])
		return body{Before: []string{c.plural("joindigest.intro", n, w)}, Button: c.t("joindigest.button", w),
			After: []string{c.t("joindigest.optout", w)}}, true
	case kindDomainLost:
		return body{Before: []string{c.t("domainlost.intro", w), c.t("domainlost.fix", w)}, Button: c.t("domainlost.button", w)}, true
	}
	return body{}, false
}
