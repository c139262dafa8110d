// Package mail delivers the service's emails: it renders them, queues them durably in the
// transaction that causes them, and sends them after the commit through SMTP or, without an
// SMTP server, to the log.
package mail

// Message is one email, rendered and ready to send.
type Message struct {
	// Kind says what the email is for ("verification", "invite"), so that the outbox can be
	// read without the bodies, which are wiped once the email is done.
	Kind    string
	To      string
	Subject string
	// Text is the plain-text part, for clients that do not show HTML.
	Text string
	// HTML is the HTML alternative of Text.
	HTML string
	// Link is the one link the email carries, kept apart so that the log sender can print it
	// and a developer without SMTP can follow it.
	Link string
}

// Status is where an email is in its delivery; the invites API shows it as deliveryStatus.
type Status string

// The statuses stored in emails.status. FAILED_RETRYABLE is not final: the queue tries again.
const (
	StatusQueued          Status = "QUEUED"
	StatusSent            Status = "SENT"
	StatusFailedRetryable Status = "FAILED_RETRYABLE"
	StatusFailedPermanent Status = "FAILED_PERMANENT"
)
