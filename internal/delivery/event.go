// Package delivery joins what mail providers and returned mail say about an email, after it
// left us, to the invite it carried: statuses, the suppression list and their events.
package delivery

import (
	"context"
	"time"
)

// Kind is what a provider or a returned message says happened to an email.
type Kind string

const (
	// Delivered: the receiving mail server took it.
	Delivered Kind = "DELIVERED"
	// Deferred: temporary trouble reported after the provider accepted it; it goes on trying.
	Deferred Kind = "DEFERRED"
	// SoftBounce: a bounce that may pass (mailbox full); three in seven days suppress.
	SoftBounce Kind = "SOFT_BOUNCE"
	// HardBounce: bounced for good (no such user, no such domain).
	HardBounce Kind = "HARD_BOUNCE"
	// Complaint: the recipient marked it as spam.
	Complaint Kind = "COMPLAINT"
	// Unsubscribed: the recipient asked for no more mail (Postmark's subscription change); it
	// suppresses like a complaint.
	Unsubscribed Kind = "UNSUBSCRIBED"
)

// Event is one report about one email, as a provider's webhook or a returned message gives it.
type Event struct {
	// Provider names the source: postmark, sendgrid, mailgun, ses, resend or smtp (a
	// returned message at the VERP address).
	Provider string
	// ID is the provider's own ID of this event (for refusing repeats); empty when the
	// provider gives none (then Provider, Kind, MessageID, Recipient and At identify it).
	ID   string
	Kind Kind
	// MessageID is our Message-ID header (without angle brackets) where the provider echoes
	// it or we find it in a returned message; EmailID is the email's ID where a header or tag
	// we set, or the VERP address, carries it. Either may be empty.
	MessageID string
	EmailID   string
	// Recipient is the address the event concerns: the match of last resort, with At.
	Recipient string
	At        time.Time
	// Reason is the provider's or the receiving server's words (a bounce's diagnostic).
	Reason string
}

// Recorder takes events: the delivery service joins each to its email and invite.
// matched is false for an event that concerns no email of ours (counted and logged, never an
// error to the provider); err is only for a failure to record (the provider should retry).
type Recorder interface {
	Record(ctx context.Context, e Event) (matched bool, err error)
}
