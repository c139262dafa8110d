package providers_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/invites/invites/internal/config"
	"github.com/invites/invites/internal/delivery"
	"github.com/invites/invites/internal/delivery/deliverytest"
	"github.com/invites/invites/internal/delivery/providers"
)

var postmarkConfig = providers.Config{EmailHooks: config.EmailHooks{PostmarkUser: "hooks", PostmarkPassword: "s3cret"}}

func postmarkAuth(user, password string) http.Header {
	r, _ := http.NewRequest(http.MethodPost, "/", nil)
	r.SetBasicAuth(user, password)
	return r.Header
}

// The payloads of Postmark's webhook documentation (Bounce, Spam complaint, Delivery,
// Subscription change), with our email ID in Metadata as X-PM-Metadata-invites_email_id puts it.
const (
	postmarkBounce = `{
  "RecordType": "Bounce", "MessageStream": "outbound", "ID": 4323372036854775807,
  "Type": "HardBounce", "TypeCode": 1, "Name": "Hard bounce", "Tag": "Test",
  "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
  "Metadata": {"invites_email_id": "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"},
  "ServerID": 23, "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
  "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
  "Email": "john@example.com", "From": "sender@example.com",
  "BouncedAt": "2019-11-05T16:33:54.9070259Z", "DumpAvailable": true, "Inactive": true,
  "CanActivate": true, "Subject": "Test subject", "Content": "<Full dump of bounce>"
}`
	postmarkSoftBounce = `{"RecordType": "Bounce", "ID": 42, "Type": "SoftBounce", "TypeCode": 4096,
  "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "Description": "Mailbox full",
  "Email": "john@example.com", "BouncedAt": "2019-11-05T16:33:54Z"}`
	postmarkByCode        = `{"RecordType": "Bounce", "ID": 44, "TypeCode": 1, "Email": "john@example.com", "BouncedAt": "2019-11-05T16:33:54Z"}`
	postmarkAutoResponder = `{"RecordType": "Bounce", "ID": 43, "Type": "AutoResponder", "TypeCode": 64,
  "Email": "john@example.com", "BouncedAt": "2019-11-05T16:33:54Z"}`
	postmarkComplaint = `{
  "RecordType": "SpamComplaint", "MessageStream": "outbound", "ID": 42, "Type": "SpamComplaint",
  "TypeCode": 512, "Name": "Spam complaint", "Tag": "Test",
  "MessageID": "00000000-0000-0000-0000-000000000000", "Metadata": {"a_key": "a_value"},
  "ServerID": 1234, "Description": "", "Details": "Test spam complaint details",
  "Email": "john@example.com", "From": "sender@example.com", "BouncedAt": "2019-11-05T16:33:54.9070259Z",
  "DumpAvailable": true, "Inactive": true, "CanActivate": false, "Subject": "Test subject"
}`
	postmarkDelivery = `{
  "RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound",
  "MessageID": "00000000-0000-0000-0000-000000000000", "Recipient": "john@example.com",
  "Tag": "welcome-email", "DeliveredAt": "2019-11-05T16:33:54.9070259Z",
  "Details": "Test delivery webhook details",
  "Metadata": {"invites_email_id": "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"}
}`
	postmarkSubscriptionChange = `{
  "RecordType": "SubscriptionChange", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
  "ServerID": 123456, "MessageStream": "outbound", "ChangedAt": "2020-02-01T10:53:34.416071Z",
  "Recipient": "bounced-address@wildbit.com", "Origin": "Recipient", "SuppressSending": true,
  "SuppressionReason": "ManualSuppression", "Tag": "my-tag", "Metadata": {"example": "value"}
}`
)

func TestPostmark(t *testing.T) {
	h, rec := newHandler(t, postmarkConfig)
	at := time.Date(2019, 11, 5, 16, 33, 54, 907025900, time.UTC)
	const ours = "0d4b7a3e-1c2f-4b8a-9a57-6f1e2d3c4b5a"
	for _, body := range []string{postmarkBounce, postmarkSoftBounce, postmarkByCode, postmarkAutoResponder,
		postmarkComplaint, postmarkDelivery, postmarkSubscriptionChange} {
		if code := post(h, "postmark", body, postmarkAuth("hooks", "s3cret")); code != http.StatusOK {
			t.Fatalf("got %d, want 200, for %s", code, body)
		}
	}
	deliverytest.WantEvents(t, rec,
		delivery.Event{Provider: "postmark", ID: "Bounce:4323372036854775807", Kind: delivery.HardBounce,
			EmailID: ours, Recipient: "john@example.com", At: at,
			Reason: "The server was unable to deliver your message (ex: unknown user, mailbox not found).: smtp;550 5.1.1 The email account that you tried to reach does not exist."},
		delivery.Event{Provider: "postmark", ID: "Bounce:42", Kind: delivery.SoftBounce,
			Recipient: "john@example.com", At: at.Truncate(time.Second), Reason: "Mailbox full"},
		delivery.Event{Provider: "postmark", ID: "Bounce:44", Kind: delivery.HardBounce,
			Recipient: "john@example.com", At: at.Truncate(time.Second)},
		delivery.Event{Provider: "postmark", ID: "SpamComplaint:42", Kind: delivery.Complaint,
			Recipient: "john@example.com", At: at, Reason: "Test spam complaint details"},
		delivery.Event{Provider: "postmark", Kind: delivery.Delivered, EmailID: ours,
			Recipient: "john@example.com", At: at, Reason: "Test delivery webhook details"},
		delivery.Event{Provider: "postmark", Kind: delivery.Unsubscribed, Recipient: "bounced-address@wildbit.com",
			At: time.Date(2020, 2, 1, 10, 53, 34, 416071000, time.UTC), Reason: "ManualSuppression"},
	)
}

func TestPostmark_BadCredentials(t *testing.T) {
	h, rec := newHandler(t, postmarkConfig)
	for _, header := range []http.Header{postmarkAuth("hooks", "wrong"), postmarkAuth("other", "s3cret"), nil} {
		if code := post(h, "postmark", postmarkBounce, header); code != http.StatusUnauthorized {
			t.Errorf("got %d, want 401", code)
		}
	}
	deliverytest.WantEvents(t, rec)
}

// TestPostmark_NoTime: an event the provider gives no time is stamped with the server's.
func TestPostmark_NoTime(t *testing.T) {
	h, rec := newHandler(t, postmarkConfig)
	body := `{"RecordType":"Delivery","MessageID":"x","Recipient":"john@example.com"}`
	if code := post(h, "postmark", body, postmarkAuth("hooks", "s3cret")); code != http.StatusOK {
		t.Fatalf("got %d, want 200", code)
	}
	deliverytest.WantEvents(t, rec, delivery.Event{Provider: "postmark", Kind: delivery.Delivered, Recipient: "john@example.com", At: now})
}
