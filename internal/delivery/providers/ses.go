package providers

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/invites/invites/internal/delivery"
)

// ses reads Amazon SES's notifications (identity notifications, with notificationType, or a
// configuration set's event publishing, with eventType) as Amazon SNS posts them to an HTTPS
// subscription: the SNS message is verified (snsVerifier), a subscription confirmation is
// confirmed, and a notification's Message is SES's JSON. Raw message delivery must be off.
type ses struct{ v *snsVerifier }

func newSES(cfg Config) ses {
	return ses{&snsVerifier{topics: cfg.SESTopicARNs, client: cfg.SNSClient, roots: cfg.SNSRoots,
		now: cfg.Now, certs: map[string]*x509.Certificate{}}}
}

// sesNotification is the fields of an SES notification that we read.
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Mail             struct {
		// Headers are the email's own (when the notifications include them): ours are there;
		// commonHeaders.messageId and messageId are SES's.
		Headers []namedValue `json:"headers"`
	} `json:"mail"`
	Bounce struct {
		BounceType        string         `json:"bounceType"`
		BounceSubType     string         `json:"bounceSubType"`
		BouncedRecipients []sesRecipient `json:"bouncedRecipients"`
		Timestamp         time.Time      `json:"timestamp"`
	} `json:"bounce"`
	Complaint struct {
		ComplainedRecipients []sesRecipient `json:"complainedRecipients"`
		FeedbackType         string         `json:"complaintFeedbackType"`
		Timestamp            time.Time      `json:"timestamp"`
	} `json:"complaint"`
	Delivery struct {
		Recipients   []string  `json:"recipients"`
		SMTPResponse string    `json:"smtpResponse"`
		Timestamp    time.Time `json:"timestamp"`
	} `json:"delivery"`
	DeliveryDelay struct {
		DelayType         string         `json:"delayType"`
		DelayedRecipients []sesRecipient `json:"delayedRecipients"`
		Timestamp         time.Time      `json:"timestamp"`
	} `json:"deliveryDelay"`
}

type sesRecipient struct {
	EmailAddress   string `json:"emailAddress"`
	Status         string `json:"status"`
	DiagnosticCode string `json:"diagnosticCode"`
}

func (s ses) events(ctx context.Context, _ http.Header, body []byte) ([]delivery.Event, error) {
	m, err := readSNS(body)
	if err != nil {
		return nil, err
	}
	if err := s.v.verify(ctx, m); err != nil {
		return nil, err
	}
	switch m.Type {
	case "SubscriptionConfirmation":
		return nil, s.v.confirm(ctx, m)
	case "Notification":
	default:
		return nil, nil // UnsubscribeConfirmation: nothing to do
	}
	var n sesNotification
	if err := json.Unmarshal([]byte(m.Message), &n); err != nil {
		return nil, malformed(err)
	}
	out := n.events()
	base := delivery.Event{}
	for _, h := range n.Mail.Headers {
		switch {
		case strings.EqualFold(h.Name, EmailIDHeader):
			base.EmailID = emailID(h.Value)
		case strings.EqualFold(h.Name, "Message-ID"):
			base.MessageID = messageID(h.Value)
		}
	}
	for i := range out {
		// The SNS message's ID is kept across SNS's retries; one names several recipients.
		out[i].ID = m.MessageId + "/" + out[i].Recipient
		out[i].EmailID, out[i].MessageID = base.EmailID, base.MessageID
	}
	return out, nil
}

// events are n's, one per recipient. A bounce is hard when SES says Permanent; Transient and
// Undetermined ones may pass.
func (n sesNotification) events() []delivery.Event {
	typ := n.NotificationType
	if typ == "" {
		typ = n.EventType
	}
	var out []delivery.Event
	add := func(kind delivery.Kind, to string, at time.Time, reason string) {
		out = append(out, delivery.Event{Kind: kind, Recipient: to, At: at, Reason: reason})
	}
	switch typ {
	case "Bounce":
		kind := delivery.SoftBounce
		if n.Bounce.BounceType == "Permanent" {
			kind = delivery.HardBounce
		}
		for _, r := range n.Bounce.BouncedRecipients {
			add(kind, r.EmailAddress, n.Bounce.Timestamp, join(r.Status, r.DiagnosticCode, n.Bounce.BounceSubType))
		}
	case "Complaint":
		for _, r := range n.Complaint.ComplainedRecipients {
			add(delivery.Complaint, r.EmailAddress, n.Complaint.Timestamp, n.Complaint.FeedbackType)
		}
	case "Delivery":
		for _, to := range n.Delivery.Recipients {
			add(delivery.Delivered, to, n.Delivery.Timestamp, n.Delivery.SMTPResponse)
		}
	case "DeliveryDelay":
		for _, r := range n.DeliveryDelay.DelayedRecipients {
			add(delivery.Deferred, r.EmailAddress, n.DeliveryDelay.Timestamp,
				join(n.DeliveryDelay.DelayType, r.Status, r.DiagnosticCode))
		}
	}
	return out
}
