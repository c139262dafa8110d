package mail

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// The emails that follow an invite, each in the locale of whom it is written to (SPEC §17):
// the welcome of a person who joined a project, the inviter's digest of invitations whose
// emails failed for good, and the answer to a request to join that was denied (an approved one
// is told by the welcome).
const (
	kindWelcome            = "welcome"
	kindDeliveryFailed     = "delivery_failed"
	kindJoinRequestDecided = "join_request_decided"
)

// WelcomeData is what a welcome says: the project joined, with the role it gave, and a link
// to the project in the web app. Locale is the reader's (the claimed invite's, else their
// account's); Approved says the join was an admin's approval of their request to join.
type WelcomeData struct {
	// ProjectID is the project the email is about, the email's (Message.ProjectID).
	ProjectID   uuid.UUID
	To          string
	Name        string
	ProjectName string
	Role        string
	Link        string
	Locale      string
	Approved    bool
}

// Welcome is the email to a person who has just joined a project.
func Welcome(d WelcomeData) Message {
	params := map[string]string{"name": oneLine(d.Name), "project": oneLine(d.ProjectName), "role": oneLine(d.Role)}
	if d.Approved {
		params["approved"] = "true"
	}
	m := Message{ProjectID: d.ProjectID, Kind: kindWelcome, To: d.To, Link: d.Link, Params: params}
	return m.In(d.Locale)
}

func welcomeBody(c *catalog, w words, p map[string]string) body {
	intro := c.t("welcome.intro", w)
	if p["approved"] != "" {
		intro = c.t("welcome.intro.approved", w)
	}
	return body{Before: []string{intro}, Button: c.t("welcome.button", w)}
}

// DeliveryFailure is one invitation whose email failed for good: its address, and the status
// that says why (StatusFailedPermanent, StatusBounced or StatusSuppressed).
type DeliveryFailure struct {
	Email  string
	Status Status
}

// DeliveryFailedData is an inviter's digest of the invitations to one project whose emails
// failed for good since the last one. Link is the project's invitations filtered on the
// undeliverable; Locale the inviter's.
type DeliveryFailedData struct {
	// ProjectID is the project the email is about, the email's (Message.ProjectID).
	ProjectID   uuid.UUID
	To          string
	Name        string
	ProjectName string
	Link        string
	Locale      string
	Failures    []DeliveryFailure
}

// MaxListedFailures is how many addresses a delivery-failure digest lists; it counts the rest.
const MaxListedFailures = 50

// DeliveryFailed is an inviter's digest of invitations that could not be delivered.
func DeliveryFailed(d DeliveryFailedData) Message {
	lines := make([]string, 0, min(len(d.Failures), MaxListedFailures))
	for _, f := range d.Failures[:min(len(d.Failures), MaxListedFailures)] {
		lines = append(lines, oneLine(f.Email)+"\t"+string(f.Status))
	}
	params := map[string]string{"name": oneLine(d.Name), "project": oneLine(d.ProjectName),
		"failures": strings.Join(lines, "\n"), "count": strconv.Itoa(len(d.Failures))}
	m := Message{ProjectID: d.ProjectID, Kind: kindDeliveryFailed, To: d.To, Link: d.Link, Params: params}
	return m.In(d.Locale)
}

// failureCount is how many invitations a digest is about, listed or not.
func failureCount(p map[string]string) int {
	n, _ := strconv.Atoi(p["count"])
	return n
}

func deliveryFailedBody(c *catalog, w words, p map[string]string) body {
	n := failureCount(p)
	b := body{Before: []string{c.plural("failed.intro", n, w)}, Button: c.t("failed.button", w)}
	for line := range strings.SplitSeq(p["failures"], "\n") {
		address, status, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		reason := c.t("failed.reason."+string(StatusFailedPermanent), w)
		if key := "failed.reason." + status; c.has(key) {
			reason = c.t(key, w)
		}
		b.List = append(b.List, c.t("failed.line", map[string]string{"Address": address, "Reason": reason}))
	}
	if more := n - len(b.List); more > 0 {
		b.List = append(b.List, c.plural("failed.more", more, w))
	}
	b.After = []string{c.t("failed.fix", w), c.t("failed.digest", w)}
	return b
}

// JoinRequestDecidedData is what a denied request's email says: the admin's Reason, which may
// be empty, in the person's Locale.
type JoinRequestDecidedData struct {
	// ProjectID is the project the email is about, the email's (Message.ProjectID).
	ProjectID   uuid.UUID
	To          string
	Name        string
	ProjectName string
	Reason      string
	Locale      string
}

// JoinRequestDecided is the email to a person whose request to join was denied
// (internal/invites/joinrequests_decide.go). It carries no link.
func JoinRequestDecided(d JoinRequestDecidedData) Message {
	params := map[string]string{"name": oneLine(d.Name), "project": oneLine(d.ProjectName), "reason": d.Reason}
	m := Message{ProjectID: d.ProjectID, Kind: kindJoinRequestDecided, To: d.To, Params: params}
	return m.In(d.Locale)
}

// joinRequestDecidedBody is a denial in c's language. An approval queued before approvals were
// told by the welcome says so in its params ("approved", and its role in English words such as
// "a contributor", which wordsOf shows as they are): it is rendered as the welcome of an approved
// request, with the project's link it was queued with.
func joinRequestDecidedBody(c *catalog, w words, p map[string]string) body {
	if p["approved"] != "" {
		return welcomeBody(c, w, p)
	}
	b := body{Before: []string{c.t("denied.intro", w)}}
	if p["reason"] != "" {
		b.Before = append(b.Before, c.t("denied.reason", map[string]string{"Reason": p["reason"]}))
	}
	return b
}
