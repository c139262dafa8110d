// Package mail delivers the service's emails: it renders them, queues them durably in the
// transaction that causes them, and sends them after the commit through SMTP or, without an
// SMTP server, to the log.
package mail

import "github.com/google/uuid"

// Message is one email. The constructors (Verification, Invitation) fill in what it is for,
// its subject, its link and its template's inputs; the outbox stores those, and Render makes
// the bodies when the email is sent, so that queueing thousands in a request stays cheap.
type Message struct {
	// ID is the emails row's id, set by the queue when it sends the email: the SMTP sender
	// makes the Message-ID header from it, so that every copy of one email carries the same
	// Message-ID and a receiver can tell a copy sent again after a crash for what it is.
	// Zero outside the queue: a Message-ID of its own then.
	ID uuid.UUID
	// ProjectID is the project the email belongs to (its emails row's project_id): the
	// project an email is about (an invite's, a welcome's, a decided request's, a lost
	// domain's, a delivery-failure digest's); zero, the service project, for the rest
	// (accounts' emails, invites to the service alone, the join-request digest over several
	// projects).
	ProjectID uuid.UUID
	// Kind says what the email is for ("verification", "invite"), and so which template
	// renders it.
	Kind    string
	To      string
	Subject string
	// Link is the one link the email carries, kept apart so that the log sender can print it
	// and a developer without SMTP can follow it. It holds a secret token.
	Link string
	// Params are the template's inputs besides the link: names, role, expiry.
	Params map[string]string
	// Text is the plain-text part, for clients that do not show HTML; set by Render.
	Text string
	// HTML is the HTML alternative of Text; set by Render.
	HTML string
}

// Status is where an email is in its delivery; the invites API shows it as deliveryStatus.
type Status string

// The statuses stored in emails.status. FAILED_RETRYABLE is not final: the queue tries again.
const (
	StatusQueued          Status = "QUEUED"
	StatusSent            Status = "SENT"
	StatusFailedRetryable Status = "FAILED_RETRYABLE"
	StatusFailedPermanent Status = "FAILED_PERMANENT"
	// What a provider or returned mail reports after SENT (internal/delivery writes them), and
	// SUPPRESSED: not sent, the address being suppressed.
	StatusDeferred   Status = "DEFERRED"
	StatusDelivered  Status = "DELIVERED"
	StatusBounced    Status = "BOUNCED"
	StatusComplained Status = "COMPLAINED"
	StatusSuppressed Status = "SUPPRESSED"
)

// Sendable reports whether an email in status s may still be sent: QUEUED, or FAILED_RETRYABLE.
// Every other status is final for the queue, whoever wrote it (the queue, or a provider's
// report that arrived before the queue wrote SENT).
func (s Status) Sendable() bool { return s == StatusQueued || s == StatusFailedRetryable }
