package providers

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/invites/invites/internal/delivery"
)

// sendgrid reads SendGrid's Event Webhook: a JSON array of events, signed (Signed Event
// Webhook) with ECDSA over the timestamp header followed by the body.
type sendgrid struct {
	key *ecdsa.PublicKey
	now func() time.Time
}

// The Signed Event Webhook's headers.
const (
	sendgridSignature = "X-Twilio-Email-Event-Webhook-Signature"
	sendgridTimestamp = "X-Twilio-Email-Event-Webhook-Timestamp"
)

// sendgridEvent is the fields of one SendGrid event that we read. Custom arguments are
// top-level fields: ours is EmailIDTag (set through the X-SMTPAPI header's unique_args).
type sendgridEvent struct {
	Event      string `json:"event"`
	Email      string `json:"email"`
	Timestamp  int64  `json:"timestamp"`
	SGEventID  string `json:"sg_event_id"`
	SMTPID     string `json:"smtp-id"`
	EmailID    string `json:"invites_email_id"`
	Reason     string `json:"reason"`
	Response   string `json:"response"`
	Status     string `json:"status"`
	BounceType string `json:"type"`
	// Classification is SendGrid's bounce classification (Invalid Address, Technical, ...).
	Classification string `json:"bounce_classification"`
}

func (s sendgrid) events(_ context.Context, h http.Header, body []byte) ([]delivery.Event, error) {
	ts := h.Get(sendgridTimestamp)
	sig, err := base64.StdEncoding.DecodeString(h.Get(sendgridSignature))
	if err != nil || ts == "" {
		return nil, unauthorized("signature or timestamp header missing")
	}
	digest := sha256.Sum256(append([]byte(ts), body...))
	if !ecdsa.VerifyASN1(s.key, digest[:], sig) {
		return nil, unauthorized("signature does not verify")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || !fresh(s.now, time.Unix(sec, 0)) {
		return nil, unauthorized("timestamp not within 5 minutes")
	}
	var in []sendgridEvent
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, malformed(err)
	}
	var out []delivery.Event
	for _, m := range in {
		kind, ok := m.kind()
		if !ok {
			continue // processed, open, click, dropped...: nothing about the receiving side
		}
		out = append(out, delivery.Event{ID: m.SGEventID, Kind: kind, MessageID: messageID(m.SMTPID),
			EmailID: emailID(m.EmailID), Recipient: m.Email, At: time.Unix(m.Timestamp, 0).UTC(),
			Reason: join(m.Status, m.Reason, m.Response, m.Classification)})
	}
	return out, nil
}

// kind is what a SendGrid event says: a bounce of type "blocked" is a refusal that may pass
// (SendGrid does not suppress the address for it), type "bounce" is for good.
func (m sendgridEvent) kind() (delivery.Kind, bool) {
	switch m.Event {
	case "delivered":
		return delivery.Delivered, true
	case "deferred":
		return delivery.Deferred, true
	case "bounce":
		if m.BounceType == "blocked" {
			return delivery.SoftBounce, true
		}
		return delivery.HardBounce, true
	case "spamreport":
		return delivery.Complaint, true
	case "unsubscribe", "group_unsubscribe":
		return delivery.Unsubscribed, true
	}
	return "", false
}
