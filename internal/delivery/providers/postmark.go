package providers

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"time"

	"github.com/invites/invites/internal/delivery"
)

// postmark reads Postmark's webhooks (Bounce, SpamComplaint, Delivery, SubscriptionChange),
// one event a request, sent with the Basic auth put in the webhook's URL. Postmark signs no
// timestamp, so a replay is refused by its ID (bounces and complaints) or by its fields.
type postmark struct{ user, password string }

// postmarkPayload is the fields of Postmark's four webhooks that we read.
type postmarkPayload struct {
	RecordType string
	// ID is a bounce's or complaint's; Type and TypeCode classify them.
	ID       json.Number
	Type     string
	TypeCode int
	// MessageID is Postmark's own; Metadata carries ours (X-PM-Metadata-invites_email_id).
	MessageID string
	Metadata  map[string]string
	// Email is a bounce's or complaint's recipient, Recipient a delivery's or change's.
	Email, Recipient                  string
	BouncedAt, DeliveredAt, ChangedAt time.Time
	Description, Details              string
	SuppressSending                   bool
	SuppressionReason                 string
}

func (p postmark) events(_ context.Context, h http.Header, body []byte) ([]delivery.Event, error) {
	user, password, ok := (&http.Request{Header: h}).BasicAuth()
	if !ok || !equalSecret(user, p.user) || !equalSecret(password, p.password) {
		return nil, unauthorized("Basic auth missing or wrong")
	}
	var m postmarkPayload
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, malformed(err)
	}
	e := delivery.Event{EmailID: emailID(m.Metadata[EmailIDTag])}
	switch m.RecordType {
	case "Bounce", "SpamComplaint":
		typ := m.Type
		if typ == "" {
			typ = postmarkTypeCodes[m.TypeCode]
		}
		kind, ok := postmarkBounceKind(typ)
		if !ok {
			return nil, nil // an auto-responder, a challenge, a subscribe: nothing about delivery
		}
		e.ID, e.Kind, e.Recipient, e.At = m.RecordType+":"+m.ID.String(), kind, m.Email, m.BouncedAt
		e.Reason = join(m.Description, m.Details)
	case "Delivery":
		e.Kind, e.Recipient, e.At, e.Reason = delivery.Delivered, m.Recipient, m.DeliveredAt, m.Details
	case "SubscriptionChange":
		if !m.SuppressSending {
			return nil, nil // a reactivation: the suppression is ours to lift
		}
		e.Kind, e.Recipient, e.At, e.Reason = delivery.Unsubscribed, m.Recipient, m.ChangedAt, m.SuppressionReason
	default:
		return nil, nil
	}
	return []delivery.Event{e}, nil
}

// postmarkTypeCodes name the bounce types we follow by TypeCode, for a payload without Type.
var postmarkTypeCodes = map[int]string{1: "HardBounce", 2: "Transient", 16: "Unsubscribe",
	256: "DnsError", 512: "SpamNotification", 4096: "SoftBounce", 100000: "BadEmailAddress",
	100001: "SpamComplaint", 100002: "ManuallyDeactivated", 100006: "Blocked", 100009: "DMARCPolicy"}

// postmarkBounceKind is what a Postmark bounce type says (Postmark's bounce types, by name).
func postmarkBounceKind(typ string) (delivery.Kind, bool) {
	switch typ {
	case "HardBounce", "BadEmailAddress", "ManuallyDeactivated":
		return delivery.HardBounce, true
	case "SoftBounce", "Transient", "DnsError", "SpamNotification", "Blocked", "DMARCPolicy":
		return delivery.SoftBounce, true
	case "SpamComplaint":
		return delivery.Complaint, true
	case "Unsubscribe":
		return delivery.Unsubscribed, true
	}
	return "", false
}

// equalSecret compares a secret in time that does not depend on where it differs (nor on
// its length: both sides are hashed first).
func equalSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// join is the non-empty ones of parts, separated by ": ".
func join(parts ...string) string {
	out := ""
	for _, p := range parts {
		switch {
		case p == "":
		case out == "":
			out = p
		default:
			out += ": " + p
		}
	}
	return out
}
