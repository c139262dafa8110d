package providers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/invites/invites/internal/delivery"
)

// mailgun reads Mailgun's webhooks: one event a request, {"signature": {timestamp, token,
// signature}, "event-data": {...}}, the signature the hex HMAC-SHA256 of timestamp and token
// with the webhook signing key.
type mailgun struct {
	key []byte
	now func() time.Time
}

type mailgunPayload struct {
	Signature struct {
		Timestamp string `json:"timestamp"`
		Token     string `json:"token"`
		Signature string `json:"signature"`
	} `json:"signature"`
	EventData mailgunEvent `json:"event-data"`
}

// mailgunEvent is the fields of event-data that we read. Our email ID comes back in
// user-variables (set through the X-Mailgun-Variables header), the Message-ID in the
// message's headers.
type mailgunEvent struct {
	ID       string `json:"id"`
	Event    string `json:"event"`
	Severity string `json:"severity"`
	Reason   string `json:"reason"`
	// Timestamp is in seconds, to the microsecond.
	Timestamp float64 `json:"timestamp"`
	Recipient string  `json:"recipient"`
	Message   struct {
		Headers struct {
			MessageID string `json:"message-id"`
		} `json:"headers"`
	} `json:"message"`
	UserVariables  map[string]any `json:"user-variables"`
	DeliveryStatus struct {
		Code        int    `json:"code"`
		Message     string `json:"message"`
		Description string `json:"description"`
	} `json:"delivery-status"`
}

func (m mailgun) events(_ context.Context, _ http.Header, body []byte) ([]delivery.Event, error) {
	var p mailgunPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, unauthorized("no signature to read") // unsigned: nothing of it is trusted
	}
	s := p.Signature
	mac := hmac.New(sha256.New, m.key)
	mac.Write([]byte(s.Timestamp + s.Token))
	got, err := hex.DecodeString(s.Signature)
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return nil, unauthorized("signature does not verify")
	}
	sec, err := strconv.ParseInt(s.Timestamp, 10, 64)
	if err != nil || !fresh(m.now, time.Unix(sec, 0)) {
		return nil, unauthorized("timestamp not within 5 minutes")
	}
	d := p.EventData
	kind, ok := d.kind()
	if !ok {
		return nil, nil
	}
	tag, _ := d.UserVariables[EmailIDTag].(string)
	reason := join(d.DeliveryStatus.Message, d.DeliveryStatus.Description)
	if reason == "" {
		reason = d.Reason
	}
	return []delivery.Event{{ID: d.ID, Kind: kind, MessageID: messageID(d.Message.Headers.MessageID),
		EmailID: emailID(tag), Recipient: d.Recipient, Reason: reason,
		At: time.UnixMicro(int64(math.Round(d.Timestamp * 1e6))).UTC()}}, nil
}

// kind is what a Mailgun event says. A failure of severity "temporary" is one Mailgun goes
// on retrying: a deferral; when it gives up it reports a "permanent" one.
func (d mailgunEvent) kind() (delivery.Kind, bool) {
	switch d.Event {
	case "delivered":
		return delivery.Delivered, true
	case "failed":
		if d.Severity == "temporary" {
			return delivery.Deferred, true
		}
		return delivery.HardBounce, true
	case "complained":
		return delivery.Complaint, true
	case "unsubscribed":
		return delivery.Unsubscribed, true
	}
	return "", false
}
